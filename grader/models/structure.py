"""What a Keras model looks like from outside: its layers (nested too), its input kind, its shapes.

Plain attribute reads on a built model: nothing here imports TensorFlow.

Example:
    [type(layer).__name__ for layer in iter_layers(model)]   # ['Rescaling', 'Conv2D', ...]
    takes_text(model)                                        # True for a string input
    format_shape((None, 30, 1))                              # '(None, 30, 1)'
"""


def dtype_name(dtype) -> str:
    """'float32' for Keras 3's dtype strings and for TensorFlow's DType (what Keras 2 models carry) alike."""
    return getattr(dtype, "name", None) or str(dtype)


def takes_text(model) -> bool:
    """True when the model's input is raw strings (it tokenizes inside, e.g. TextVectorization)."""
    return dtype_name(model.inputs[0].dtype) == "string"


def iter_layers(model):
    """Every layer of a model, nested models' layers included."""
    for layer in getattr(model, "layers", []):
        yield layer
        yield from iter_layers(layer)


def format_shape(shape) -> str:
    """(None, 30, 1) -> '(None, 30, 1)'; a 1-tuple keeps no trailing comma."""
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
