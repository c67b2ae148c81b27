"""Starter for the Dicoding time-series problems: dicoding-a5, dicoding-b5 and dicoding-c5.

Set TASK, fill in the TODOs, then grade your work:
    tfcert grade dicoding-a5 my_forecaster.py     # trains solution_model() and scores it
    tfcert show dicoding-a5                       # the contract: window, normalization, threshold

The contract (tasks/dicoding/<task>.yaml), as Dicoding's templates state it:
- normalize the series as the template does: series -= SUBTRACT; series /= DIVIDE (the spec
  gives both; for A5 they are the series' min 0 and max 398.2);
- the model reads windows of WINDOW_SIZE normalized values, (None, WINDOW_SIZE, 1), and answers
  the next normalized value, (None, 1). A sequence-to-sequence model trained on
  (window[:-1], window[1:]) pairs, output (None, None, 1), is accepted: its last step is scored;
- the score is MAE on the normalized series after the template's split_time.
"""

import keras
import numpy as np

import grader

TASK = "dicoding-a5"  # or "dicoding-b5", "dicoding-c5"
SPEC = grader.task(TASK)
WINDOW_SIZE = SPEC.input.shape[0]
SUBTRACT = SPEC.input.preprocessing["subtract"]
DIVIDE = SPEC.input.preprocessing["divide"]


def solution_model() -> keras.Model:
    series = np.concatenate([grader.load_data(TASK, "train"), grader.load_data(TASK, "valid")])
    normalized = (series - SUBTRACT) / DIVIDE
    # TODO: turn `normalized` into (window, next value) pairs with tf.data (window, flat_map, map).
    model = keras.Sequential([
        keras.Input(shape=(WINDOW_SIZE, 1)),
        # TODO: layers (Dense, Conv1D, LSTM) ending in Dense(1)
    ])
    # TODO: compile (e.g. Huber loss, Adam) and fit on the windows.
    return model
