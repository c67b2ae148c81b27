"""Metric value -> points (0..5) on the task's ladder -> pass/fail, and why a score is low.

Example:
    points_for(2.9, spec.metric)      # 5 when the ladder's 5-point rung is mae <= 2.95
    diagnose(evaluation, spec)        # ["predictions are constant (...)", ...]
"""

import math

import numpy as np

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


def diagnose(evaluation, spec) -> list[str]:
    """Plain-language reasons for a low or suspicious score, most important first."""
    notes = []
    predictions, targets = evaluation.predictions, evaluation.targets
    if evaluation.nonfinite_predictions:
        notes.append(
            f"{evaluation.nonfinite_predictions} predictions are NaN or infinite, so the score is 0; "
            "check for a diverged training run (lower the learning rate) or unscaled inputs"
        )
        return notes
    if predictions.size > 1 and float(np.std(predictions)) < 1e-6 * (1 + float(np.std(targets))):
        notes.append(
            f"predictions are constant ({predictions.flat[0]:.4g} for every input): the model did not learn; "
            "train longer, lower the learning rate, or check that training targets are right"
        )
    if spec.output.activation == "linear":
        notes.extend(_scale_notes(predictions, targets))
    points = points_for(evaluation.metric_value, spec.metric)
    for name, value in evaluation.baseline_values.items():
        worse = value < evaluation.metric_value if spec.metric.lower_is_better else value > evaluation.metric_value
        if worse:
            notes.append(
                f"the '{name}' baseline scores better ({spec.metric.label} {value:.4g}) than your model "
                f"({evaluation.metric_value:.4g}): the model adds nothing over a rule of thumb yet"
            )
    if not notes and points < MAX_POINTS:
        best = spec.metric.ladder[max(spec.metric.ladder)]
        op = "<=" if spec.metric.lower_is_better else ">="
        notes.append(f"full marks need {spec.metric.label} {op} {best:g}; yours is {evaluation.metric_value:.4g}")
    return notes


def _scale_notes(predictions: np.ndarray, targets: np.ndarray) -> list[str]:
    """Spot a regression model whose outputs live on another scale than the targets."""
    spread = float(np.std(targets)) or 1.0
    offset = abs(float(np.mean(predictions)) - float(np.mean(targets)))
    if offset <= 2 * spread:
        return []
    return [
        f"predictions average {float(np.mean(predictions)):.4g} but the true values average "
        f"{float(np.mean(targets)):.4g}: if you scale inputs inside the model, scale outputs back "
        "(e.g. keras.layers.Rescaling(50) as the last layer)"
    ]
