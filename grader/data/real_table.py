"""A multivariate series read from a real CSV (`url:`/`local:` sources with format `table_csv`).

For Dicoding's 2023-24 C5 (household power: a `datetime` column, then 7 numeric variables):
every column is normalized over the whole file as the template does it, then the rows are
split by share (the template's `split_time = int(len(data) * 0.5)`), and the hidden test is
windows of `input.shape[0]` past observations of every variable, each answered by the next
`output.shape[0]` observations of every variable ((N, 24, 7) -> (N, 24, 7)), cut from the test
rows only, as the template's validation windows were. The windowing is the one every series
task uses (grader.data.series.sliding_windows).

The template's normalization: `normalize_series(data, data.min(axis=0), data.max(axis=0))`
computes (data - min) / max, not the (data - min) / (max - min) that "min-max" usually means;
`divide_by: max` states it (a column whose min is far from 0, like the mains voltage around
223..254 V, ends up in about 0..0.12 rather than 0..1). `divide_by: range` is the usual min-max.

Example:
    rows = learner_split(spec, "train")        # float32 (n, 7), normalized as the template does
    test = hidden_test(spec, seed=None)        # Examples(x=(N, 24, 7), y=(N, 24, 7))
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np

from grader.data.examples import Examples
from grader.data.files import load_columns
from grader.data.series import sliding_windows
from grader.spec import typed


@dataclass(frozen=True)
class ShareSplit:
    """Rows from share `start` to share `end` of the file (row int(n * share), as the template cuts)."""

    start: float
    end: float

    def describe(self) -> str:
        return f"rows {self.start:.0%}..{self.end:.0%} of the file"

    def rows(self, count: int) -> slice:
        return slice(int(count * self.start), int(count * self.end))


@dataclass(frozen=True)
class ColumnNormalization:
    """`input.preprocessing` of a table task: each column becomes (value - min) / divisor, over the whole file."""

    divide_by: Literal["max", "range"]
    max_test_windows: int | None = None  # evenly spaced test windows, when the test rows give more


def check_splits(params, splits: dict[str, ShareSplit]) -> None:
    """Shares in order and disjoint: train, then valid, then test."""
    previous_end = 0.0
    for name in ("train", "valid", "test"):
        split = splits[name]
        if not previous_end <= split.start < split.end <= 1:
            raise typed.FieldError(f"dataset.splits.{name}", f"needs {previous_end:g} <= start < end <= 1")
        previous_end = split.end


def check_task(spec) -> None:
    """Windows of [past, variables] in, [future, variables] out, one variable per named column."""
    variables = len(spec.dataset.params.columns)
    if spec.input.kind != "window" or len(spec.input.shape) != 2 or spec.input.shape[1] != variables:
        raise typed.FieldError("input", f"format 'table_csv' feeds kind 'window' of shape [past, {variables}]")
    if len(spec.output.shape) != 2 or spec.output.shape[1] != variables:
        raise typed.FieldError("output.shape", f"must be [future, {variables}]: the next observations of every column")
    settings = typed.build(ColumnNormalization, spec.input.preprocessing, "input.preprocessing")
    if settings.max_test_windows is not None and settings.max_test_windows < 1:
        raise typed.FieldError("input.preprocessing.max_test_windows", "must be at least 1")


def normalized_table(spec) -> np.ndarray:
    """The whole file's values, each column normalized over all rows as the spec says."""
    (table,) = load_columns(spec)
    settings = ColumnNormalization(**spec.input.preprocessing)
    low, high = table.min(axis=0), table.max(axis=0)
    divisor = high if settings.divide_by == "max" else high - low
    return ((table - low) / np.where(divisor == 0, 1, divisor)).astype(np.float32)


def learner_split(spec, name: str) -> np.ndarray:
    """`train` or `valid` rows, (n, variables) float32, normalized as the template normalized the whole file."""
    table = normalized_table(spec)
    return table[spec.dataset.splits[name].rows(len(table))]


def hidden_test(spec, seed: int | None) -> Examples:
    """Windows inside the test rows: x (N, past, variables), y (N, future, variables); `seed` is unused."""
    table = normalized_table(spec)
    rows = table[spec.dataset.splits["test"].rows(len(table))]
    past, future = spec.input.shape[0], spec.output.shape[0]
    settings = ColumnNormalization(**spec.input.preprocessing)
    x, y = sliding_windows(rows, past, len(rows), past, horizon=future, max_windows=settings.max_test_windows)
    return Examples(x, y)
