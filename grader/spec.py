"""TaskSpec: load and validate `tasks/<id>.yaml`, the single source of truth for a task.

Every error is one line that names the file and the field, e.g.
`tasks/task4.yaml: metric.ladder: not monotonic: 4 points needs mae <= 3.1 but 5 points allows 3.2`.

Example:
    spec = load_task("task4")
    spec.input.shape         # (30, 1)
    spec.metric.ladder       # {5: 2.9, 4: 3.0, ...}
"""

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from grader import typed
from grader.baselines import check_baseline
from grader.data.registry import source_of, validate_dataset
from grader.errors import SpecError, UnknownTaskError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TASKS_DIR_ENV = "TFCERT_TASKS_DIR"

# name -> (direction, how it reads in a table). "min": lower is better.
METRICS = {
    "mae": ("min", "MAE"),
    "mse": ("min", "MSE"),
    "accuracy": ("max", "accuracy"),
}


@dataclass(frozen=True)
class DatasetSpec:
    """Where the data comes from and how it is split (train/valid for the learner, test hidden)."""

    source: str
    params: Any  # the source's own params dataclass, validated by grader.data.registry
    splits: dict[str, Any]


@dataclass(frozen=True)
class InputSpec:
    """The model's input contract."""

    kind: Literal["image", "tokens", "text", "window"]
    shape: tuple[int, ...]
    dtype: Literal["float32", "int32", "int64", "string"]
    value_range: tuple[float, ...] | None
    scaling: str  # in words: raw or normalized, and what the model must do about it
    description: str  # one line: what one input example is
    preprocessing: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutputSpec:
    """The model's output contract."""

    shape: tuple[int, ...]
    meaning: str
    activation: Literal["linear", "sigmoid", "softmax"] = "linear"
    classes: tuple[str, ...] | None = None
    # Window tasks: also accept a sequence-to-sequence model ((None, T, 1) out, as the exam
    # template's `windowed_dataset` yielding (w[:-1], w[1:]) trains) and score its last step.
    sequence_outputs: bool = False


@dataclass(frozen=True)
class MetricSpec:
    """The metric, its points ladder (points -> threshold) and the pass line."""

    name: str
    ladder: dict[int, float]
    pass_points: int
    baselines: dict[str, dict[str, Any]] = field(default_factory=dict)
    hint: str | None = None  # shown when a submission scores below the pass line
    units: Literal["raw", "normalized"] = "raw"  # window tasks: the scale the metric is computed on
    # More conditions a pass needs, metric name -> bound, e.g. {mse: 6.0} ("and MSE <= 6").
    also: dict[str, float] = field(default_factory=dict)

    @property
    def lower_is_better(self) -> bool:
        return METRICS[self.name][0] == "min"

    @property
    def label(self) -> str:
        return METRICS[self.name][1]


@dataclass(frozen=True)
class Limits:
    """Resource limits for grading a submission."""

    max_file_mb: float
    max_params: int
    train_seconds: float
    memory_mb: int
    predict_seconds: float = 120  # loading + predicting the hidden test split


@dataclass(frozen=True)
class TaskSpec:
    """One task: what the learner builds, the data, the contract, and how it is scored."""

    id: str
    title: str
    category: Literal["image", "transfer", "text", "time-series"]
    skills: tuple[str, ...]
    summary: str
    dataset: DatasetSpec
    input: InputSpec
    output: OutputSpec
    metric: MetricSpec
    limits: Limits
    starter: str
    solution: str

    def __repr__(self) -> str:
        return f"TaskSpec({self.id!r}: {self.title}, {self.metric.label} ladder {self.metric.ladder})"

    def project_path(self, relative: str) -> Path:
        """Resolve a path written in the spec (starter, solution) against the project root."""
        return PROJECT_ROOT / relative


def tasks_dir() -> Path:
    """The folder that holds the task specs (env TFCERT_TASKS_DIR overrides the builtin one)."""
    return Path(os.environ.get(TASKS_DIR_ENV) or PROJECT_ROOT / "tasks")


