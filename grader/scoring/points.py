"""Metric value -> points (0..5) on the task's ladder; the pass line is a rung of it.

Example:
    points_for(2.9, spec.metric)      # 5 when the ladder's 5-point rung is mae <= 2.95
"""

import math

MAX_POINTS = 5


def points_for(value: float, metric) -> int:
    """The highest rung of `metric.ladder` that `value` reaches; 0 for none or a NaN value."""
    if math.isnan(value):
        return 0
    for points in sorted(metric.ladder, reverse=True):
        threshold = metric.ladder[points]
        reached = value <= threshold if metric.lower_is_better else value >= threshold
        if reached:
            return points
    return 0


def points_text(count: int) -> str:
    """'1 point', '4 points'."""
    return f"{count} point" if count == 1 else f"{count} points"
