"""The task spec's dataclasses: what `tasks/<id>.yaml` holds once it is parsed and validated.

Example:
    spec.input.shape         # (30, 1)
    spec.metric.ladder       # {5: 2.9, 4: 3.0, ...}
    spec.metric.lower_is_better
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from grader import resources
from grader.spec.files import project_file

PROJECT_ROOT = resources.root()  # holds tasks/, starter/, solutions/: the checkout, or the installed package

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

    kind: Literal["image", "tokens", "text", "window", "number"]
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
    # Classifiers whose first class is an unused id (a label Tokenizer numbers from 1): also accept
    # a softmax without it, labels shifted down by one (its unit k is class k + 1).
    shifted_outputs: bool = False


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
    disk_mb: int = 2048  # what a sandboxed child may write: its working directory (a tmpfs), its largest file
    cpu_seconds: float | None = None  # CPU time per child process; None: its wall time x the cores


@dataclass(frozen=True)
class TaskSpec:
    """One task: what the learner builds, the data, the contract, and how it is scored."""

    id: str
    title: str
    category: Literal["image", "transfer", "text", "time-series", "regression"]
    skills: tuple[str, ...]
    summary: str
    dataset: DatasetSpec
    input: InputSpec
    output: OutputSpec
    metric: MetricSpec
    limits: Limits
    starter: str
    solution: str
    # The function(s) a training script of this problem defines: the exam's and the course's
    # `solution_model`, Dicoding's `solution_<ID>` (grader.sandbox.entry).
    entry: tuple[str, ...] = ("solution_model",)

    def __repr__(self) -> str:
        return f"TaskSpec({self.id!r}: {self.title}, {self.metric.label} ladder {self.metric.ladder})"

    def project_path(self, relative: str) -> Path:
        """Resolve a path written in the spec (starter, solution, vocabulary): see grader.spec.files."""
        return project_file(relative)


