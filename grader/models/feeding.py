"""Feed the hidden examples so that one example's answer cannot depend on the others, and check it.

A model sees a whole batch at once, and a safe `.keras` file can hold batch-wide operations
(`keras.ops.roll` along the batch axis, a sort, a mean). Fed in their natural order, a series
task's windows give each other away: window i+1 ends with window i's target, so "answer with the
next window's last value" scores an MAE near 0 without any training. Two defences, both keyed by
a secret the submission cannot know (`grader.data.splits.grading_key`):

- **A secret feeding order.** The examples of the full batches trade places across batches in a
  secret order, each keeping its row within its batch, so batch-mates are strangers. Keeping the
  row keeps the numbers: on all 47 real exam-era files every answer stayed equal bit for bit
  (bench/results/batch_independence.md), so honest scores do not move. The last, shorter batch
  keeps its order (moving an example into a batch of another size changes float rounding).
- **An independence check.** One more batch re-feeds a tenth of the examples (at least 64, at
  most a batch) in another composition: from secretly chosen rows, one example that sat in that
  row, in a secret order, so each sits among other batch-mates and in another row (examples of
  the shorter batch also in a batch of another size). Any answer that changes by more than float
  rounding (relative 1e-4; honest models differ by at most ~4e-6, measured) means the model reads
  its batch-mates or its place in the batch, and the grade is refused. A model that cheats on a
  share f of the examples escapes with probability (1 - f) ** (re-fed examples): task4's 183 of
  1,825 windows make a 3.5 % cheat (about one rung) escape 1.5 times in 1,000 grades.

Example:
    plan = feeding_plan(len(test), key)
    scored, rechecked = predict_planned(model, test, plan)
    problem = batch_dependence(scored, rechecked, plan)     # None, or what went wrong in words
"""

import hashlib
import math
from dataclasses import dataclass

import numpy as np

from grader.data.examples import Examples
from grader.models.predict import PREDICT_BATCH_SIZE, model_inputs, predict

RELATIVE_TOLERANCE = 1e-4  # float rounding between batch compositions; measured up to ~4e-6 on real files
# The check re-feeds a tenth of the examples (at least 64, at most one batch): its cost is about a
# tenth of the prediction's (bench/results/batch_independence.md).
CHECKED_SHARE, MIN_CHECKED = 0.1, 64


@dataclass(frozen=True)
class FeedingPlan:
    """The order examples are fed in (the scored pass, every example once, then the check batch), by batch."""

    order: np.ndarray  # example indices as fed
    batch_sizes: tuple[int, ...]
    scored: int  # the first `scored` entries of `order` are the scored pass

    @property
    def checked(self) -> np.ndarray:
        """The examples the check batch re-feeds."""
        return self.order[self.scored:]

    def batches(self) -> list[np.ndarray]:
        """The example indices fed together, batch by batch."""
        return np.split(self.order, np.cumsum(self.batch_sizes)[:-1])


def checked_count(count: int) -> int:
    """How many examples the check re-feeds: a tenth, at least 64 (or all), at most one batch."""
    return min(count, PREDICT_BATCH_SIZE, max(MIN_CHECKED, math.ceil(count * CHECKED_SHARE)))


def feeding_plan(count: int, key: bytes, batch_size: int = PREDICT_BATCH_SIZE) -> FeedingPlan:
    """A secret feeding order for `count` examples, and a check batch, both drawn from `key`."""
    seed = int.from_bytes(hashlib.sha256(key + b":feeding:" + str(count).encode()).digest()[:16], "big")
    rng = np.random.default_rng(seed)
    full, rest = divmod(count, batch_size)
    grid = np.arange(full * batch_size).reshape(full, batch_size)
    shuffled = rng.permuted(grid, axis=0)  # each row position's examples trade batches among themselves
    tail = np.arange(full * batch_size, count)
    size = checked_count(count)
    if full:
        # From secretly chosen rows, one example that sat in that row (the shorter batch's too)...
        rows = rng.choice(batch_size, size, replace=False)
        columns = [np.append(grid[:, r], tail[r]) if r < rest else grid[:, r] for r in rows]
        # ...re-fed in a secret order: no example keeps its row, so no answer can come from the row alone.
        checked = rng.permutation([column[rng.integers(len(column))] for column in columns])
    else:  # one short batch: re-feed a secret part of it, in another order
        checked = rng.choice(count, size, replace=False)
    order = np.concatenate([shuffled.reshape(-1), tail, checked])
    sizes = (batch_size,) * full + ((rest,) if rest else ()) + (len(checked),)
    return FeedingPlan(order, sizes, count)


def predict_planned(model, examples: Examples, plan: FeedingPlan, traces=None) -> tuple[np.ndarray, np.ndarray]:
    """(answers for every example in its original place, the check batch's answers) as `plan` feeds them."""
    outputs = predict(model, model_inputs(model, examples), traces, plan.batches())
    return unplanned(outputs, plan)


def unplanned(outputs: np.ndarray, plan: FeedingPlan) -> tuple[np.ndarray, np.ndarray]:
    """Outputs fed in `plan`'s order, split into the scored answers (in original order) and the check's."""
    scored = np.empty_like(outputs[:plan.scored])
    scored[plan.order[:plan.scored]] = outputs[:plan.scored]
    return scored, outputs[plan.scored:]


def batch_dependence(scored: np.ndarray, rechecked: np.ndarray, plan: FeedingPlan) -> str | None:
    """None when every re-fed example got its scored answer again (within float rounding), else why not."""
    first = scored[plan.checked].reshape(len(plan.checked), -1)
    again = rechecked.reshape(len(plan.checked), -1)
    scale = max(1.0, float(np.nanmax(np.abs(first), initial=0.0)) if np.isfinite(first).any() else 1.0)
    close = np.isclose(again, first, rtol=RELATIVE_TOLERANCE, atol=RELATIVE_TOLERANCE * scale, equal_nan=True)
    changed = np.flatnonzero(~close.all(axis=1))
    if not len(changed):
        return None
    return (f"your model's answer to an input depends on the other inputs fed with it: {len(changed)} of "
            f"{len(plan.checked)} hidden test inputs fed again among other inputs got other answers; a model "
            "must answer each input on its own and the same way every time: no operations across the batch "
            "axis (roll, sort, mean over the batch), no randomness when predicting (Dropout(training=True), "
            "keras.random) and no stateful layers")
