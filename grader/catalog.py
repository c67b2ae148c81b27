"""The tasks and exams this installation knows: every spec file, validated with the data sources' rules.

The spec layer parses the YAML and the data layer types each dataset; this module joins the two,
so both stay independent of each other. Everything that needs a task by id calls `load_task`.

Example:
    spec = load_task("task4")
    [spec.id for spec in list_tasks()]   # ['bbc-news', ..., 'task4']
    load_exam("google").problems         # the exam's problems, each a known task
"""

from grader.data.registry import DATA_RULES
from grader.spec import TaskSpec, load_spec, spec_path, spec_paths
from grader.spec.exam import ExamSpec, exam_path, exam_paths, load_exam_file


def load_task(task_id: str) -> TaskSpec:
    """Load and validate the spec of `task_id`; UnknownTaskError lists the ids that exist."""
    return load_spec(spec_path(task_id), DATA_RULES)


def list_tasks() -> list[TaskSpec]:
    """Load every spec, sorted by id."""
    return [load_spec(path, DATA_RULES) for path in spec_paths().values()]


def load_exam(exam_id: str) -> ExamSpec:
    """Load and validate the exam `exam_id` (its problems must be known tasks)."""
    return load_exam_file(exam_path(exam_id), set(spec_paths()))


def list_exams() -> list[ExamSpec]:
    """Every exam definition, sorted by id."""
    known = set(spec_paths())
    return [load_exam_file(path, known) for path in exam_paths().values()]
