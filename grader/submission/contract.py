"""Check a model against a task's input/output contract before predicting anything.

Mismatches are reported in the learner's terms, e.g.
"your model takes (None, 20, 1); task4 feeds (None, 30, 1): windows of the 30 previous raw
daily values, float32".

Two variants that carry the same information are accepted, with a note saying so (real
exam-era files show both): an input with a trailing axis of 1 more or less than the task feeds
((None, 28, 28, 1) for (None, 28, 28); (None, 30) for (None, 30, 1)): the grader reshapes the
same values; and, where the spec allows it (`output.shifted_outputs`), a softmax without the
spec's unused first class, whose unit k is read as class k + 1.

Example:
    check_contract(model, spec)  # raises ContractError, or returns the notes on accepted variants
"""

from grader.errors import ContractError
from grader.models.structure import dtype_name, format_shape, iter_layers, takes_text

FLOAT_DTYPES = {"float16", "bfloat16", "float32", "float64"}


def _fits(model_shape, expected) -> bool:
    """True when the model accepts/produces `expected`; None in the model is a wildcard."""
    if len(model_shape) != len(expected):
        return False
    return all(m is None or m == e for m, e in zip(model_shape, expected, strict=True))


def _trailing_axis_variant(model_shape, expected) -> bool:
    """True when the model takes the expected values with one trailing axis of 1 added or dropped."""
    if len(model_shape) == len(expected) + 1:
        return model_shape[-1] in (1, None) and _fits(model_shape[:-1], expected)
    if len(model_shape) + 1 == len(expected):
        return expected[-1] == 1 and _fits(model_shape, expected[:-1])
    return False


def _output_hint(model_out: tuple, expected_out: tuple, spec) -> str:
    """Name the likely mistake behind an output-shape mismatch."""
    classes = spec.output.classes
    hints = []
    if len(model_out) == len(expected_out) + 1:
        hints.append("does the last recurrent layer still have return_sequences=True?" if spec.input.kind == "window"
                     else "an axis too many: put Flatten() before the last Dense layer")
    if len(expected_out) == 3 and len(model_out) == 2 and model_out[-1] == expected_out[1]:
        steps, variables = expected_out[1], expected_out[-1]
        hints.append(f"{steps} values are one variable; {spec.id} needs all {variables}: end with "
                     f"Dense({steps} * {variables}) and Reshape(({steps}, {variables}))")
    if classes and len(model_out) >= 2 and model_out[-1] == 1 and len(classes) > 2:
        hints.append(f"one sigmoid unit is for two classes; {spec.id} has {len(classes)}: "
                     f"end with Dense({len(classes)}, activation='softmax')")
    elif classes and len(model_out) == 2:
        hints.append(f"{len(classes)} classes: {', '.join(classes)}")
    return f" ({'; '.join(hints)})" if hints else ""


def check_contract(model, spec) -> list[str]:
    """Raise ContractError when the model's inputs or outputs do not fit the task.

    Returns one note per accepted variant (see the module docstring); empty when the model takes
    and gives exactly the task's shapes.
    """
    notes = []
    expected_in = (None, *spec.input.shape)
    expected_out = (None, *spec.output.shape)
    try:
        model.inputs, model.outputs  # noqa: B018 (reading them raises for a model never built)
    except (AttributeError, ValueError):  # Keras raises these for a model that was never built
        raise ContractError(
            f"your model has no layers after its input, or was never built; {spec.id} needs a model "
            f"from keras.Input(shape={spec.input.shape}) to an output of shape {format_shape(expected_out)}"
        ) from None
    if len(model.inputs) != 1:
        raise ContractError(
            f"your model has {len(model.inputs)} inputs; {spec.id} feeds one: {spec.input.description}"
        )
    model_in = tuple(model.inputs[0].shape)
    if spec.input.kind == "tokens" and takes_text(model):
        if model_in not in ((None,), (None, 1)):
            raise ContractError(
                f"your model takes strings of shape {format_shape(model_in)}; {spec.id} feeds one headline "
                "per example: use keras.Input(shape=(1,), dtype='string') or shape=()"
            )
    elif _trailing_axis_variant(model_in, expected_in):
        notes.append(
            f"your model takes {format_shape(model_in)}; {spec.id} feeds {format_shape(expected_in)}: accepted here "
            f"(the same values, reshaped), but the exam's grader fed {format_shape(expected_in)} and may have refused "
            f"it: build the model from keras.Input(shape={spec.input.shape})"
        )
    elif not _fits(model_in, expected_in):
        raise ContractError(
            f"your model takes {format_shape(model_in)}; {spec.id} feeds {format_shape(expected_in)}: "
            f"{spec.input.description}"
        )
    in_dtype = dtype_name(model.inputs[0].dtype)
    if spec.input.dtype == "float32" and in_dtype not in FLOAT_DTYPES:
        raise ContractError(
            f"your model's input is {in_dtype}; {spec.id} feeds float32 values: {spec.input.description}"
        )
    if spec.input.kind == "tokens" and not takes_text(model):
        _check_embeddings(model, spec)
    if len(model.outputs) != 1:
        raise ContractError(
            f"your model has {len(model.outputs)} outputs; {spec.id} expects one: {spec.output.meaning}"
        )
    model_out = tuple(model.outputs[0].shape)
    # Two softmax units are a common, equally valid way to answer a two-class question.
    two_way_softmax = spec.output.activation == "sigmoid" and model_out[1:] == (2,)
    # (None, T, 1) from a sequence-to-sequence forecaster: scored on its last step where the spec allows.
    sequence = spec.output.sequence_outputs and len(model_out) == 3 and _fits(model_out[2:], expected_out[1:])
    classes = spec.output.classes or ()
    shifted = spec.output.shifted_outputs and model_out == (None, len(classes) - 1)
    if shifted:
        notes.append(
            f"your model outputs {format_shape(model_out)}; {spec.id} expects {format_shape(expected_out)} with the "
            f"unused class '{classes[0]}' first: accepted here, your unit 0 read as '{classes[1]}', unit 1 as "
            f"'{classes[2]}' and so on (labels shifted down by one), but the exam's grader may have scored it otherwise"
        )
    elif not _fits(model_out, expected_out) and not two_way_softmax and not sequence:
        hint = _output_hint(model_out, expected_out, spec)
        raise ContractError(
            f"your model outputs {format_shape(model_out)}; {spec.id} expects "
            f"{format_shape(expected_out)}: {spec.output.meaning}{hint}"
        )
    return notes


def _check_embeddings(model, spec) -> None:
    """Token ids reach vocab_size - 1: an Embedding with a smaller input_dim would fail on them."""
    vocab_size = spec.input.preprocessing["vocab_size"]
    for layer in iter_layers(model):
        if type(layer).__name__ == "Embedding" and layer.input_dim < vocab_size:
            raise ContractError(
                f"your Embedding '{layer.name}' has input_dim={layer.input_dim}, but {spec.id} feeds token ids "
                f"up to {vocab_size - 1} (vocab_size {vocab_size}): use Embedding({vocab_size}, ...)"
            )
