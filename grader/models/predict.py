"""Run a model on a split's inputs, deterministically: the same file always gets the same numbers.

A fixed batch size on float32 inputs; a model that takes strings gets the raw texts, and a model
that takes the task's values with a trailing axis of 1 more or less (accepted by the contract
check) gets them reshaped.

Example:
    predictions = predict(model, model_inputs(model, test))   # float64 numpy
"""

import numpy as np

from grader.data.examples import Examples
from grader.models.structure import takes_text

PREDICT_BATCH_SIZE = 256


def predict(model, x) -> np.ndarray:
    """Model predictions as float64 numpy, in fixed-size batches."""
    return np.asarray(model.predict(x, batch_size=PREDICT_BATCH_SIZE, verbose=0), dtype=np.float64)


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
