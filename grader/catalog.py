"""The tasks this installation knows: every spec file, validated with the data sources' rules.

The spec layer parses the YAML and the data layer types each dataset; this module joins the two,
so both stay independent of each other. Everything that needs a task by id calls `load_task`.

Example:
    spec = load_task("task4")
    [spec.id for spec in list_tasks()]   # ['bbc-news', ..., 'task4']
"""

from grader.data.registry import DATA_RULES
from grader.spec import TaskSpec, load_spec, spec_path, spec_paths


def load_task(task_id: str) -> TaskSpec:
    """Load and validate the spec of `task_id`; UnknownTaskError lists the ids that exist."""
    return load_spec(spec_path(task_id), DATA_RULES)


def list_tasks() -> list[TaskSpec]:
    """Load every spec, sorted by id."""
    return [load_spec(path, DATA_RULES) for path in spec_paths().values()]
