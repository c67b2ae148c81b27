"""Shared by bench/similarity.py and tests/test_similarity.py: a class of small trained models
with copies of one of them, of every kind the similarity stage must flag.

Independent students: the same small architecture (and a wider variant) trained from other
seeds on the task's training split. Copies of student 0: re-saved as .h5, fine-tuned for 2 more
epochs, its weights perturbed by 1% noise, and distilled into another architecture (trained on
student 0's answers instead of the targets).

Example:
    folder, copies = make_class_with_copies("task3", Path("class"), independents=6)
    copies    # {"resaved": "student0", "finetuned": "student0", ...}: copy -> original
"""

from pathlib import Path

import numpy as np

WINDOW = 30
COPY_KINDS = ("resaved", "finetuned", "noise", "distilled")


def training_data(spec, limit: int):
    """(inputs, targets) of the task's training split, as the model takes them (task3 and task4)."""
    from grader.data.splits import learner_split, task_tokenizer

    if spec.id == "task4":
        series = np.asarray(learner_split(spec, "train"), dtype=np.float32)
        windows = np.lib.stride_tricks.sliding_window_view(series, WINDOW + 1)
        return windows[:, :WINDOW, None], windows[:, WINDOW:]
    texts, labels = learner_split(spec, "train")
    return task_tokenizer(spec).encode(texts[:limit]), labels[:limit].astype(np.float32)


def build(keras, task: str, width: int, other: bool = False):
    """A small model for task3 (pooled embeddings) or task4 (Conv1D + LSTM); `other`: another architecture."""
    layers = keras.layers
    if task == "task4":
        if other:
            return keras.Sequential([keras.Input((WINDOW, 1)), layers.Rescaling(1 / 50), layers.Flatten(),
                                     layers.Dense(width, activation="relu"), layers.Dense(1), layers.Rescaling(50)])
        return keras.Sequential([keras.Input((WINDOW, 1)), layers.Rescaling(1 / 50),
                                 layers.Conv1D(width, 5, padding="causal", activation="relu"), layers.LSTM(width),
                                 layers.Dense(1), layers.Rescaling(50)])
    if other:
        return keras.Sequential([keras.Input((24,), dtype="int32"), layers.Embedding(1000, 12),
                                 layers.Conv1D(width, 3, activation="relu"), layers.GlobalMaxPooling1D(),
                                 layers.Dense(1, activation="sigmoid")])
    return keras.Sequential([keras.Input((24,), dtype="int32"), layers.Embedding(1000, 16),
                             layers.Bidirectional(layers.LSTM(width)), layers.Dense(1, activation="sigmoid")])


def _fit(keras, model, task: str, x, y, epochs: int, seed: int):
    keras.utils.set_random_seed(seed)
    loss = "huber" if task == "task4" else "binary_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=loss)
    model.fit(x, y, epochs=epochs, batch_size=64, verbose=0, shuffle=True)
    return model


def make_class_with_copies(task: str, folder: Path, independents: int = 6, epochs: int = 3,
                           limit: int = 6000) -> tuple[Path, dict[str, str]]:
    """Write `independents` trained models and the copies of student0 into `folder`; return it and copy -> original."""
    from grader.catalog import load_task
    from grader.models.runtime import import_keras

    keras = import_keras()
    spec = load_task(task)
    x, y = training_data(spec, limit)
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(independents):
        keras.backend.clear_session(free_memory=False)
        keras.utils.set_random_seed(100 + index)
        width = 8 if index % 3 else 12  # two widths: most share one architecture, a few another
        _fit(keras, build(keras, task, width), task, x, y, epochs, seed=index).save(folder / f"student{index}.keras")
    original = keras.saving.load_model(folder / "student0.keras")
    original.save(folder / "resaved.h5")
    weights = original.get_weights()
    rng = np.random.default_rng(7)
    original.set_weights([w * (1 + 0.01 * rng.standard_normal(w.shape)).astype(np.float32) for w in weights])
    original.save(folder / "noise.keras")
    original.set_weights(weights)
    _fit(keras, original, task, x, y, 2, seed=99).save(folder / "finetuned.keras")
    teacher = keras.saving.load_model(folder / "student0.keras")
    answers = teacher.predict(x, batch_size=512, verbose=0)
    keras.utils.set_random_seed(55)
    student = build(keras, task, 16, other=True)
    _fit(keras, student, task, x, answers, epochs + 3, seed=55).save(folder / "distilled.keras")
    return folder, {kind: "student0" for kind in COPY_KINDS}
