"""sunspots starter (the exam's category 5): forecast the monthly sunspot number.

Fill in the TODOs, then grade your work:
    tfcert data fetch sunspots              # once, online (or: tfcert data add sunspots Sunspots.csv)
    tfcert grade sunspots my_sunspots.py    # trains solution_model() and scores it
    tfcert show sunspots                    # the whole contract and the points ladder

The contract (tasks/exam/sunspots.yaml, read here so there is no second copy), as the exam's
template stated it:
- normalize the series as the template did: series -= SUBTRACT (the minimum, 0), then
  series /= DIVIDE (the maximum, 398.2). The grader feeds the test windows normalized the same way;
- input: windows of WINDOW_SIZE normalized months, (None, WINDOW_SIZE, 1), float32;
- output: the next month's normalized value, (None, 1). A sequence-to-sequence model trained on
  (window[:-1], window[1:]) pairs, (None, None, 1) in and out, is accepted: its last step counts;
- the score is MAE on the raw series (your forecasts times 398.2) over the months after the
  exam's split at 3000. Full marks at MAE <= 15, the exam's line. No Lambda layers.
"""

import keras
import numpy as np
import tensorflow as tf

import grader

SPEC = grader.task("sunspots")
WINDOW_SIZE = SPEC.input.shape[0]                  # do not change: the grader feeds windows of 30
SUBTRACT = SPEC.input.preprocessing["subtract"]    # 0.0
DIVIDE = SPEC.input.preprocessing["divide"]        # 398.2
BATCH_SIZE = 32


def windowed_dataset(series: np.ndarray) -> tf.data.Dataset:
    """Batches of (window, target) pairs from a 1-D normalized series."""
    # TODO: tf.data.Dataset.from_tensor_slices(...).window(WINDOW_SIZE + 1, shift=1, drop_remainder=True),
    #       flat_map to tensors, map to (window[:-1], window[-1]) or (window[:-1], window[1:]),
    #       shuffle, batch. The model wants a trailing feature axis: (WINDOW_SIZE, 1).
    raise NotImplementedError("windowed_dataset")


def solution_model() -> keras.Model:
    train = grader.load_data("sunspots", "train")     # raw monthly values, months 0..2699
    valid = grader.load_data("sunspots", "valid")     # months 2700..2999
    normalized_train = (train - SUBTRACT) / DIVIDE
    normalized_valid = (valid - SUBTRACT) / DIVIDE

    model = keras.Sequential([
        keras.Input(shape=(WINDOW_SIZE, 1)),
        # TODO: Conv1D(..., padding="causal"), LSTM layers, Dense layers ending in Dense(1)
    ])
    # TODO: compile (MAE is the exam's metric; Huber or MAE losses work well) and fit on
    #       windowed_dataset(normalized_train), validating on windowed_dataset(normalized_valid).
    return model
