"""Shared by the batch benches: a class of untrained model files for a task, as students save them.

Each file is built in a fresh Keras session (`clear_session` first), as each student saves from
their own process, so the layer names match the ones a real class's files carry. `varied=True`
gives every student another architecture (other layer widths): nothing is shared between files.

Example:
    make_class("task4", Path("subs"), 40)          # subs/student000.keras ... student039.keras
"""

from pathlib import Path


def _task4(keras, width: int):
    """The reference solution's Conv1D + LSTM forecaster; `width` is its first LSTM's units."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input((30, 1)), layers.Rescaling(1 / 50),
        layers.Conv1D(32, 5, padding="causal", activation="relu"),
        layers.LSTM(width, return_sequences=True), layers.LSTM(32),
        layers.Dense(16, activation="relu"), layers.Dense(1), layers.Rescaling(50),
    ])


def _sarcasm(keras, width: int):
    """The exam template's headline classifier: Embedding(1000, 16), pooling, Dense(width), sigmoid."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input((120,), dtype="int32"), layers.Embedding(1000, 16), layers.GlobalAveragePooling1D(),
        layers.Dense(width, activation="relu"), layers.Dense(1, activation="sigmoid"),
    ])


def _task1(keras, width: int):
    """The reference solution's CNN with augmentation layers; `width` is its first Conv2D's filters."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input((64, 64, 3)), layers.Rescaling(1 / 255),
        layers.RandomFlip("horizontal_and_vertical"), layers.RandomRotation(0.09),
        layers.RandomZoom((-0.25, 0.25)), layers.RandomTranslation(0.14, 0.14),
        layers.Conv2D(width, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Flatten(), layers.Dense(64, activation="relu"), layers.Dense(5, activation="softmax"),
    ])


ARCHITECTURES = {"task4": (_task4, 64), "sarcasm": (_sarcasm, 24), "task1": (_task1, 32)}


def make_class(task: str, folder: Path, count: int, varied: bool = False) -> Path:
    """`count` distinct model files for `task` in `folder` (untrained: timing only, any score)."""
    from grader.models.runtime import import_keras

    keras = import_keras()
    build, width = ARCHITECTURES[task]
    folder.mkdir(parents=True)
    for index in range(count):
        keras.backend.clear_session(free_memory=False)
        keras.utils.set_random_seed(index)
        build(keras, width + index if varied else width).save(folder / f"student{index:03d}.keras")
    return folder
