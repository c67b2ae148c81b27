"""Find and parse `tasks/<id>.yaml` files into TaskSpecs, validating every field strictly.

Every error is one line that names the file and the field, e.g.
`tasks/task4.yaml: metric.ladder: not monotonic: 4 points needs mae <= 3.1 but 5 points allows 3.2`.
A spec's `dataset` is typed by its data source: the caller passes the sources' rules
(`DatasetRules`), so this layer knows the spec language and nothing about data
(grader.catalog passes grader.data's rules).

Example:
    spec = load_spec(spec_paths()["task4"], rules)
    spec.input.shape         # (30, 1)
"""

from pathlib import Path
from typing import Any, Protocol

import yaml

from grader.errors import SpecError, UnknownTaskError
from grader.spec import typed
from grader.spec.baselines import check_baseline
from grader.spec.files import tasks_dir
from grader.spec.model import METRICS, DatasetSpec, MetricSpec, TaskSpec

EXAMS_FOLDER = "exams"  # tasks/exams/<id>.yaml: exam definitions (grader.spec.exam)
MIN_DISK_MB = 16


class DatasetRules(Protocol):
    """What the data sources tell the spec loader: how to type a dataset, and rules across a spec."""

    def validate_dataset(self, source: str, params: Any, splits: Any) -> tuple[Any, dict[str, Any]]:
        """Typed (params, splits) for `source`, or raise typed.FieldError naming the field."""

    def check_task(self, spec: TaskSpec) -> None:
        """Raise typed.FieldError when the data and the input/output contract do not fit."""

def spec_paths() -> dict[str, Path]:
    """Task id -> spec file, for every `*.yaml` in `tasks_dir()` and its subfolders (e.g. tasks/exam/).

    The `exams/` folder holds exam definitions (grader.spec.exam), not tasks.
    """
    paths: dict[str, Path] = {}
    for path in sorted(tasks_dir().rglob("*.yaml")):
        if path.relative_to(tasks_dir()).parts[0] == EXAMS_FOLDER:
            continue
        if path.stem in paths:
            raise SpecError(f"{shown_path(path)}: task id '{path.stem}' is also {shown_path(paths[path.stem])}; "
                            "rename one of them (a task id is its file name)")
        paths[path.stem] = path
    return dict(sorted(paths.items()))


def spec_path(task_id: str) -> Path:
    """The spec file of `task_id`, or raise UnknownTaskError listing the ids that exist."""
    paths = spec_paths()
    if task_id not in paths:
        known = ", ".join(paths) or "none"
        raise UnknownTaskError(f"unknown task '{task_id}' (known tasks: {known}); run `tfcert tasks`")
    return paths[task_id]


def read_mapping(path: Path) -> dict:
    """The YAML mapping in `path`; SpecError naming the file for an unreadable file or bad YAML."""
    shown = shown_path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{shown}: cannot read the file ({exc})") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise SpecError(f"{shown}: not valid YAML{line}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise SpecError(f"{shown}: expected a mapping of fields at the top level")
    return dict(raw)


def load_spec(path: Path, rules: DatasetRules) -> TaskSpec:
    """Parse and validate one spec file; raise SpecError naming the file and the field."""
    raw = read_mapping(path)
    try:
        dataset = raw.get("dataset")
        if isinstance(dataset, dict):
            raw["dataset"] = _typed_dataset(dataset, rules)
        spec = typed.build(TaskSpec, raw, "")
        _check_semantics(spec, path, rules)
    except typed.FieldError as exc:
        raise SpecError(f"{shown_path(path)}: {exc}") from None
    return spec


def _typed_dataset(raw: dict, rules: DatasetRules) -> DatasetSpec:
    """Validate `dataset` with the params and split types of its source."""
    unknown = set(raw) - {"source", "params", "splits"}
    if unknown:
        raise typed.FieldError(f"dataset.{sorted(unknown)[0]}", "unknown field (allowed here: source, params, splits)")
    for key in ("source", "params", "splits"):
        if key not in raw:
            raise typed.FieldError(f"dataset.{key}", "missing required field")
    source = typed.build(str, raw["source"], "dataset.source")
    params, splits = rules.validate_dataset(source, raw["params"], raw["splits"])
    return DatasetSpec(source=source, params=params, splits=splits)


