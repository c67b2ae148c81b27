"""The baselines a spec may name in `metric.baselines`: their labels and parameters.

Declared here, in the spec language, so a spec is validated without the code that computes the
baselines (grader.scoring.baselines implements each name declared here; a test keeps the two
in step).

Example:
    check_baseline("moving_average", {"window": 7})   # None: valid
    describe_baseline("moving_average", {"window": 7}) # 'moving average of the last 7 values'
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class BaselineDeclaration:
    """How a baseline reads in a table, and the positive integer parameters it takes."""

    label: str  # a format string over the parameters
    params: tuple[str, ...] = ()


BASELINES = {
    "naive": BaselineDeclaration("repeat the last value (naive forecast)"),
    "moving_average": BaselineDeclaration("moving average of the last {window} values", ("window",)),
    "majority_class": BaselineDeclaration("always the most common class"),
    "bag_of_words": BaselineDeclaration("bag of words (logistic regression, order ignored)"),
    "train_mean": BaselineDeclaration("always the mean of the training targets"),
}


def check_baseline(name: str, params: dict) -> str | None:
    """None when `name` is a known baseline and `params` are exactly its parameters, else why not."""
    if name not in BASELINES:
        return f"unknown baseline (known: {', '.join(BASELINES)})"
    expected = set(BASELINES[name].params)
    if set(params) != expected:
        wanted = ", ".join(sorted(expected)) or "none"
        return f"takes the parameters {{{wanted}}}, got {{{', '.join(sorted(params)) or 'none'}}}"
    if not all(isinstance(value, int) and value >= 1 for value in params.values()):
        return "parameters must be positive integers"
    return None


def describe_baseline(name: str, params: dict) -> str:
    """A short human label, e.g. 'moving average of the last 7 values'."""
    return BASELINES[name].label.format(**params)
