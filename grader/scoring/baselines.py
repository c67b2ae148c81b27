"""Simple predictors reported beside a learner's score, so a score has something to compare to.

Each baseline maps the test examples to predictions shaped like a model's output. The names,
labels and parameters a spec may use are declared in grader.spec.baselines.

Example:
    predict_baseline("moving_average", {"window": 7}, test, spec)  # mean of the last 7 values per window
"""

import numpy as np

from grader.data import Examples, learner_split, task_tokenizer
from grader.data.cache import cached_arrays


def naive(examples: Examples, spec) -> np.ndarray:
    """Tomorrow equals today: the last value of each window (of every variable, for every step ahead)."""
    return _over_horizon(examples.x[:, -1, :], examples)


def moving_average(examples: Examples, spec, window: int) -> np.ndarray:
    """The mean of the last `window` values of each window (for every step ahead)."""
    x = examples.x
    if not 1 <= window <= x.shape[1]:
        raise ValueError(f"moving_average window {window} must be between 1 and {x.shape[1]}")
    return _over_horizon(x[:, -window:, :].mean(axis=1), examples)


def _over_horizon(forecast: np.ndarray, examples: Examples) -> np.ndarray:
    """One (N, variables) forecast repeated for each step of multi-step targets (N, steps, variables)."""
    if examples.y.ndim == 3:
        return np.repeat(forecast[:, np.newaxis, :], examples.y.shape[1], axis=1)
    return forecast


def majority_class(examples: Examples, spec) -> np.ndarray:
    """The best constant guess: always the most common test class, shaped like the model's output."""
    most_common = np.bincount(examples.y.reshape(-1).astype(np.int64)).argmax()
    width = spec.output.shape[-1]
    if width == 1:  # one sigmoid unit: the probability of class 1
        return np.full((len(examples), 1), float(most_common))
    return np.tile(np.eye(width)[most_common], (len(examples), 1))


def train_mean(examples: Examples, spec) -> np.ndarray:
    """The best constant guess a learner can know: the mean of the training split's targets (e.g. Y)."""
    _, targets = learner_split(spec, "train")
    return np.full(examples.y.shape, float(np.mean(targets)))


def bag_of_words(examples: Examples, spec) -> np.ndarray:
    """Logistic regression on which vocabulary words a text contains (order ignored).

    Fitted on the learner's training split once and cached; it shows what a model that ignores
    word order (e.g. Embedding + GlobalAveragePooling1D) can reach.
    """
    vocab_size = spec.input.preprocessing["vocab_size"]
    classes = max(2, spec.output.shape[-1])

    def fit() -> dict[str, np.ndarray]:
        texts, labels = learner_split(spec, "train")
        return _fit_softmax_regression(_word_presence(task_tokenizer(spec).encode(texts), vocab_size), labels, classes)

    model = cached_arrays(("bag_of_words", spec.id, spec.dataset, spec.input), fit)
    logits = _word_presence(examples.x, vocab_size) @ model["weights"] + model["bias"]
    probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return probabilities[:, 1:] if spec.output.shape[-1] == 1 else probabilities


def _word_presence(ids: np.ndarray, vocab_size: int) -> np.ndarray:
    """(n, vocab_size) 0/1 float32: which ids occur in each row (padding id 0 excluded)."""
    presence = np.zeros((len(ids), vocab_size), dtype=np.float32)
    rows = np.repeat(np.arange(len(ids)), ids.shape[1])
    presence[rows, ids.reshape(-1)] = 1.0
    presence[:, 0] = 0.0
    return presence


def _fit_softmax_regression(features: np.ndarray, labels: np.ndarray, classes: int, steps: int = 300) -> dict:
    """Full-batch gradient descent on the cross-entropy; deterministic (zero start, fixed steps)."""
    weights = np.zeros((features.shape[1], classes), dtype=np.float32)
    bias = np.zeros(classes, dtype=np.float32)
    targets = np.eye(classes, dtype=np.float32)[labels]
    for _ in range(steps):
        logits = features @ weights + bias
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        error = (probabilities - targets) / len(labels)
        weights -= 0.5 * features.T @ error
        bias -= 0.5 * error.sum(axis=0)
    return {"weights": weights, "bias": bias}


PREDICTORS = {
    "naive": naive,
    "moving_average": moving_average,
    "majority_class": majority_class,
    "bag_of_words": bag_of_words,
    "train_mean": train_mean,
}


def predict_baseline(name: str, params: dict, examples: Examples, spec) -> np.ndarray:
    """Predictions of baseline `name` with its spec params on the test examples."""
    return PREDICTORS[name](examples, spec, **params)
