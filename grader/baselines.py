"""Simple predictors reported beside a learner's score, so a score has something to compare to.

Each baseline maps the test examples to predictions shaped like a model's output.

Example:
    predict_baseline("moving_average", {"window": 7}, test, spec)  # mean of the last 7 values per window
"""

import inspect

import numpy as np

from grader.data.examples import Examples


def naive(examples: Examples, spec) -> np.ndarray:
    """Tomorrow equals today: the last value of each window."""
    return examples.x[:, -1, :]


def moving_average(examples: Examples, spec, window: int) -> np.ndarray:
    """The mean of the last `window` values of each window."""
    x = examples.x
    if not 1 <= window <= x.shape[1]:
        raise ValueError(f"moving_average window {window} must be between 1 and {x.shape[1]}")
    return x[:, -window:, :].mean(axis=1)


def majority_class(examples: Examples, spec) -> np.ndarray:
    """The best constant guess: always the most common test class, shaped like the model's output."""
    most_common = np.bincount(examples.y.reshape(-1).astype(np.int64)).argmax()
    width = spec.output.shape[-1]
    if width == 1:  # one sigmoid unit: the probability of class 1
        return np.full((len(examples), 1), float(most_common))
    return np.tile(np.eye(width)[most_common], (len(examples), 1))


BASELINES = {
    "naive": (naive, "naive forecast (previous value)"),
    "moving_average": (moving_average, "moving average of the last {window} values"),
    "majority_class": (majority_class, "always the most common class"),
}


def check_baseline(name: str, params: dict) -> str | None:
    """None when `name` is a known baseline and `params` are exactly its parameters, else why not."""
    if name not in BASELINES:
        return f"unknown baseline (known: {', '.join(BASELINES)})"
    expected = set(list(inspect.signature(BASELINES[name][0]).parameters)[2:])  # all but examples, spec
    if set(params) != expected:
        wanted = ", ".join(sorted(expected)) or "none"
        return f"takes the parameters {{{wanted}}}, got {{{', '.join(sorted(params)) or 'none'}}}"
    if not all(isinstance(value, int) and value >= 1 for value in params.values()):
        return "parameters must be positive integers"
    return None


def describe_baseline(name: str, params: dict) -> str:
    """A short human label, e.g. 'moving average of the last 7 values'."""
    return BASELINES[name][1].format(**params)


def predict_baseline(name: str, params: dict, examples: Examples, spec) -> np.ndarray:
    """Predictions of baseline `name` with its spec params on the test examples."""
    function = BASELINES[name][0]
    return function(examples, spec, **params)
