"""Splits of a dataset that comes in two fixed parts, `train` and `test` (Fashion-MNIST, MNIST, IMDB).

The learner's `train` and `valid` splits are disjoint index ranges of the `train` part, in the
order the source defines; the hidden `test` split is the whole `test` part.

Example:
    PartSplit("train", 0, 50000).describe()      # 'train part, items 0..49999'
    check_part_splits(splits, train_count=60000)
"""

from dataclasses import dataclass
from typing import Literal

from grader.spec import typed


@dataclass(frozen=True)
class PartSplit:
    """Items `[start, end)` of the `train` or `test` part (`end` None: to the last)."""

    part: Literal["train", "test"]
    start: int = 0
    end: int | None = None

    def describe(self) -> str:
        if (self.start, self.end) == (0, None):
            return f"the whole {self.part} part"
        return f"{self.part} part, items {self.start}..{'the last' if self.end is None else self.end - 1}"

    def stop(self, count: int) -> int:
        return count if self.end is None else self.end


def check_part_splits(splits: dict[str, PartSplit], train_count: int) -> None:
    """The hidden test is the whole test part; train and valid are disjoint ranges of the train part."""
    test = splits["test"]
    if (test.part, test.start, test.end) != ("test", 0, None):
        raise typed.FieldError("dataset.splits.test", "must be {part: test}: the whole test part")
    ranges = []
    for name in ("train", "valid"):
        split = splits[name]
        if split.part != "train" or not 0 <= split.start < split.stop(train_count) <= train_count:
            raise typed.FieldError(
                f"dataset.splits.{name}", f"must be a non-empty range of the {train_count:,} items of the train part"
            )
        ranges.append((split.start, split.stop(train_count)))
    (a_start, a_end), (b_start, b_end) = ranges
    if a_start < b_end and b_start < a_end:
        raise typed.FieldError("dataset.splits.valid", "overlaps the train split")


def learner_slice(split: PartSplit, *arrays):
    """The split's range of each of `arrays` (all of one part, aligned)."""
    return tuple(array[split.start : split.end] for array in arrays)
