"""A univariate series read from a real CSV (`url:`/`local:` sources with format `series_csv`).

The learner gets raw values of the `train` and `valid` row ranges, as the exam's template read
the CSV. The grader feeds the hidden `test` range as the spec's contract says: windows of
`input.shape[0]` values, normalized when `input.preprocessing` gives `subtract` and `divide`
(the template's `series -= min; series /= max`). The metric is on the raw scale (predictions
are mapped back, as the exam scored MAE on the raw series) or on the normalized scale, as
`metric.units` says.

Example:
    series = learner_split(spec, "train")      # float32 raw values of rows [start, end)
    test = hidden_test(spec, seed=0)           # Examples(x=(N, window, 1), y=(N, 1))
"""

from dataclasses import dataclass

import numpy as np

from grader.data.examples import Examples
from grader.data.files import load_columns
from grader.data.series import sliding_windows
from grader.errors import DataFileError


@dataclass(frozen=True)
class RangeSplit:
    """Rows `[start, end)` of a real dataset, in file order."""

    start: int
    end: int

    def describe(self) -> str:
        return f"rows {self.start}..{self.end - 1}"


@dataclass(frozen=True)
class Normalization:
    """`input.preprocessing` of a window task: the grader feeds `(value - subtract) / divide`."""

    subtract: float = 0.0
    divide: float = 1.0

    def apply(self, values: np.ndarray) -> np.ndarray:
        return ((values - self.subtract) / self.divide).astype(np.float32)


def normalization(spec) -> Normalization:
    """The task's input normalization (identity when the spec gives none)."""
    return Normalization(**spec.input.preprocessing)


def series_values(spec) -> np.ndarray:
    """The whole raw series of the task's file, checked long enough for its splits."""
    (values,) = load_columns(spec)
    needed = max(split.end for split in spec.dataset.splits.values())
    if len(values) < needed:
        raise DataFileError(f"{spec.dataset.params.file}: {len(values)} rows, but {spec.id}'s splits need {needed}")
    return values


def learner_split(spec, name: str) -> np.ndarray:
    """The `train` or `valid` rows as a 1-D float32 array of raw values."""
    split = spec.dataset.splits[name]
    return series_values(spec)[split.start : split.end]


def hidden_test(spec, seed: int) -> Examples:
    """Windows before each test row, normalized as the contract says; targets in the metric's units.

    `seed` is unused: a real series has one hidden segment, the same for everyone.
    """
    test = spec.dataset.splits["test"]
    norm = normalization(spec)
    x, y = sliding_windows(series_values(spec), test.start, test.end, spec.input.shape[0])
    if spec.metric.units == "normalized":
        return Examples(norm.apply(x), norm.apply(y))
    # The model answers on the normalized scale; map its outputs back to raw units to score them.
    return Examples(norm.apply(x), y, output_scale=(norm.divide, norm.subtract))
