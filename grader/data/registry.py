"""The dataset sources a spec may name: their typed params and splits, and how to build them.

A source is `builtin:<name>` for now. Each builtin names its params dataclass and its split
dataclass (so `dataset.params` and `dataset.splits` are checked as strictly as the rest of a
spec), a check of rules that span fields, and the two builders: the learner's split and the
hidden test examples.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grader import typed
from grader.data import animals, headlines, series, shapes
from grader.data.animals import AnimalParams, PerClassSplit
from grader.data.headlines import HeadlineParams, HeadlineSplit
from grader.data.examples import Examples
from grader.data.series import SegmentSplit, SyntheticSeriesParams
from grader.data.shapes import ImageSplit, ShapesParams

SPLIT_NAMES = ("train", "valid", "test")


@dataclass(frozen=True)
class BuiltinSource:
    """How a builtin source's params and splits are typed and checked, and how it builds data."""

    params_type: type
    split_type: type
    check: Callable[[Any, dict[str, Any]], None]  # (params, splits): raise FieldError
    check_task: Callable[[Any], None]  # (spec): rules between the data and the contract
    learner_split: Callable[[Any, str], Any]  # (spec, "train" | "valid") -> the learner's data
    hidden_test: Callable[[Any, int], Examples]  # (spec, test seed) -> model inputs and targets


def builtin_source(source: str) -> BuiltinSource:
    """The builtin behind `builtin:<name>`; raise FieldError for unknown sources."""
    kind, _, name = source.partition(":")
    if kind != "builtin" or name not in BUILTIN_SOURCES:
        known = ", ".join(f"builtin:{n}" for n in BUILTIN_SOURCES)
        raise typed.FieldError("dataset.source", f"unknown source '{source}' (known: {known})")
    return BUILTIN_SOURCES[name]


def validate_dataset(source: str, params: Any, splits: Any) -> tuple[Any, dict[str, Any]]:
    """Return typed `(params, splits)` for `source`, or raise FieldError naming the field."""
    builtin = builtin_source(source)
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


def _check_window_task(spec) -> None:
    if spec.input.kind != "window" or len(spec.input.shape) != 2 or spec.input.shape[1] != 1:
        raise typed.FieldError("input", "builtin:synthetic_series feeds kind 'window' of shape [window, 1]")
    if spec.dataset.splits["test"].start < spec.input.shape[0]:
        raise typed.FieldError("dataset.splits.test.start", f"needs at least {spec.input.shape[0]} days before it")


def _check_counts(params: ShapesParams, splits: dict[str, ImageSplit]) -> None:
    for name, split in splits.items():
        pose = split.pose
        if split.count < 1:
            raise typed.FieldError(f"dataset.splits.{name}.count", "must be at least 1")
        if not 0 < pose.min_scale <= pose.max_scale:
            raise typed.FieldError(f"dataset.splits.{name}.pose", "needs 0 < min_scale <= max_scale")
        if pose.max_shift < 0 or pose.max_rotation < 0:
            raise typed.FieldError(f"dataset.splits.{name}.pose", "max_shift and max_rotation must be >= 0")


def _require_square_rgb(spec) -> None:
    size = spec.input.shape[0]
    if spec.input.kind != "image" or spec.input.shape != (size, size, 3):
        raise typed.FieldError("input", f"{spec.dataset.source} feeds kind 'image' of shape [size, size, 3]")


def _check_shapes_task(spec) -> None:
    _require_square_rgb(spec)
    classes = spec.output.classes or ()
    unknown = [name for name in classes if name not in shapes.SHAPES]
    if len(classes) < 2 or unknown:
        raise typed.FieldError("output.classes", f"needs two or more of {', '.join(shapes.SHAPES)}")


def _check_per_class(params: AnimalParams, splits: dict[str, PerClassSplit]) -> None:
    total = sum(split.per_class for split in splits.values())
    if any(split.per_class < 1 for split in splits.values()) or total > animals.MIN_UNIQUE_PER_CLASS:
        raise typed.FieldError(
            "dataset.splits", f"per_class counts must be >= 1 and sum to at most {animals.MIN_UNIQUE_PER_CLASS}"
        )
    if splits["test"].seed is None:
        raise typed.FieldError("dataset.splits.test.seed", "missing: the hidden test draw needs its own seed")


def _check_animals_task(spec) -> None:
    _require_square_rgb(spec)
    if spec.output.classes != animals.CLASSES:
        raise typed.FieldError("output.classes", f"must be the dataset's classes in order: {', '.join(animals.CLASSES)}")


def _check_headline_counts(params: HeadlineParams, splits: dict[str, HeadlineSplit]) -> None:
    for name, split in splits.items():
        if split.count < 1:
            raise typed.FieldError(f"dataset.splits.{name}.count", "must be at least 1")
    for field in ("label_noise", "negation_rate", "contrast_rate"):
        if not 0 <= getattr(params, field) <= 1:
            raise typed.FieldError(f"dataset.params.{field}", "must be between 0 and 1")


def _check_headlines_task(spec) -> None:
    from grader.text import TokenizerSpec

    if spec.input.kind != "tokens" or len(spec.input.shape) != 1:
        raise typed.FieldError("input", "builtin:headlines feeds kind 'tokens' of shape [max_length]")
    settings = typed.build(TokenizerSpec, spec.input.preprocessing, "input.preprocessing")
    vocabulary = spec.project_path(settings.vocabulary)
    if not vocabulary.is_file():
        raise typed.FieldError("input.preprocessing.vocabulary", f"file '{settings.vocabulary}' does not exist")
    if spec.output.classes is None or len(spec.output.classes) != 2:
        raise typed.FieldError("output.classes", "builtin:headlines has two classes: [negative, positive]")


BUILTIN_SOURCES = {
    "synthetic_series": BuiltinSource(
        SyntheticSeriesParams, SegmentSplit, _check_segments, _check_window_task,
        series.learner_split, series.hidden_test,
    ),
    "shapes": BuiltinSource(
        ShapesParams, ImageSplit, _check_counts, _check_shapes_task, shapes.learner_split, shapes.hidden_test,
    ),
    "headlines": BuiltinSource(
        HeadlineParams, HeadlineSplit, _check_headline_counts, _check_headlines_task,
        headlines.learner_split, headlines.hidden_test,
    ),
    "animal_silhouettes": BuiltinSource(
        AnimalParams, PerClassSplit, _check_per_class, _check_animals_task,
        animals.learner_split, animals.hidden_test,
    ),
}
