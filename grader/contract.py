"""Check a model against a task's input/output contract before predicting anything.

Mismatches are reported in the learner's terms, e.g.
"your model takes (None, 20, 1); task4 feeds (None, 30, 1): windows of the 30 previous raw
daily values, float32".

Example:
    check_contract(model, spec)  # raises ContractError, or returns None
"""

from grader.errors import ContractError

FLOAT_DTYPES = {"float16", "bfloat16", "float32", "float64"}


def format_shape(shape) -> str:
    """(None, 30, 1) -> '(None, 30, 1)'; a 1-tuple keeps no trailing comma."""
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _fits(model_shape, expected) -> bool:
    """True when the model accepts/produces `expected`; None in the model is a wildcard."""
    if len(model_shape) != len(expected):
        return False
    return all(m is None or m == e for m, e in zip(model_shape, expected))


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
        model.inputs, model.outputs
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
    if not _fits(model_in, expected_in):
        raise ContractError(
            f"your model takes {format_shape(model_in)}; {spec.id} feeds {format_shape(expected_in)}: "
            f"{spec.input.description}"
        )
    in_dtype = str(model.inputs[0].dtype)
    if spec.input.dtype == "float32" and in_dtype not in FLOAT_DTYPES:
        raise ContractError(
            f"your model's input is {in_dtype}; {spec.id} feeds float32 values: {spec.input.description}"
        )
    if len(model.outputs) != 1:
        raise ContractError(
            f"your model has {len(model.outputs)} outputs; {spec.id} expects one: {spec.output.meaning}"
        )
    model_out = tuple(model.outputs[0].shape)
    if not _fits(model_out, expected_out):
        hint = _output_hint(model_out, expected_out, spec)
        raise ContractError(
            f"your model outputs {format_shape(model_out)}; {spec.id} expects "
            f"{format_shape(expected_out)}: {spec.output.meaning}{hint}"
        )
