"""`builtin:line`: the exam's "getting started" problem, fit a line to a handful of points.

The spec gives the template's own arrays (`params.x`, `params.y`, e.g. the exam's
xs = [-1 .. 4], ys = xs + 1); they must lie exactly on one line, which is the truth the hidden
test is scored against. The learner gets the template's points; the hidden test is a grid of
x values across the range the spec names (Dicoding: "we will test your model with values in a
range as defined in the array"). `params.probe` names x values outside that range whose
predictions are reported, not scored (the exam asked for predict([10.0]) ~ 11).

    splits:
      train: {points: template}            # the template's X and Y
      valid: {points: template}            # six to ten points: nothing to hold out
      test: {points: grid, start: -1, end: 4, count: 21}

Example:
    x, y = learner_split(spec, "train")       # float32 (6,), (6,): the template's arrays
    test = hidden_test(spec, seed=None)       # Examples(x=(21, 1), y=(21, 1)) on the true line
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np

from grader.data.examples import Examples
from grader.spec import typed

COLLINEAR_TOLERANCE = 1e-9  # relative: the template's points are exact, not measured


@dataclass(frozen=True)
class LineParams:
    """`dataset.params` of `builtin:line`: the template's arrays, and x values probed but not scored."""

    x: tuple[float, ...]
    y: tuple[float, ...]
    probe: tuple[float, ...] = ()


@dataclass(frozen=True)
class LineSplit:
    """The template's points, or `count` evenly spaced x values from `start` to `end` (both included)."""

    points: Literal["template", "grid"]
    start: float | None = None
    end: float | None = None
    count: int | None = None

    def describe(self) -> str:
        if self.points == "template":
            return "the template's x and y arrays"
        return f"{self.count} x values evenly spaced from {self.start:g} to {self.end:g}, y on the template's line"


def line_of(params: LineParams) -> tuple[float, float]:
    """(slope, intercept) of the line through the template's points (least squares; they are exact)."""
    slope, intercept = np.polyfit(np.asarray(params.x, dtype=np.float64), np.asarray(params.y, dtype=np.float64), 1)
    # The arrays are exact decimals: drop least-squares round-off (an intercept of -5.6e-16 is 0).
    return round(float(slope), 12) + 0.0, round(float(intercept), 12) + 0.0


def check_splits(params: LineParams, splits: dict[str, LineSplit]) -> None:
    if len(params.x) != len(params.y) or len(set(params.x)) < 2:
        raise typed.FieldError("dataset.params", "x and y need the same length and at least two distinct x values")
    slope, intercept = line_of(params)
    residual = np.abs(np.asarray(params.y) - (slope * np.asarray(params.x) + intercept)).max()
    if residual > COLLINEAR_TOLERANCE * (1 + np.abs(params.y).max()):
        raise typed.FieldError("dataset.params.y", f"the points are not on one line (off by up to {residual:.3g})")
    for name, split in splits.items():
        grid_fields = (split.start, split.end, split.count)
        if split.points == "template" and any(value is not None for value in grid_fields):
            raise typed.FieldError(f"dataset.splits.{name}", "points: template takes no start, end or count")
        if split.points == "grid" and (None in grid_fields or split.count < 2 or not split.start < split.end):
            raise typed.FieldError(f"dataset.splits.{name}", "points: grid needs start < end and a count >= 2")


def check_task(spec) -> None:
    """One number in, one number out."""
    if spec.input.kind != "number" or spec.input.shape != (1,) or spec.output.shape != (1,):
        raise typed.FieldError("input", "builtin:line feeds kind 'number' of shape [1] and expects output [1]")


def split_points(params: LineParams, split: LineSplit) -> tuple[np.ndarray, np.ndarray]:
    """The split's (x, y) as float32 1-D arrays."""
    if split.points == "template":
        return np.asarray(params.x, dtype=np.float32), np.asarray(params.y, dtype=np.float32)
    return points_on_line(params, np.linspace(split.start, split.end, split.count))


def points_on_line(params: LineParams, x) -> tuple[np.ndarray, np.ndarray]:
    """x and the template line's y at x, float32."""
    slope, intercept = line_of(params)
    x = np.asarray(x, dtype=np.float64)
    return x.astype(np.float32), (slope * x + intercept).astype(np.float32)


def learner_split(spec, name: str) -> tuple[np.ndarray, np.ndarray]:
    """`train` or `valid`: (x, y), float32 (n,), as the template's arrays are."""
    return split_points(spec.dataset.params, spec.dataset.splits[name])


def hidden_test(spec, seed: int | None) -> Examples:
    """The test grid as model inputs (n, 1) and targets (n, 1); `seed` is unused (the line is fixed)."""
    x, y = split_points(spec.dataset.params, spec.dataset.splits["test"])
    return Examples(x[:, np.newaxis], y[:, np.newaxis])


def probe_points(spec) -> tuple[np.ndarray, np.ndarray] | None:
    """The spec's probed x values and the line's y there, or None (not a line task, or no probe)."""
    params = spec.dataset.params
    if not isinstance(params, LineParams) or not params.probe:
        return None
    return points_on_line(params, params.probe)
