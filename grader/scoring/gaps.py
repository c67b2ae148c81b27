"""How far a result is from each rung of the ladder, and what usually closes the gap to a rung above.

A gap is measured in the metric's units (`to_go`, positive while a rung is not reached; for a
rung reached, minus the margin) and in rungs of the task's own ladder (ladder_position), so "a
fifth of a rung" means the same on every task. The advice comes from the spec layer's table
(grader.spec.advice), by the task's category and that size.

Example:
    rung_gaps(3.006, spec)   # task4: [RungGap(5, 2.9, 0.106, 1.06, 'more epochs with early stopping', ...), ...]
"""

import math
from dataclasses import dataclass

from grader.spec.advice import technique


@dataclass(frozen=True)
class RungGap:
    """One rung as seen from a result: its threshold, how far away it is, and what closes that gap."""

    points: int
    threshold: float
    to_go: float  # in the metric's units: > 0 still to go, <= 0 reached (minus the margin)
    rungs: float  # the same gap in rungs of the ladder (negative: reached)
    technique: str | None  # for a rung not reached: what usually closes a gap this size
    how: str | None  # and how to apply it


def ladder_position(value: float, metric) -> float:
    """Where `value` sits on the ladder, in rungs: 0 at the lowest rung, 1 at the next... (interpolated).

    Between two rungs the position is linear in the metric, beyond the ends it goes on with the
    nearest step, so a gap in rungs means the same on an even ladder (task4: 0.1 apart) and an
    uneven one (linear: MSE 0.5, 0.2, 0.05, 0.01, 0.001).
    """
    sign = -1.0 if metric.lower_is_better else 1.0  # as "goodness": higher is better
    goodness = [sign * metric.ladder[points] for points in sorted(metric.ladder)]
    if len(goodness) == 1:
        return 0.0 if sign * value >= goodness[0] else -1.0
    here = sign * value
    if here <= goodness[0]:
        return (here - goodness[0]) / (goodness[1] - goodness[0])
    if here >= goodness[-1]:
        return len(goodness) - 1 + (here - goodness[-1]) / (goodness[-1] - goodness[-2])
    upper = next(i for i, g in enumerate(goodness) if g >= here)
    return upper - 1 + (here - goodness[upper - 1]) / (goodness[upper] - goodness[upper - 1])


def rung_gaps(value: float, spec) -> list[RungGap]:
    """Every rung, best first, seen from `value`; empty when the value is not finite."""
    if value is None or not math.isfinite(value):
        return []
    metric = spec.metric
    position = ladder_position(value, metric)
    gaps = []
    for index, points in reversed(list(enumerate(sorted(metric.ladder)))):
        threshold = metric.ladder[points]
        to_go = value - threshold if metric.lower_is_better else threshold - value
        rungs = index - position
        advice = technique(spec.category, rungs) if to_go > 0 else None
        gaps.append(RungGap(points, threshold, _rounded(to_go), round(rungs, 3), *(advice or (None, None))))
    return gaps


def _rounded(value: float) -> float:
    """6 significant digits: what a result keeps (an MSE gap of 3e-05 is not 0)."""
    return float(f"{value:.6g}")
