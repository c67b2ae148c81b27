"""Task data: the learner's splits (train, valid) and the hidden test split (grader only).

The hidden test split is built here, in the grading process, and never handed to code that a
learner controls: `learner_split` refuses "test". An instructor can set the env TFCERT_SECRET
to replace the spec's test seed, so students cannot regenerate the hidden test data (builtin
sources only: a real dataset's hidden rows are fixed, see grader.data.registry for the sources).

Example:
    spec = load_task("task4")
    train = learner_split(spec, "train")       # 1-D float32 series for task4
    test = hidden_test_split(spec)             # Examples(x=(N, 30, 1), y=(N, 1))
"""

import hashlib
import os

from grader.data.examples import Examples
from grader.data.registry import source_of
from grader.errors import DataAccessError

SECRET_ENV = "TFCERT_SECRET"
LEARNER_SPLITS = ("train", "valid")

__all__ = ["Examples", "hidden_test_split", "learner_split", "test_seed"]


def test_seed(spec) -> int | None:
    """The hidden test seed: the spec's, or one derived from TFCERT_SECRET when it is set.

    None for real datasets: their hidden test rows are fixed, so no seed (or secret) applies.
    """
    seed = getattr(spec.dataset.splits["test"], "seed", None)
    secret = os.environ.get(SECRET_ENV)
    if seed is None or not secret:
        return seed
    digest = hashlib.sha256(f"{secret}:{spec.id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def learner_split(spec, split: str):
    """The `train` or `valid` split as the learner gets it (its form depends on the task's data)."""
    if split not in LEARNER_SPLITS:
        raise DataAccessError(
            f"split '{split}' is not available to learners (use 'train' or 'valid'); "
            "the test split is hidden and only the grader reads it"
        )
    return source_of(spec.dataset).learner_split(spec, split)


def hidden_test_split(spec) -> Examples:
    """The hidden test examples (model inputs and targets); grader-side only."""
    return source_of(spec.dataset).hidden_test(spec, test_seed(spec))
