"""Reference solution for dicoding-c5-power: a dense multi-step, multivariate forecaster.

The template's windowed_dataset: windows of N_PAST + N_FUTURE rows, the first N_PAST observations
of the 7 variables in, the next N_FUTURE of the 7 out. Flatten + Dense + Reshape answers all 24 x 7
values at once. Not trained on the real data here: no copy of Dicoding's file is available offline
(the spec says so); tests run it on a generated file in the same format.
"""

import keras
import numpy as np
import tensorflow as tf

import grader

TASK = "dicoding-c5-power"
BATCH_SIZE = 32
EPOCHS = 5


def windowed_dataset(rows: np.ndarray, n_past: int, n_future: int) -> tf.data.Dataset:
    """(N_PAST x variables, N_FUTURE x variables) pairs, shuffled and batched, as the template builds them."""
    dataset = tf.data.Dataset.from_tensor_slices(rows).window(n_past + n_future, shift=1, drop_remainder=True)
    dataset = dataset.flat_map(lambda window: window.batch(n_past + n_future))
    dataset = dataset.map(lambda window: (window[:n_past], window[n_past:]))
    return dataset.shuffle(1000, seed=0).batch(BATCH_SIZE).prefetch(1)


def solution_model() -> keras.Model:
    keras.utils.set_random_seed(0)
    spec = grader.task(TASK)
    (n_past, variables), n_future = spec.input.shape, spec.output.shape[0]
    rows = np.concatenate([grader.load_data(TASK, "train"), grader.load_data(TASK, "valid")])  # normalized

    model = keras.Sequential([
        keras.Input(shape=(n_past, variables)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(n_future * variables),
        keras.layers.Reshape((n_future, variables)),
    ])
    model.compile(loss="mae", optimizer=keras.optimizers.Adam(1e-3))
    model.fit(windowed_dataset(rows, n_past, n_future), epochs=EPOCHS, verbose=2)
    return model
