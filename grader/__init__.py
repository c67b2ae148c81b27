"""tfcert's grading library: task specs, learner data, and grading a Keras model.

Importing this package does not import TensorFlow; grading does, when it needs a model.

Example:
    import grader
    grader.tasks()                               # every TaskSpec
    series = grader.load_data("task4", "train")  # the learner's training data
    result = grader.grade("task4", "model.keras")
    print(result)
"""

from grader.api import grade
from grader.errors import TfcertError
from grader.result import GradeResult
from grader.spec import TaskSpec, list_tasks as tasks, load_task as task


def load_data(task_id: str, split: str = "train"):
    """The learner's `train` or `valid` split of a task (the hidden `test` split is refused)."""
    from grader.data import learner_split

    return learner_split(task(task_id), split)


__all__ = ["GradeResult", "TaskSpec", "TfcertError", "grade", "load_data", "task", "tasks"]
