"""task4 starter: forecast tomorrow's value of a daily series with Conv1D + LSTM.

Fill in the TODOs, then grade your work:
    tfcert grade task4 my_task4.py        # trains solution_model() and scores it
    tfcert show task4                     # the whole contract and the points ladder

The contract (fixed by tasks/task4.yaml, read here so there is no second copy):
- input: windows of WINDOW_SIZE raw daily values, shape (None, WINDOW_SIZE, 1), float32.
  Values are NOT normalized. If you want scaled values, scale inside the model with
  keras.layers.Rescaling (Lambda layers are refused, as in the exam).
- output: shape (None, 1), the next day's value in raw units (undo any scaling at the end).
- the grader scores MAE on the year after the validation data; lower is better.
"""

import keras
import numpy as np
import tensorflow as tf

import grader

SPEC = grader.task("task4")
WINDOW_SIZE = SPEC.input.shape[0]  # do not change: the grader feeds windows of this size
BATCH_SIZE = 32


def windowed_dataset(series: np.ndarray, shuffle: bool) -> tf.data.Dataset:
    """Turn a 1-D series into batches of (window of WINDOW_SIZE values, next value)."""
    # TODO: tf.data.Dataset.from_tensor_slices(...).window(WINDOW_SIZE + 1, shift=1, drop_remainder=True),
    #       flat_map to tensors, map to (window[:-1], window[-1]), shuffle when asked, batch.
    #       Remember the model wants a trailing feature axis: shape (WINDOW_SIZE, 1).
    raise NotImplementedError("TODO: build the windowed dataset")


def solution_model() -> keras.Model:
    train = grader.load_data("task4", "train")   # 1-D float32 numpy array, 3 years of days
    valid = grader.load_data("task4", "valid")   # the following year
    # Validation windows need the WINDOW_SIZE days before the validation segment:
    valid_with_context = np.concatenate([train[-WINDOW_SIZE:], valid])

    model = keras.Sequential([
        keras.Input(shape=(WINDOW_SIZE, 1)),
        # TODO: scale the raw values (keras.layers.Rescaling), then Conv1D, one or two LSTM
        #       layers (only the last with return_sequences=False), Dense layers, a Dense(1)
        #       output, and scale back to raw units.
    ])
    # TODO: compile with a Huber loss and an optimizer whose learning rate you tuned;
    #       fit on windowed_dataset(train, shuffle=True) and validate on valid_with_context.
    return model


# The exam's template saved the model like this; the grader calls solution_model() itself.
if __name__ == "__main__":
    solution_model().save("task4.keras")
