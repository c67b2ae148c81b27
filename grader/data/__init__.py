"""Task data: the learner's splits (train, valid) and the hidden test split (grader only).

The hidden test split is built here, in the grading process, and never handed to code that a
learner controls: `learner_split` refuses "test". An instructor can set the env TFCERT_SECRET
to replace the spec's test seed, so students cannot regenerate the hidden test data.

Example:
    spec = load_task("task4")
    train = learner_split(spec, "train")       # 1-D float32 series for task4
    test = hidden_test_split(spec)             # Examples(x=(N, 30, 1), y=(N, 1))
"""

import hashlib
import os
from dataclasses import dataclass

import numpy as np

from grader.data.registry import builtin_name
from grader.data.series import generate_series, sliding_windows
from grader.errors import DataAccessError

SECRET_ENV = "TFCERT_SECRET"
LEARNER_SPLITS = ("train", "valid")


@dataclass(frozen=True)
class Examples:
    """Model inputs `x` and targets `y` of a split, aligned on the first axis."""

    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.y)


def test_seed(spec) -> int:
    """The hidden test seed: the spec's, or one derived from TFCERT_SECRET when it is set."""
    secret = os.environ.get(SECRET_ENV)
    if not secret:
        return spec.dataset.splits["test"].seed
    digest = hashlib.sha256(f"{secret}:{spec.id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def learner_split(spec, split: str) -> np.ndarray:
    """Return the `train` or `valid` split as the learner gets it (a 1-D series for series tasks)."""
    if split not in LEARNER_SPLITS:
        raise DataAccessError(
            f"split '{split}' is not available to learners (use 'train' or 'valid'); "
            "the test split is hidden and only the grader reads it"
        )
    builtin_name(spec.dataset.source)  # the only sources so far are builtin series
    segment = spec.dataset.splits[split]
    # The learner segments never depend on the test seed: the spec's seed is passed so that
    # no secret is needed (or read) to build them.
    series = generate_series(spec.dataset.params, spec.dataset.splits["test"].start, spec.dataset.splits["test"].seed)
    return series[segment.start : segment.end]


def hidden_test_split(spec) -> Examples:
    """Build the hidden test examples: windows ending just before each test day, in every draw."""
    test = spec.dataset.splits["test"]
    window = spec.input.shape[0]
    seed = test_seed(spec)
    xs, ys = [], []
    for draw in range(test.draws):
        series = generate_series(spec.dataset.params, test.start, seed, draw)
        x, y = sliding_windows(series, test.start, test.end, window)
        xs.append(x)
        ys.append(y)
    return Examples(np.concatenate(xs), np.concatenate(ys))
