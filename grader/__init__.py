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
from grader.catalog import list_tasks as tasks
from grader.catalog import load_task as task
from grader.errors import TfcertError
from grader.report.result import GradeResult
from grader.spec import TaskSpec


def load_data(task_id: str, split: str = "train", as_dataset: bool = False):
    """The learner's `train` or `valid` split of a task, as the starter code uses it.

    NumPy by default: a 1-D series (time series), or `(inputs, labels)` (images, texts). With
    `as_dataset=True`, an unbatched `tf.data.Dataset` of the same values (of `(input, label)`
    pairs for labelled data). The hidden `test` split is refused.

    Example:
        images, labels = grader.load_data("task1", "train")
        dataset = grader.load_data("task1", "valid", as_dataset=True).batch(32)
    """
    from grader.data import learner_split

    data = learner_split(task(task_id), split)
    if not as_dataset:
        return data
    from grader.models.runtime import import_keras

    import_keras()  # quiet TensorFlow's start-up banner
    import tensorflow as tf

    if isinstance(data, tuple):
        inputs, labels = data
        return tf.data.Dataset.from_tensor_slices((inputs.astype(str) if inputs.dtype == object else inputs, labels))
    return tf.data.Dataset.from_tensor_slices(data)


__all__ = ["GradeResult", "TaskSpec", "TfcertError", "grade", "load_data", "task", "tasks"]
