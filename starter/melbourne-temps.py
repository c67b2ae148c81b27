"""melbourne-temps starter (the course's C4W4): forecast Melbourne's daily minimum temperature.

Fill in the TODOs, then grade your work:
    tfcert data fetch melbourne-temps             # once, online (or: tfcert data add melbourne-temps FILE)
    tfcert grade melbourne-temps my_temps.py      # trains solution_model() and scores it
    tfcert show melbourne-temps                   # the whole contract and the points ladder

The contract (tasks/exam/melbourne-temps.yaml, read here so there is no second copy):
- input: windows of WINDOW_SIZE raw daily minimum temperatures (degrees Celsius, NOT
  normalized), (None, WINDOW_SIZE, 1), float32. Scale inside the model with
  keras.layers.Rescaling if you want (no Lambda layers), and scale the output back;
- output: the next day's temperature in degrees, (None, 1). A sequence-to-sequence model,
  (None, None, 1) in and out, is accepted: its last step counts;
- the course passes MAE <= 2 AND MSE <= 6 on the days after its split at day 2500.
"""

import keras
import numpy as np
import tensorflow as tf

import grader

SPEC = grader.task("melbourne-temps")
WINDOW_SIZE = SPEC.input.shape[0]  # do not change: the grader feeds windows of 64 days
BATCH_SIZE = 256


def windowed_dataset(series: np.ndarray, shuffle: bool) -> tf.data.Dataset:
    """Batches of (window of WINDOW_SIZE values, next value) from a 1-D series."""
    # TODO: tf.data.Dataset.from_tensor_slices(...).window(WINDOW_SIZE + 1, shift=1, drop_remainder=True),
    #       flat_map to tensors, map to (window[:-1], window[-1]), shuffle when asked, batch.
    raise NotImplementedError("windowed_dataset")


def solution_model() -> keras.Model:
    train = grader.load_data("melbourne-temps", "train")   # days 0..2199, degrees Celsius
    valid = grader.load_data("melbourne-temps", "valid")   # days 2200..2499

    model = keras.Sequential([
        keras.Input(shape=(WINDOW_SIZE, 1)),
        # TODO: Rescaling, Conv1D(..., padding="causal"), LSTM layers, Dense(1), Rescaling back
    ])
    # TODO: compile (Huber loss, tune the learning rate) and fit on windowed_dataset(train, True),
    #       validating on windowed_dataset(valid, False).
    return model
