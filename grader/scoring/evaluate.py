"""Score a model's predictions of the hidden test split: the task's metric and its baselines.

Example:
    predictions = predict(model, model_inputs(model, test))       # grader.models.predict
    evaluate_predictions(predictions, spec, test).metric_value    # e.g. 2.81 (MAE)
"""

from dataclasses import dataclass

import numpy as np

from grader.data import Examples
from grader.models.predict import ModelOutputError
from grader.scoring.baselines import predict_baseline


def mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.abs(y_true.astype(np.float64) - y_pred)))


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean((y_true.astype(np.float64) - y_pred) ** 2))


def predicted_classes(predictions: np.ndarray) -> np.ndarray:
    """Class ids from a classifier's outputs: one sigmoid unit thresholds at 0.5, else argmax."""
    if predictions.shape[-1] == 1:
        return (predictions[..., 0] >= 0.5).astype(np.int64)
    return np.argmax(predictions, axis=-1)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    predicted = predicted_classes(y_pred)
    return float(np.mean(predicted == y_true.reshape(predicted.shape)))


METRIC_FUNCTIONS = {"mae": mean_absolute_error, "mse": mean_squared_error, "accuracy": accuracy}


@dataclass(frozen=True)
class Evaluation:
    """What the model did on the hidden test split."""

    metric_value: float  # NaN when any prediction is not finite
    nonfinite_predictions: int
    predictions: np.ndarray
    targets: np.ndarray
    baseline_values: dict[str, float]  # baseline name -> metric value on the same examples
    also_values: dict[str, float]  # metric.also's metrics (extra pass conditions) -> value


def scored_outputs(outputs: np.ndarray, test: Examples) -> np.ndarray:
    """Model outputs as the metric compares them: a sequence's last step, in the targets' units."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.ndim == 3 and test.y.ndim == 2:  # a sequence-to-sequence forecaster: its forecast is the last step
        outputs = outputs[:, -1, :]
    return test.to_target_units(outputs)


def _unshifted(outputs: np.ndarray, spec) -> np.ndarray:
    """A softmax without the spec's unused first class (output.shifted_outputs): put it back, at 0."""
    outputs = np.asarray(outputs, dtype=np.float64)
    classes = spec.output.classes or ()
    if spec.output.shifted_outputs and outputs.ndim == 2 and outputs.shape[1] == len(classes) - 1:
        return np.concatenate([np.zeros((len(outputs), 1)), outputs], axis=1)
    return outputs


def _fitting(predictions: np.ndarray, spec, test: Examples) -> np.ndarray:
    """The answers shaped as the metric compares them, or a refusal: what ran is not what was declared.

    The contract check reads the declared output shape, where None fits anything; these are the
    answers themselves: a forecast of the targets' shape, or one row of class scores per input.
    """
    rows = len(test.y)
    if spec.output.activation == "linear":
        expected = test.y.shape[1:]
        if predictions.shape[0] == rows and int(np.prod(predictions.shape[1:])) == int(np.prod(expected)):
            return predictions.reshape(test.y.shape)
    elif predictions.ndim == 2 and predictions.shape[0] == rows:
        return predictions
    expected = ("(N, " + ", ".join(map(str, test.y.shape[1:])) + ")") if spec.output.activation == "linear" \
        else "(N, classes)"
    raise ModelOutputError(f"your model answered with shape {predictions.shape} for {rows} inputs; "
                           f"{spec.id} scores answers of shape {expected}: {spec.output.meaning}")


def baseline_values(spec, test: Examples) -> dict[str, float]:
    """Every baseline of the spec scored on the test examples: the same for every submission of a task."""
    metric = METRIC_FUNCTIONS[spec.metric.name]
    return {
        name: metric(test.y, scored_outputs(predict_baseline(name, params, test, spec), test))
        for name, params in spec.metric.baselines.items()
    }


def evaluate_predictions(predictions: np.ndarray, spec, test: Examples,
                         baselines: dict[str, float] | None = None) -> Evaluation:
    """Score a model's predictions of the test examples, beside every baseline of the spec.

    `baselines` passes `baseline_values(spec, test)` computed earlier (a batch worker computes
    them once); they are computed here otherwise.
    """
    metric = METRIC_FUNCTIONS[spec.metric.name]
    predictions = _fitting(scored_outputs(_unshifted(predictions, spec), test), spec, test)
    nonfinite = int(np.size(predictions) - np.count_nonzero(np.isfinite(predictions)))
    value = float("nan") if nonfinite else metric(test.y, predictions)
    if baselines is None:
        baselines = baseline_values(spec, test)
    also = {name: float("nan") if nonfinite else METRIC_FUNCTIONS[name](test.y, predictions)
            for name in spec.metric.also}
    return Evaluation(value, nonfinite, predictions, test.y, dict(baselines), also)
