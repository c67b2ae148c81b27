"""dicoding-c5-power starter: forecast the next 24 observations of 7 household-power variables.

Fill in the TODOs, then grade your work:
    tfcert data add dicoding-c5-power household_power_consumption.csv   # or household_power.zip
    tfcert grade dicoding-c5-power my_power.py                           # trains solution_model()

The template's contract (tasks/dicoding/dicoding-c5-power.yaml):
- grader.load_data gives the rows already normalized as the template's normalize_series did
  over the whole file: (value - min) / max per column (float32, 7 columns);
- the model reads (None, N_PAST, N_FEATURES): the past 24 observations of the 7 variables, and
  answers (None, N_FUTURE, N_FEATURES): the next 24 of ALL 7 (not only the first column);
- the score is MAE on the normalized values; Dicoding passes MAE < 0.1.
"""

import keras
import numpy as np

import grader

SPEC = grader.task("dicoding-c5-power")
N_PAST, N_FEATURES = SPEC.input.shape        # 24, 7
N_FUTURE = SPEC.output.shape[0]              # 24


def solution_model() -> keras.Model:
    rows = np.concatenate([grader.load_data("dicoding-c5-power", "train"),
                           grader.load_data("dicoding-c5-power", "valid")])   # (n, 7), normalized
    # TODO: windows of N_PAST + N_FUTURE rows with tf.data (window, flat_map, map): the first
    #       N_PAST rows in, the next N_FUTURE rows (all 7 columns) out.
    model = keras.Sequential([
        keras.Input(shape=(N_PAST, N_FEATURES)),
        # TODO: LSTM or Flatten + Dense layers
        # TODO: Dense(N_FUTURE * N_FEATURES), then keras.layers.Reshape((N_FUTURE, N_FEATURES))
    ])
    # TODO: compile (loss "mae") and fit on the windows.
    return model
