"""Run a model on a split's inputs, deterministically: the same file always gets the same numbers.

The numbers are Keras' own `model.predict(x, batch_size=256)`, bit for bit (tests check every
kind of task input): the same `predict_step` on the same fixed batches, floating-point inputs
as float32 as Keras feeds them, a model that takes strings given the raw texts, and a model
that takes the task's values with a trailing axis of 1 more or less (accepted by the contract
check) given them reshaped. What differs is the cost: Keras traces a new tf.function for every
model, twice (the full batches, then the shorter last one), and feeds it through tf.data; here
one function with an open batch size is traced per model, and a long-lived worker passes a
`TraceCache` to reuse that trace for every later model of the same architecture.

Example:
    predictions = predict(model, model_inputs(model, test))   # float64 numpy
"""

import numpy as np

from grader.data.examples import Examples
from grader.errors import SubmissionError
from grader.models.structure import format_shape, takes_text
from grader.models.traces import TraceCache, trace_predict

PREDICT_BATCH_SIZE = 256


class ModelOutputError(SubmissionError):
    """The model's answers at run time cannot be scored (not numbers, or not one answer per input)."""


def predict(model, x, traces: TraceCache | None = None, batches=None) -> np.ndarray:
    """Model predictions as float64 numpy, in fixed-size batches through one traced function.

    `batches` (index arrays into `x`) feeds those examples together instead, and returns their
    answers in that order (a feeding plan's: grader.models.feeding). Raises ModelOutputError when
    a batch's answers are not numbers, or not one row per input.
    """
    if len(model.outputs) != 1:  # never graded (the contract wants one output): Keras' own way
        return np.asarray(model.predict(x, batch_size=PREDICT_BATCH_SIZE, verbose=0), dtype=np.float64)
    x = _as_keras_feeds(x)
    function = traces.function_for(model, x) if traces is not None else trace_predict(model, x)
    declared = tuple(model.outputs[0].shape[1:])
    if batches is None:  # in order: slices are views, nothing is copied
        parts = (x[start:start + PREDICT_BATCH_SIZE] for start in range(0, len(x), PREDICT_BATCH_SIZE))
    else:  # gathered one batch at a time: never a reordered copy of the whole split
        parts = (_gathered(x, indices) for indices in batches)
    outputs = [checked_outputs(function(part), len(part), declared) for part in parts]
    return np.concatenate(outputs).astype(np.float64)


def _gathered(x, indices: np.ndarray):
    """The rows `indices` of `x`, a numpy array (memory-mapped too) or a tensor of texts."""
    if isinstance(x, np.ndarray):
        return x[indices]
    import tensorflow as tf

    return tf.gather(x, indices)


def checked_outputs(outputs, rows: int, declared: tuple) -> np.ndarray:
    """One batch's answers as numpy, refused unless they are numbers shaped (rows, *declared)."""
    array = np.asarray(outputs)
    if array.dtype.kind not in "biuf":
        kind = "text" if array.dtype.kind in "OSU" else f"{array.dtype} values"
        raise ModelOutputError(f"your model answers with {kind}, not numbers; its last layer must output "
                               "numbers (e.g. Dense with a linear, sigmoid or softmax activation)")
    if array.ndim == 0 or array.shape[0] != rows:
        got = "a single value" if array.ndim == 0 else f"{array.shape[0]} rows"
        raise ModelOutputError(f"your model returned {got} for a batch of {rows} inputs: it must answer each "
                               "input once (no operation may add or drop rows along the batch axis)")
    if len(declared) != array.ndim - 1 or any(
            size is not None and size != got for size, got in zip(declared, array.shape[1:], strict=False)):
        raise ModelOutputError(f"your model declares outputs {format_shape((None, *declared))} but returned "
                               f"{format_shape(array.shape)} for {rows} inputs; return what it declares")
    return array


def _as_keras_feeds(x):
    """Floating-point arrays as floatx (float32), as Keras' array adapter feeds them; other dtypes unchanged."""
    if isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating):
        from grader.models.runtime import import_keras

        floatx = import_keras().config.floatx()
        return x if x.dtype == floatx else x.astype(floatx)
    return x


def model_inputs(model, examples: Examples):
    """What to feed: the raw texts for a model that takes strings, else the prepared inputs."""
    if examples.text is not None and takes_text(model):
        import tensorflow as tf  # Keras' numpy adapter refuses string arrays; a tf.string tensor works

        return tf.constant(examples.text.astype(str).reshape((-1, *model.inputs[0].shape[1:])))
    return fitted_inputs(model, examples.x)


def fitted_inputs(model, x: np.ndarray) -> np.ndarray:
    """`x` with a trailing axis of 1 added or dropped when the model's input has one more or one less."""
    rank = len(model.inputs[0].shape)
    if rank == x.ndim + 1:
        return x[..., np.newaxis]
    if rank == x.ndim - 1 and x.shape[-1] == 1:
        return x[..., 0]
    return x
