"""Models compared by their answers on the hidden test split: agreement beyond chance.

This catches what weights cannot: a copy under another architecture's weights, or one distilled
from another student's model. Every pair of the class is compared, whatever the architectures.

- **Classifiers: the same mistakes.** K = the test examples that both models get wrong with the
  same wrong class. Its expectation E and variance V under independent mistakes come from an
  answer-copying index as used for exams (in the spirit of Wollack's omega): model A errs on
  example i with the probability of a Rasch model fitted to the whole class (logit p = A's
  ability + the example's difficulty: hard examples are hard for everyone), and two mistakes
  there name the same class as often as the class's wrong answers there do. z = (K - E) / sqrt(V).
  With fewer than MIN_CLASS_MODELS classifiers no difficulty can be estimated: nothing is flagged
  (measured on real files: independent models share 50-84% of their mistakes, z up to 99
  against mere independence at their accuracies).
- **Everything else (values): predictions closer than the class's pairs.** delta = the RMS
  difference of the two models' predictions over the geometric mean of their RMS errors: how much
  the two differ from each other, in units of how much each differs from the truth (the targets'
  noise, which both models miss alike, does not enter). A copy sits near 0, independent models
  near their idiosyncrasies; a pair's robust z is of -log(delta) against every pair of the class
  (a ring of copies is a few pairs among many: the median does not move). Models that fit the
  targets exactly (the line problems: the right answer is unique) cannot be told apart and are
  left out; with fewer than MIN_CLASS_MODELS models there is nothing to measure against: both are
  said, not flagged.

Example:
    pairs, notes = compare_answers({"alice": answers_a, "bob": answers_b, ...})
    pairs[("alice", "bob")]["predictions"]     # {"same_errors": 41, "errors": [43, 45], "z": 12.0, ...}
"""

from itertools import combinations

import numpy as np

from grader.batch.similarity.fingerprint import Answers

MIN_CLASS_MODELS = 5
# Thresholds, measured (bench/similarity.py, bench/results/similarity.md). Classifiers:
# independent models trained from other seeds reach z 2.8 (sharing up to 85% of mistakes),
# re-saved and 1%-noise copies z 27 with 99.6% shared. Values: independent models, generated and
# real, keep delta >= 0.109 (z <= 3.8), re-saved and 1%-noise copies delta <= 0.042 (z >= 4.1).
SAME_ERRORS_Z = 10.0  # classifiers: z of the shared mistakes
SAME_ERRORS_SHARE = 0.9  # ...and at least this share of the fewer mistakes are the same
VALUES_Z = 3.0  # values: robust z of -log(delta) against the class's pairs
VALUES_DELTA = 0.05  # ...and the two models' predictions differ by at most this share of their errors
EXACT_FIT = 1e-4  # a model whose RMS error is under this share of the targets' spread fits them exactly
MIN_DELTA = 1e-6  # identical predictions: delta 0, counted as this (its logarithm must be finite)
MIN_SPREAD = 0.05  # floor of the robust spread: a class whose pairs are all alike does not make tiny gaps huge
MAD_TO_SD = 1.4826  # the MAD of a normal distribution times this is its standard deviation
DIFFICULTY_LIMIT = 8.0  # logits: an example every model gets right (or wrong) has no finite difficulty


def compare_answers(answers: dict[str, Answers]) -> tuple[dict[tuple[str, str], dict], list[str]]:
    """Prediction signals of every pair ({(a, b): {"predictions": {...}}}, a < b) and notes on the class."""
    names = sorted(answers)
    if len(names) < 2:
        return {}, []
    reference = answers[names[0]]
    same_split = [name for name in names if answers[name].kind == reference.kind
                  and np.array_equal(answers[name].truth, reference.truth)]
    notes = []
    if len(same_split) < len(names):
        notes.append(f"{len(names) - len(same_split)} models were graded on another hidden test split "
                     "(another TFCERT_SECRET?): their predictions are not compared")
    if len(same_split) < 2:
        return {}, notes
    if reference.kind == "classes":
        pairs, class_notes = _same_mistakes(same_split, answers)
        return pairs, notes + class_notes
    pairs, value_notes = _close_predictions(same_split, answers)
    return pairs, notes + value_notes


