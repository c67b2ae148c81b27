"""Check a model against a task's input/output contract before predicting anything.

Mismatches are reported in the learner's terms, e.g.
"your model takes (None, 20, 1); task4 feeds (None, 30, 1): windows of the 30 previous raw
daily values, float32".

Example:
    check_contract(model, spec)  # raises ContractError, or returns None
"""

from grader.errors import ContractError
from grader.models.structure import format_shape, iter_layers, takes_text

FLOAT_DTYPES = {"float16", "bfloat16", "float32", "float64"}


def _fits(model_shape, expected) -> bool:
    """True when the model accepts/produces `expected`; None in the model is a wildcard."""
    if len(model_shape) != len(expected):
        return False
    return all(m is None or m == e for m, e in zip(model_shape, expected, strict=True))


def _output_hint(model_out: tuple, expected_out: tuple, spec) -> str:
    """Name the likely mistake behind an output-shape mismatch."""
    classes = spec.output.classes
    if len(model_out) == len(expected_out) + 1:
        return " (does the last recurrent layer still have return_sequences=True?)"
    if classes and len(model_out) == 2:
        if model_out[-1] == 1 and len(classes) > 2:
            return (f" (one sigmoid unit is for two classes; {spec.id} has {len(classes)}: "
                    f"end with Dense({len(classes)}, activation='softmax'))")
        return f" ({len(classes)} classes: {', '.join(classes)})"
    return ""


def check_contract(model, spec) -> None:
    """Raise ContractError when the model's inputs or outputs do not fit the task."""
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
    elif not _fits(model_in, expected_in):
        raise ContractError(
            f"your model takes {format_shape(model_in)}; {spec.id} feeds {format_shape(expected_in)}: "
            f"{spec.input.description}"
        )
    in_dtype = str(model.inputs[0].dtype)
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
    if not _fits(model_out, expected_out) and not two_way_softmax and not sequence:
        hint = _output_hint(model_out, expected_out, spec)
        raise ContractError(
            f"your model outputs {format_shape(model_out)}; {spec.id} expects "
            f"{format_shape(expected_out)}: {spec.output.meaning}{hint}"
        )


def _check_embeddings(model, spec) -> None:
    """Token ids reach vocab_size - 1: an Embedding with a smaller input_dim would fail on them."""
    vocab_size = spec.input.preprocessing["vocab_size"]
    for layer in iter_layers(model):
        if type(layer).__name__ == "Embedding" and layer.input_dim < vocab_size:
            raise ContractError(
                f"your Embedding '{layer.name}' has input_dim={layer.input_dim}, but {spec.id} feeds token ids "
                f"up to {vocab_size - 1} (vocab_size {vocab_size}): use Embedding({vocab_size}, ...)"
            )
