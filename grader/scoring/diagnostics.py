"""Why a score is low, in plain language: collapsed or constant predictions, scale, embeddings.

Each note comes in two forms: its full text, and the text to show before grades are published,
which quotes no value computed from the hidden test split (no metric, no share of the test
inputs, no statistic of the targets): Gradescope shows that one at once, the full one later.

Example:
    [note.text for note in diagnose(evaluation, spec)]     # ["predictions are constant (...)", ...]
    [note.public for note in diagnose(evaluation, spec)]   # ["predictions are constant: ...", ...]
"""

from dataclasses import dataclass

import numpy as np

from grader.data.line import probe_points
from grader.models.predict import fitted_inputs, predict
from grader.models.structure import iter_layers, takes_text
from grader.scoring.evaluate import accuracy, mean_squared_error, predicted_classes
from grader.scoring.points import points_for
from grader.spec import METRICS
from grader.spec.baselines import describe_baseline

PIXEL_PROBE_IMAGES = 256  # as many test images as one prediction batch: the same picture as all 10,000
PIXEL_GAP = 0.3  # accuracy gap between raw and divided pixels that says "trained on raw pixels"


@dataclass(frozen=True)
class Note:
    """One diagnostic: its full text, and the same without values from the hidden split (`public`)."""

    text: str
    hidden: str | None = None  # the public form, when `text` quotes values from the hidden split

    @property
    def public(self) -> str:
        return self.text if self.hidden is None else self.hidden


def diagnose(evaluation, spec, model=None, test=None, traces=None) -> list[Note]:
    """Plain-language reasons for a low or suspicious score, most important first.

    `model` and `test` (the hidden test Examples), when given, allow the checks that predict again;
    `traces` (a worker's TraceCache) lets them reuse the trace the grade's own prediction used.
    """
    notes = []
    predictions, targets = evaluation.predictions, evaluation.targets
    if evaluation.nonfinite_predictions:
        advice = ("so the score is 0; check for a diverged training run (lower the learning rate) "
                  "or unscaled inputs")
        notes.append(Note(f"{evaluation.nonfinite_predictions} predictions are NaN or infinite, {advice}",
                          f"some predictions are NaN or infinite, {advice}"))
        return notes
    if predictions.size > 1 and float(np.std(predictions)) < 1e-6 * (1 + float(np.std(targets))):
        advice = ("the model did not learn; train longer, lower the learning rate, or check that training "
                  "targets are right")
        notes.append(Note(f"predictions are constant ({predictions.flat[0]:.4g} for every input): {advice}",
                          f"predictions are constant (the same for every input): {advice}"))
    if spec.input.kind == "number" and test is not None:
        notes.extend(_line_notes(predictions, test, spec))
    elif spec.output.activation == "linear":
        notes.extend(_scale_notes(predictions, targets))
    else:
        notes.extend(_classification_notes(predictions, targets, spec, model))
    if spec.input.kind == "tokens" and model is not None:
        notes.extend(_embedding_notes(model, spec))
    if model is not None and test is not None:
        notes.extend(_pixel_scale_notes(evaluation, model, spec, test, traces))
    points = points_for(evaluation.metric_value, spec.metric)
    for name, value in evaluation.baseline_values.items():
        worse = value < evaluation.metric_value if spec.metric.lower_is_better else value > evaluation.metric_value
        if worse:
            label = describe_baseline(name, spec.metric.baselines[name])
            notes.append(Note(
                f"a rule of thumb scores better than your model: {label}, {spec.metric.label} {value:.4g} "
                f"(yours {evaluation.metric_value:.4g}); the model adds nothing over it yet",
                f"a rule of thumb scores better than your model: {label}; the model adds nothing over it yet"))
    for name, bound in spec.metric.also.items():
        value = evaluation.also_values[name]
        lower_is_better = METRICS[name][0] == "min"
        if not (value <= bound if lower_is_better else value >= bound):
            need = f"a pass also needs {METRICS[name][1]} {'<=' if lower_is_better else '>='} {bound:g}"
            notes.append(Note(f"{need}; yours is {value:.4g}", f"{need}; yours does not meet it"))
    if spec.metric.hint and points < spec.metric.pass_points:
        notes.append(Note(" ".join(spec.metric.hint.split())))
    if model is not None:
        notes.extend(_probe_notes(model, spec, traces))
    return notes


def _line_notes(predictions: np.ndarray, test, spec) -> list[Note]:
    """For a line task that misses the pass line: which line the model's answers follow instead."""
    if points_for(mean_squared_error(test.y, predictions), spec.metric) >= spec.metric.pass_points:
        return []
    x = test.x.reshape(-1).astype(np.float64)
    model_line = np.polyfit(x, predictions.reshape(-1), 1)
    true_line = np.polyfit(x, test.y.reshape(-1).astype(np.float64), 1)
    advice = "check the training data (x and y as the template gives them) and train longer"
    return [Note(
        f"over the tested range your model's answers follow y = {_line_text(model_line)}, the task's line is "
        f"y = {_line_text(true_line)}: {advice}",
        f"over the tested range your model's answers do not follow the task's line: {advice}")]


def _line_text(coefficients) -> str:
    slope, intercept = (float(f"{c:.4g}") + 0.0 for c in coefficients)  # + 0.0: no '-0'
    return f"{slope:g}x {'-' if intercept < 0 else '+'} {abs(intercept):g}"


