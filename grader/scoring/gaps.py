"""How far a result is from each rung of the ladder, and what usually closes the gap to a rung above.

A gap is measured in the metric's units (`to_go`, positive while a rung is not reached; for a
rung reached, minus the margin) and in rungs: `to_go` over the ladder's mean step, so "a fifth
of a rung" means the same on every task. The advice comes from the spec layer's table
(grader.spec.advice), by the task's category and that size.

Example:
    rung_gaps(3.006, spec)   # task4: [RungGap(5, 2.9, 0.106, 1.06, ('more epochs with early stopping', ...)), ...]
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
    rungs: float  # to_go in the ladder's mean steps
    advice: tuple[str, str] | None  # for a rung not reached: (technique, how) that usually closes a gap this size


def ladder_step(ladder: dict[int, float]) -> float | None:
    """The mean distance between adjacent rungs; None for a one-rung ladder."""
    thresholds = [ladder[points] for points in sorted(ladder)]
    if len(thresholds) < 2:
        return None
    return abs(thresholds[-1] - thresholds[0]) / (len(thresholds) - 1)


def rung_gaps(value: float, spec) -> list[RungGap]:
    """Every rung, best first, seen from `value`; empty when the value is not finite."""
    if value is None or not math.isfinite(value):
        return []
    metric = spec.metric
    step = ladder_step(metric.ladder)
    gaps = []
    for points in sorted(metric.ladder, reverse=True):
        threshold = metric.ladder[points]
        to_go = value - threshold if metric.lower_is_better else threshold - value
        rungs = to_go / step if step else (0.0 if to_go <= 0 else 1.0)
        advice = technique(spec.category, rungs) if to_go > 0 else None
        gaps.append(RungGap(points, threshold, _rounded(to_go), round(rungs, 3), advice))
    return gaps


def _rounded(value: float) -> float:
    """6 significant digits: what a result keeps (an MSE gap of 3e-05 is not 0)."""
    return float(f"{value:.6g}")
