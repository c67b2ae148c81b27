"""Simple forecasts reported beside a learner's score, so a score has something to compare to.

Each baseline maps the test inputs to predictions with the model's output shape.

Example:
    predict_baseline("moving_average", {"window": 7}, x)  # mean of the last 7 values per window
"""

import inspect

import numpy as np


def naive(x: np.ndarray) -> np.ndarray:
    """Tomorrow equals today: the last value of each window."""
    return x[:, -1, :]


def moving_average(x: np.ndarray, window: int) -> np.ndarray:
    """The mean of the last `window` values of each window."""
    if not 1 <= window <= x.shape[1]:
        raise ValueError(f"moving_average window {window} must be between 1 and {x.shape[1]}")
    return x[:, -window:, :].mean(axis=1)


BASELINES = {
    "naive": (naive, "naive forecast (previous value)"),
    "moving_average": (moving_average, "moving average of the last {window} values"),
}


def check_baseline(name: str, params: dict) -> str | None:
    """None when `name` is a known baseline and `params` are exactly its parameters, else why not."""
    if name not in BASELINES:
        return f"unknown baseline (known: {', '.join(BASELINES)})"
    expected = set(list(inspect.signature(BASELINES[name][0]).parameters)[1:])  # all but x
    if set(params) != expected:
        wanted = ", ".join(sorted(expected)) or "none"
        return f"takes the parameters {{{wanted}}}, got {{{', '.join(sorted(params)) or 'none'}}}"
    if not all(isinstance(value, int) and value >= 1 for value in params.values()):
        return "parameters must be positive integers"
    return None


def describe_baseline(name: str, params: dict) -> str:
    """A short human label, e.g. 'moving average of the last 7 values'."""
    return BASELINES[name][1].format(**params)


def predict_baseline(name: str, params: dict, x: np.ndarray) -> np.ndarray:
    """Predictions of baseline `name` with its spec params on inputs `x`."""
    function = BASELINES[name][0]
    return function(x, **params)