def _probe_notes(model, spec, traces) -> list[Note]:
    """Predictions at the spec's probe points (outside the scored range): reported, never scored."""
    probe = probe_points(spec)
    if probe is None:
        return []
    x, y = probe
    predicted = predict(model, x[:, np.newaxis], traces).reshape(-1)
    shown = ", ".join(f"f({a:g}) = {p:.4g} (the line: {b:g})" for a, p, b in zip(x, predicted, y, strict=True))
    return [Note(f"not scored, outside the tested range: {shown}")]  # the spec's points, not the hidden split


def _scale_notes(predictions: np.ndarray, targets: np.ndarray) -> list[Note]:
    """Spot a regression model whose outputs live on another scale than the targets."""
    spread = float(np.std(targets)) or 1.0
    offset = abs(float(np.mean(predictions)) - float(np.mean(targets)))
    if offset <= 2 * spread:
        return []
    advice = ("if you scale inputs inside the model, scale outputs back (e.g. keras.layers.Rescaling(50) as the "
              "last layer)")
    return [Note(
        f"predictions average {float(np.mean(predictions)):.4g} but the true values average "
        f"{float(np.mean(targets)):.4g}: {advice}",
        f"your predictions are on another scale than the true values: {advice}")]


def _classification_notes(predictions: np.ndarray, targets: np.ndarray, spec, model) -> list[Note]:
    """Collapsed predictions, missing input scaling, un-normalized outputs, the weakest class."""
    notes = []
    names = spec.output.classes or tuple(str(i) for i in range(max(2, predictions.shape[-1])))
    predicted = predicted_classes(predictions)
    labels = targets.reshape(-1).astype(np.int64)
    counts = np.bincount(predicted, minlength=len(names))
    top = int(counts.argmax())
    top_share = counts[top] / len(predicted)
    largest_true_share = np.bincount(labels).max() / len(labels)
    if top_share > max(0.9, largest_true_share + 0.2):
        notes.append(Note(f"predictions collapse to one class: '{names[top]}' for {top_share:.0%} of the test inputs",
                          f"predictions collapse to one class: '{names[top]}'"))
        raw_pixels = spec.input.value_range is None or spec.input.value_range[1] > 1
        if spec.input.kind == "image" and raw_pixels and model is not None and not _has_input_scaling(model):
            low, high = spec.input.value_range or (0, 255)
            notes.append(Note(
                f"your model has no Rescaling layer, and {spec.id} feeds raw pixels {low:g}..{high:g}: a model "
                f"trained on 0..1 inputs sees values 255x too large; "
                f"add keras.layers.Rescaling(1/255) as its first layer"))
    if spec.output.activation == "softmax" and predictions.shape[-1] > 1:
        sums = predictions.sum(axis=-1)
        if np.abs(sums - 1).max() > 0.01 or predictions.min() < -1e-6:
            notes.append(Note("your outputs are not probabilities that sum to 1: end the model with "
                              "activation='softmax'"))
    per_class = [float(np.mean(predicted[labels == k] == k)) for k in range(len(names)) if np.any(labels == k)]
    if per_class and not notes and min(per_class) < 0.8:
        weakest = int(np.argmin(per_class))
        notes.append(Note(f"weakest class: '{names[weakest]}' ({per_class[weakest]:.0%} of its test inputs right)",
                          f"weakest class: '{names[weakest]}'"))
    return notes


def _pixel_scale_notes(evaluation, model, spec, test, traces) -> list[Note]:
    """A model plainly trained on raw pixels when the task feeds pixels / divide (e.g. 0..1).

    Measured on Fashion-MNIST: models trained on 0..255 and fed 0..1 fall to 0.15-0.17 accuracy
    while they score 0.75-0.81 on 0..255, so a gap above 0.3 on a few hundred test images says
    it plainly; real files trained on 0..1 score within 0.05 either way. (A model trained on 0..1
    and fed 0..255 cannot be told apart this way: ReLU networks barely change their answers.)
    """
    divide = spec.input.preprocessing.get("divide", 1) if spec.input.kind == "image" else 1
    if divide == 1:
        return []
    count = min(PIXEL_PROBE_IMAGES, len(test))
    fed = accuracy(test.y[:count], evaluation.predictions[:count])
    raw = accuracy(test.y[:count], predict(model, fitted_inputs(model, test.x[:count] * divide), traces))
    if raw - fed <= PIXEL_GAP:
        return []
    advice = (f"it was trained on raw pixels; divide the training images by {divide:g} (the template's images / "
              f"{divide:g}) and have no Rescaling layer")
    return [Note(
        f"your model scores {raw:.2f} on {count} test images fed raw pixels 0..{divide:g} but {fed:.2f} fed "
        f"pixels / {divide:g}, as {spec.id} feeds them: {advice}",
        f"your model scores far better on test images fed raw pixels 0..{divide:g} than fed pixels / {divide:g}, "
        f"as {spec.id} feeds them: {advice}")]


def _has_input_scaling(model) -> bool:
    """True when a Rescaling or Normalization layer appears anywhere in the model (nested too)."""
    return any(type(layer).__name__ in ("Rescaling", "Normalization") for layer in iter_layers(model))


def _embedding_notes(model, spec) -> list[Note]:
    """An Embedding sized for a bigger vocabulary hints at a tokenizer other than the task's."""
    vocab_size = spec.input.preprocessing["vocab_size"]
    return [Note(
        f"your Embedding '{layer.name}' has input_dim={layer.input_dim}, but {spec.id}'s vocabulary has "
        f"{vocab_size} ids: rows above {vocab_size - 1} are never used; if you tokenized with another "
        "vocabulary, your training ids differ from the grader's (use the task's vocabulary file)")
        for layer in iter_layers(model)
        if type(layer).__name__ == "Embedding" and layer.input_dim > vocab_size and not takes_text(model)
    ]
