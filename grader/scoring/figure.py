"""The data behind the picture that explains a grade: a confusion matrix or forecast vs actual.

Plain lists, so it travels in JSON, the results database and reports alike.

Example:
    figure_data(evaluation, spec)
    # {"kind": "confusion", "classes": [...], "matrix": [[98, 2, ...], ...]}
    # {"kind": "forecast", "actual": [...], "forecast": [...]}
    # {"kind": "line", "x": [...], "actual": [...], "forecast": [...]}     (a line task: against x)
"""

import numpy as np

from grader.scoring.evaluate import predicted_classes

FORECAST_POINTS = 365  # one test year of a daily series: enough to see the fit, small to store


def figure_data(evaluation, spec, test=None) -> dict:
    """Confusion matrix for classifiers; for a line task (and its `test` examples) the answers against x;
    the first FORECAST_POINTS of forecast vs actual otherwise."""
    predictions, targets = evaluation.predictions, evaluation.targets
    if spec.input.kind == "number" and test is not None:
        x = np.asarray(test.x, dtype=np.float64).reshape(len(targets), -1)[:, 0]
        answers = np.nan_to_num(predictions.reshape(len(predictions), -1)[:, 0], nan=0.0, posinf=0.0, neginf=0.0)
        return {"kind": "line", "x": [round(float(v), 4) for v in x],
                "actual": [round(float(v), 4) for v in targets.reshape(len(targets), -1)[:, 0]],
                "forecast": [round(float(v), 4) for v in answers]}
    if spec.output.activation == "linear":
        # Multi-step or multivariate targets: the first variable's next step is the line drawn.
        count = min(len(targets), FORECAST_POINTS)
        targets = targets.reshape(len(targets), -1)
        forecast = np.nan_to_num(predictions.reshape(len(predictions), -1)[:count, 0], nan=0.0, posinf=0.0, neginf=0.0)
        return {
            "kind": "forecast",
            "actual": [round(float(v), 4) for v in targets[:count, 0]],
            "forecast": [round(float(v), 4) for v in forecast],
        }
    classes = list(spec.output.classes or ("0", "1"))
    predicted = predicted_classes(np.nan_to_num(predictions))
    labels = targets.reshape(-1).astype(np.int64)
    matrix = np.zeros((len(classes), len(classes)), dtype=np.int64)
    np.add.at(matrix, (labels, np.clip(predicted, 0, len(classes) - 1)), 1)
    return {"kind": "confusion", "classes": classes, "matrix": matrix.tolist()}