def _check_semantics(spec: TaskSpec, path: Path, rules: DatasetRules) -> None:
    """Rules that span fields: id matches the file, metric known, ladder monotonic, etc."""
    if spec.id != path.stem:
        raise typed.FieldError("id", f"'{spec.id}' does not match the file name '{path.stem}'")
    if spec.metric.name not in METRICS:
        raise typed.FieldError("metric.name", f"unknown metric '{spec.metric.name}' (known: {', '.join(METRICS)})")
    _check_ladder(spec.metric)
    for name in spec.metric.also:
        if name not in METRICS:
            raise typed.FieldError(f"metric.also.{name}", f"unknown metric (known: {', '.join(METRICS)})")
    if spec.output.sequence_outputs and spec.input.kind != "window":
        raise typed.FieldError("output.sequence_outputs", "only window tasks can score a sequence's last step")
    if spec.output.shifted_outputs and (spec.output.activation != "softmax" or len(spec.output.classes or ()) < 3):
        raise typed.FieldError("output.shifted_outputs", "needs a softmax over 3 or more classes, the first unused")
    for name, params in spec.metric.baselines.items():
        problem = check_baseline(name, params)
        if problem:
            raise typed.FieldError(f"metric.baselines.{name}", problem)
    if spec.limits.disk_mb < MIN_DISK_MB:
        raise typed.FieldError("limits.disk_mb", f"must be at least {MIN_DISK_MB} (a saved model needs room)")
    if spec.limits.cpu_seconds is not None and spec.limits.cpu_seconds <= 0:
        raise typed.FieldError("limits.cpu_seconds", "must be positive")
    if any(d <= 0 for d in spec.input.shape):
        raise typed.FieldError("input.shape", f"dimensions must be positive, got {list(spec.input.shape)}")
    rules.check_task(spec)
    if spec.output.classes is not None and spec.output.shape[-1] not in (1, len(spec.output.classes)):
        raise typed.FieldError(
            "output.classes", f"{len(spec.output.classes)} classes do not fit output shape {list(spec.output.shape)}"
        )
    for name in spec.entry:
        if not name.isidentifier():
            raise typed.FieldError("entry", f"'{name}' is not a Python function name")
    if not spec.entry:
        raise typed.FieldError("entry", "name at least one function")
    # Only the starter: the reference solution is left out where students' code runs (a Gradescope
    # archive); tests/test_spec.py checks that every spec's solution exists in the checkout.
    if not spec.project_path(spec.starter).is_file():
        raise typed.FieldError("starter", f"file '{spec.starter}' does not exist")


def _check_ladder(metric: MetricSpec) -> None:
    ladder = metric.ladder
    if not ladder:
        raise typed.FieldError("metric.ladder", "empty: give at least the pass rung")
    bad = [p for p in ladder if not 1 <= p <= 5]
    if bad:
        raise typed.FieldError(f"metric.ladder.{bad[0]}", "points must be between 1 and 5")
    rungs = sorted(ladder.items(), reverse=True)  # best rung first
    for (hi_points, hi_threshold), (lo_points, lo_threshold) in zip(rungs, rungs[1:], strict=False):
        stricter = hi_threshold < lo_threshold if metric.lower_is_better else hi_threshold > lo_threshold
        if not stricter:
            op = "<=" if metric.lower_is_better else ">="
            raise typed.FieldError(
                "metric.ladder",
                f"not monotonic: {hi_points} points needs {metric.name} {op} {hi_threshold} "
                f"but {lo_points} points needs {metric.name} {op} {lo_threshold}",
            )
    if metric.pass_points not in ladder:
        raise typed.FieldError(
            "metric.pass_points", f"{metric.pass_points} is not a rung of the ladder {sorted(ladder)}"
        )


def shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
