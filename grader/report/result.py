"""GradeResult: everything one grade produced, as plain data that prints, serializes and compares.

Example:
    result = grade("task4", "model.keras")
    print(result)              # the score table
    result.to_dict()           # what `tfcert grade --json` prints
"""

import json
from dataclasses import asdict, dataclass, field

from grader.scoring.gaps import RungGap


@dataclass(frozen=True)
class BaselineScore:
    """A baseline's metric value and points on the same hidden test examples."""

    name: str
    label: str
    value: float
    points: int


@dataclass(frozen=True)
class Requirement:
    """A further condition a pass needs (the spec's `metric.also`), e.g. MSE <= 6, and whether it was met."""

    metric: str
    label: str
    bound: float
    value: float | None  # None when the predictions were not finite
    met: bool


@dataclass(frozen=True)
class GradeResult:
    """The outcome of grading one submission for one task."""

    task: str
    title: str
    submission: str
    # "file", "train" (a training script), "quick-check" (a script run with --max-epochs: never a
    # practice attempt), "trusted" (--trust), "savedmodel" or "in-memory"
    mode: str
    metric: str
    metric_label: str
    lower_is_better: bool
    value: float | None  # None when the predictions were not finite
    points: int
    max_points: int
    passed: bool
    pass_points: int
    ladder: dict[int, float]
    baselines: list[BaselineScore]
    diagnostics: list[str]
    test_examples: int
    saved_by: str | None = None
    shims: list[str] = field(default_factory=list)
    train_seconds: float | None = None
    figure: dict = field(default_factory=dict)  # grader.scoring.figure.figure_data: what a plot shows
    requirements: list[Requirement] = field(default_factory=list)  # the pass also needs these
    gaps: list[RungGap] = field(default_factory=list)  # each rung seen from the value, best first (scoring.gaps)
    # The diagnostics as they may be shown before grades are published: no value from the hidden split.
    public_diagnostics: list[str] = field(default_factory=list)
    entry: str | None = None  # train mode: the function that was called (solution_model, solution_A1, ...)
    keras_runtime: int | None = None  # train mode: the Keras the script trained under (2: tf_keras, 3)

    def to_dict(self) -> dict:
        """A JSON-ready dict (ladder keys become strings, as JSON requires)."""
        data = asdict(self)
        data["ladder"] = {str(points): threshold for points, threshold in self.ladder.items()}
        return data

    def to_json(self) -> str:
        """One JSON object, as `tfcert grade --json` prints it."""
        return json.dumps(self.to_dict(), indent=2)

    def __str__(self) -> str:
        from grader.report.text import format_result

        return format_result(self)

    def _repr_html_(self) -> str:
        """What Jupyter and Colab show for a GradeResult: the score, ladder, diagnostics and plot."""
        from grader.report.html import format_result_html

        return format_result_html(self)