def _same_mistakes(names: list[str], answers: dict[str, Answers]) -> tuple[dict, list[str]]:
    """K, E, V and z of the shared wrong answers, for all pairs at once."""
    predicted = np.stack([answers[name].predicted for name in names])
    truth = answers[names[0]].truth
    wrong = predicted != truth
    errors = wrong.sum(axis=1)
    count, examples = predicted.shape
    classes = int(max(predicted.max(), truth.max())) + 1
    shared = np.zeros((count, count))
    gave_total = np.zeros((classes, examples))
    for wrong_class in range(classes):
        gave = (wrong & (predicted == wrong_class)).astype(np.float32)
        if gave.any():
            shared += gave @ gave.T
            gave_total[wrong_class] = gave.sum(axis=0)
    if count < MIN_CLASS_MODELS:
        return {}, [f"only {count} classifiers here: the agreement of their mistakes needs {MIN_CLASS_MODELS} or more "
                    "to estimate how hard each test example is, so it is not measured (independent models share "
                    "most of their mistakes: the hard examples are hard for everyone)"]
    wrong_anywhere = gave_total.sum(axis=0)
    # Given two mistakes on example i, the chance they name the same class: from the class's wrong answers there.
    alike = np.divide((gave_total ** 2).sum(axis=0), wrong_anywhere ** 2, out=np.ones(examples),
                      where=wrong_anywhere > 0)
    p_wrong = _error_probabilities(wrong)
    # Sums over the examples of c = p_a * p_b * alike (the chance of the same mistake) and of c * (1 - c).
    expected = (p_wrong * alike) @ p_wrong.T
    variance = expected - ((p_wrong ** 2) * alike ** 2) @ (p_wrong ** 2).T
    pairs = {}
    for a, b in combinations(range(count), 2):
        fewer = min(errors[a], errors[b])
        if fewer == 0:
            continue  # a model without mistakes shares none: nothing to compare
        z = (shared[a, b] - expected[a, b]) / np.sqrt(max(variance[a, b], 1e-9))
        share = shared[a, b] / fewer
        pairs[(names[a], names[b])] = {"predictions": {
            "similar": bool(z >= SAME_ERRORS_Z and share >= SAME_ERRORS_SHARE),
            "same_errors": int(shared[a, b]), "errors": [int(errors[a]), int(errors[b])],
            "expected": round(float(expected[a, b]), 1), "z": round(float(z), 1), "share": round(float(share), 3),
            "examples": examples}}
    return pairs, []


def _error_probabilities(wrong: np.ndarray, iterations: int = 30) -> np.ndarray:
    """P(model a errs on example i) under a Rasch model, logit p = ability_a + difficulty_i, fitted to the class.

    Independent models err more often together on hard examples; this is what chance is, here.
    """
    observed = wrong.astype(np.float64)
    rate_models = np.clip(observed.mean(axis=1), 1e-3, 1 - 1e-3)
    rate_examples = np.clip(observed.mean(axis=0), 1e-3, 1 - 1e-3)
    ability, difficulty = np.log(rate_models / (1 - rate_models)), np.log(rate_examples / (1 - rate_examples))
    for _ in range(iterations):  # alternating Newton steps on the two sets of parameters
        p = 1 / (1 + np.exp(-(ability[:, None] + difficulty[None, :])))
        ability += (observed - p).sum(axis=1) / np.maximum((p * (1 - p)).sum(axis=1), 1e-9)
        p = 1 / (1 + np.exp(-(ability[:, None] + difficulty[None, :])))
        difficulty = np.clip(difficulty + (observed - p).sum(axis=0) / np.maximum((p * (1 - p)).sum(axis=0), 1e-9),
                             -DIFFICULTY_LIMIT, DIFFICULTY_LIMIT)
    return 1 / (1 + np.exp(-(ability[:, None] + difficulty[None, :])))


def _close_predictions(names: list[str], answers: dict[str, Answers]) -> tuple[dict, list[str]]:
    """How much closer each pair's predictions are than the class's pairs: delta and a robust z."""
    values = np.stack([answers[name].predicted.astype(np.float64).ravel() for name in names])
    truth = answers[names[0]].truth.astype(np.float64).ravel()
    usable = np.all(np.isfinite(values), axis=1)
    notes = []
    if not usable.all():
        notes.append(f"{int((~usable).sum())} models predicted values that are not finite numbers: "
                     "their predictions are not compared")
    error = np.sqrt(np.mean((values - truth) ** 2, axis=1))
    exact = error <= EXACT_FIT * max(float(np.std(truth)), 1e-12)
    if (exact & usable).sum() >= 2:
        notes.append(f"{int((exact & usable).sum())} models fit the hidden targets exactly (the right answer is "
                     "unique here): their predictions cannot tell copies apart")
    keep = usable & ~exact
    names, values, error = [n for n, k in zip(names, keep, strict=True) if k], values[keep], error[keep]
    if len(names) < MIN_CLASS_MODELS:
        if len(names) >= 2:
            notes.append(f"only {len(names)} models predict values here: how close two models' predictions are "
                         f"needs {MIN_CLASS_MODELS} or more to be measured against the class, so it is not")
        return {}, notes
    squares = np.sum(values ** 2, axis=1)
    distance = np.sqrt(np.maximum(squares[:, None] + squares[None, :] - 2 * values @ values.T, 0) / values.shape[1])
    delta = np.maximum(distance / np.sqrt(np.outer(error, error)), MIN_DELTA)
    rows, columns = np.triu_indices(len(names), k=1)
    pair_deltas = delta[rows, columns]
    median = float(np.median(pair_deltas))
    scores = robust_z(-np.log(pair_deltas))  # closer than the class's pairs: positive
    pairs = {}
    for index, (a, b) in enumerate(zip(rows, columns, strict=True)):
        d, z = float(pair_deltas[index]), float(scores[index])
        pairs[(names[a], names[b])] = {"predictions": {
            "similar": bool(z >= VALUES_Z and d <= VALUES_DELTA), "delta": round(d, 4), "z": round(z, 1),
            "class_median": round(median, 3), "examples": int(values.shape[1])}}
    return pairs, notes


def robust_z(values: np.ndarray) -> np.ndarray:
    """How many robust standard deviations (median and MAD) each value lies above the median of all.

    The median and the MAD hardly move for a few copies among many independent pairs, which is
    why a copy stands out of its own class.
    """
    median = np.median(values)
    spread = max(MAD_TO_SD * float(np.median(np.abs(values - median))), MIN_SPREAD)
    return (values - median) / spread
