"""The dataset sources a spec may name, and validation of their params and splits.

A source is `builtin:<name>` for now; each builtin names its params dataclass and its split
dataclass, so `dataset.params` and `dataset.splits` are checked as strictly as the rest of a spec.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grader import typed
from grader.data.series import SegmentSplit, SyntheticSeriesParams

SPLIT_NAMES = ("train", "valid", "test")


@dataclass(frozen=True)
class BuiltinSource:
    """How a builtin source's params and splits are typed, and the rules that span them."""

    params_type: type
    split_type: type
    check: Callable[[Any, dict[str, Any]], None]


def builtin_name(source: str) -> str:
    """`builtin:synthetic_series` -> `synthetic_series`; raise FieldError for unknown sources."""
    kind, _, name = source.partition(":")
    if kind != "builtin" or name not in BUILTIN_SOURCES:
        known = ", ".join(f"builtin:{n}" for n in BUILTIN_SOURCES)
        raise typed.FieldError("dataset.source", f"unknown source '{source}' (known: {known})")
    return name


def validate_dataset(source: str, params: Any, splits: Any) -> tuple[Any, dict[str, Any]]:
    """Return typed `(params, splits)` for `source`, or raise FieldError naming the field."""
    builtin = BUILTIN_SOURCES[builtin_name(source)]
    typed_params = typed.build(builtin.params_type, params, "dataset.params")
    typed_splits = typed.build(dict[str, builtin.split_type], splits, "dataset.splits")
    for name in SPLIT_NAMES:
        if name not in typed_splits:
            raise typed.FieldError(f"dataset.splits.{name}", "missing required split")
    extra = sorted(set(typed_splits) - set(SPLIT_NAMES))
    if extra:
        raise typed.FieldError(f"dataset.splits.{extra[0]}", "unknown split (allowed: train, valid, test)")
    builtin.check(typed_params, typed_splits)
    return typed_params, typed_splits


def _check_segments(params: SyntheticSeriesParams, splits: dict[str, SegmentSplit]) -> None:
    """Segments must be in order, contiguous, inside the series; only the test split has a seed."""
    previous_end = 0
    for name in SPLIT_NAMES:
        split = splits[name]
        if split.start != previous_end or split.end <= split.start:
            raise typed.FieldError(
                f"dataset.splits.{name}",
                f"segment [{split.start}, {split.end}) must start at day {previous_end} and be non-empty",
            )
        previous_end = split.end
    if previous_end != params.days:
        raise typed.FieldError("dataset.splits.test.end", f"must be the series length {params.days}")
    if splits["test"].seed is None:
        raise typed.FieldError("dataset.splits.test.seed", "missing: the hidden test noise needs its own seed")
    if splits["test"].draws < 1:
        raise typed.FieldError("dataset.splits.test.draws", "must be at least 1")


BUILTIN_SOURCES = {
    "synthetic_series": BuiltinSource(SyntheticSeriesParams, SegmentSplit, _check_segments),
}
