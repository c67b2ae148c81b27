"""Traced predict functions: one per model, or one per architecture for a worker grading many.

Tracing a tf.function for a new model costs far more than running a small model on a test
split. A batch worker grades many files that share an architecture (a class starts from the
same starter code), so `TraceCache` keeps the traced function of the last few architectures
and runs a later model of the same architecture through it, with that model's variable values
assigned to the traced model's variables. The graph is the one a fresh trace would build, so
the numbers are the same bit for bit (tests compare).

Example:
    traces = TraceCache()
    function = traces.function_for(model, x)      # traced once per architecture
    outputs = function(x[:256])
"""

import json
from collections import OrderedDict

# Layers whose whole state is their config and their variables (no lookup tables, no Python
# code, no hidden RNN state): two models with equal configs differ only in variable values.
STATE_IN_VARIABLES = tuple(f"keras.src.{package}" for package in (
    "models", "layers.core", "layers.convolutional", "layers.pooling", "layers.rnn", "layers.normalization",
    "layers.reshaping", "layers.activations", "layers.regularization", "layers.merging", "layers.attention",
    "layers.preprocessing.image_preprocessing", "layers.preprocessing.rescaling",
    "layers.preprocessing.normalization",
))
CODE_OR_STATE = ("Lambda",)  # in a package above, but carries Python code


def trace_predict(model, x):
    """A tf.function running `model.predict_step` on one batch shaped like `x`, of any batch size.

    `predict_step` is what Keras' own predict runs per batch; tracing it without autograph (as
    Keras does) and with an open batch size gives one trace for all batches.
    """
    import tensorflow as tf

    signature = tf.TensorSpec((None, *x.shape[1:]), x.dtype)
    function = tf.function(lambda batch: model.predict_step((batch,)), input_signature=[signature],
                           autograph=False)
    function.get_concrete_function()  # trace now: a model that cannot be traced fails here
    return function


class TraceCache:
    """The traced predict functions of the `size` architectures used most recently.

    The first model of an architecture is kept and traced; later models' variable values are
    assigned to it, so a caller must not use that model after later ones were predicted.
    """

    def __init__(self, size: int = 4):
        self.size = size
        self._entries: OrderedDict = OrderedDict()  # architecture key -> (traced model, function)
        self.reused = 0  # how many models ran through an earlier model's trace

    def function_for(self, model, x):
        """A traced predict function for `model` on inputs like `x`: reused when the architecture was seen."""
        key = architecture_key(model, x)
        if key is None:
            return trace_predict(model, x)
        entry = self._entries.get(key)
        if entry is not None and _assign_variables(entry[0], model):
            self._entries.move_to_end(key)
            self.reused += 1
            return entry[1]
        function = trace_predict(model, x)  # traced before it is kept: a failed trace is not cached
        self._entries[key] = (model, function)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return function


def architecture_key(model, x) -> str | None:
    """The model's full Keras config and the input signature, or None when a trace must not be shared."""
    from grader.models.runtime import import_keras

    if not all(_state_in_variables(layer) for layer in [model, *model._flatten_layers(include_self=False)]):
        return None
    try:
        config = json.dumps(import_keras().saving.serialize_keras_object(model), sort_keys=True)
    except (TypeError, ValueError):  # not plain JSON: no safe way to compare it
        return None
    return json.dumps([config, list(x.shape[1:]), str(x.dtype)])


def _state_in_variables(layer) -> bool:
    kind = type(layer)
    module = kind.__module__
    return (any(module == package or module.startswith(package + ".") for package in STATE_IN_VARIABLES)
            and kind.__name__ not in CODE_OR_STATE and not getattr(layer, "stateful", False))


def _assign_variables(traced, model) -> bool:
    """Give the traced model `model`'s variable values; False (nothing assigned) when they do not pair up."""
    old, new = traced.variables, model.variables
    if len(old) != len(new) or any(
        (a.path, tuple(a.shape), a.dtype) != (b.path, tuple(b.shape), b.dtype) for a, b in zip(old, new, strict=True)
    ):
        return False
    for a, b in zip(old, new, strict=True):
        a.assign(b.value)
    return True
