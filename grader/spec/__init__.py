"""Stage 1, the task spec: `tasks/<id>.yaml` parsed into a typed, validated TaskSpec.

A spec is the single source of truth for a task (data, input/output contract, metric and
ladder, limits). Open `model.py` for the dataclasses and the metrics, `files.py` for where specs
and the files they name live (installed or in a checkout), `loader.py` for finding spec files
and validating them (errors name the file and the field), `typed.py` for the strict
YAML-to-dataclass builder, `baselines.py` for the baselines a spec may name, `advice.py` for
what usually closes a gap to a rung, by task category. This layer knows
nothing about data: the data sources pass their rules in (see grader.catalog, which loads tasks).
"""

from grader.spec.files import TASKS_DIR_ENV, project_file, resource_dirs, solution_dirs, tasks_dir
from grader.spec.loader import DatasetRules, load_spec, spec_path, spec_paths
from grader.spec.model import (
    METRICS,
    PROJECT_ROOT,
    DatasetSpec,
    InputSpec,
    Limits,
    MetricSpec,
    OutputSpec,
    TaskSpec,
)

__all__ = [
    "METRICS", "PROJECT_ROOT", "TASKS_DIR_ENV", "DatasetRules", "DatasetSpec", "InputSpec", "Limits",
    "MetricSpec", "OutputSpec", "TaskSpec", "load_spec", "project_file", "resource_dirs", "solution_dirs",
    "spec_path", "spec_paths", "tasks_dir",
]