def spec_paths() -> dict[str, Path]:
    """Task id -> spec file, for every `*.yaml` in `tasks_dir()` and its subfolders (e.g. tasks/exam/)."""
    paths: dict[str, Path] = {}
    for path in sorted(tasks_dir().rglob("*.yaml")):
        if path.stem in paths:
            raise SpecError(f"{_shown_path(path)}: task id '{path.stem}' is also {_shown_path(paths[path.stem])}; "
                            "rename one of them (a task id is its file name)")
        paths[path.stem] = path
    return dict(sorted(paths.items()))


def list_tasks() -> list[TaskSpec]:
    """Load every spec, sorted by id."""
    return [load_spec(path) for path in spec_paths().values()]


def load_task(task_id: str) -> TaskSpec:
    """Load the spec of `task_id`, or raise UnknownTaskError listing the ids that exist."""
    paths = spec_paths()
    if task_id not in paths:
        known = ", ".join(paths) or "none"
        raise UnknownTaskError(f"unknown task '{task_id}' (known tasks: {known}); run `tfcert tasks`")
    return load_spec(paths[task_id])


def load_spec(path: Path) -> TaskSpec:
    """Parse and validate one spec file; raise SpecError naming the file and the field."""
    shown = _shown_path(path)
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
    try:
        raw = dict(raw)
        dataset = raw.get("dataset")
        if isinstance(dataset, dict):
            raw["dataset"] = _typed_dataset(dataset)
        spec = typed.build(TaskSpec, raw, "")
        _check_semantics(spec, path)
    except typed.FieldError as exc:
        raise SpecError(f"{shown}: {exc}") from None
    return spec


def _typed_dataset(raw: dict) -> DatasetSpec:
    """Validate `dataset` with the params and split types of its source."""
    unknown = set(raw) - {"source", "params", "splits"}
    if unknown:
        raise typed.FieldError(f"dataset.{sorted(unknown)[0]}", "unknown field (allowed here: source, params, splits)")
    for key in ("source", "params", "splits"):
        if key not in raw:
            raise typed.FieldError(f"dataset.{key}", "missing required field")
    source = typed.build(str, raw["source"], "dataset.source")
    params, splits = validate_dataset(source, raw["params"], raw["splits"])
    return DatasetSpec(source=source, params=params, splits=splits)


def _check_semantics(spec: TaskSpec, path: Path) -> None:
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
    for name, params in spec.metric.baselines.items():
        problem = check_baseline(name, params)
        if problem:
            raise typed.FieldError(f"metric.baselines.{name}", problem)
    if any(d <= 0 for d in spec.input.shape):
        raise typed.FieldError("input.shape", f"dimensions must be positive, got {list(spec.input.shape)}")
    source_of(spec.dataset).check_task(spec)
    if spec.output.classes is not None and spec.output.shape[-1] not in (1, len(spec.output.classes)):
        raise typed.FieldError("output.classes", f"{len(spec.output.classes)} classes do not fit output shape {list(spec.output.shape)}")
    for name in ("starter", "solution"):
        if not spec.project_path(getattr(spec, name)).is_file():
            raise typed.FieldError(name, f"file '{getattr(spec, name)}' does not exist")


def _check_ladder(metric: MetricSpec) -> None:
    ladder = metric.ladder
    if not ladder:
        raise typed.FieldError("metric.ladder", "empty: give at least the pass rung")
    bad = [p for p in ladder if not 1 <= p <= 5]
    if bad:
        raise typed.FieldError(f"metric.ladder.{bad[0]}", "points must be between 1 and 5")
    rungs = sorted(ladder.items(), reverse=True)  # best rung first
    for (hi_points, hi_threshold), (lo_points, lo_threshold) in zip(rungs, rungs[1:]):
        stricter = hi_threshold < lo_threshold if metric.lower_is_better else hi_threshold > lo_threshold
        if not stricter:
            op = "<=" if metric.lower_is_better else ">="
            raise typed.FieldError(
                "metric.ladder",
                f"not monotonic: {hi_points} points needs {metric.name} {op} {hi_threshold} "
                f"but {lo_points} points needs {metric.name} {op} {lo_threshold}",
            )
    if metric.pass_points not in ladder:
        raise typed.FieldError("metric.pass_points", f"{metric.pass_points} is not a rung of the ladder {sorted(ladder)}")


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
