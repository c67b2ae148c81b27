"""Warm grading gives cold grading's numbers, bit for bit: traced predictions and batch rows.

A batch worker predicts through one traced function per architecture and keeps a task's
baseline scores between files; none of that may change a number. Each input kind is checked:
windows (task4), token ids and raw strings (task3), images (task1), numbers on a line (linear,
whose diagnostics predict again at probe points), and a real-data series fed normalized with
sequence outputs (sunspots).
"""

import numpy as np
import pytest

import grader
from grader.batch.run import BatchOptions, run_batch
from grader.data import hidden_test_split
from grader.models.predict import PREDICT_BATCH_SIZE, model_inputs, predict
from grader.models.traces import TraceCache


def window_model(keras, seed, shape=(30, 1), sequences=False):
    keras.utils.set_random_seed(seed)
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape), layers.Rescaling(1 / 50), layers.Conv1D(8, 5, padding="causal", activation="relu"),
        layers.LSTM(16, return_sequences=True), layers.LSTM(8, return_sequences=sequences),
        layers.Dense(8, activation="relu"), layers.Dense(1), layers.Rescaling(50),
    ])


def tokens_model(keras, seed):
    keras.utils.set_random_seed(seed)
    layers = keras.layers
    return keras.Sequential([
        keras.Input((24,), dtype="int32"), layers.Embedding(1000, 8, mask_zero=True),
        layers.Bidirectional(layers.LSTM(8)), layers.Dense(8, activation="relu"), layers.Dense(1, activation="sigmoid"),
    ])


def strings_model(keras, seed, spec):
    """Raw headlines in, TextVectorization inside: its vocabulary is a lookup table, not a variable."""
    keras.utils.set_random_seed(seed)
    settings = spec.input.preprocessing
    text = keras.Input((1,), dtype="string")
    ids = keras.layers.TextVectorization(max_tokens=settings["vocab_size"], output_sequence_length=spec.input.shape[0],
                                         vocabulary=str(spec.project_path(settings["vocabulary"])))(text)
    return keras.Model(text, tokens_model(keras, seed)(ids))


def image_model(keras, seed):
    keras.utils.set_random_seed(seed)
    layers = keras.layers
    return keras.Sequential([
        keras.Input((64, 64, 3)), layers.Rescaling(1 / 255), layers.RandomFlip(), layers.RandomRotation(0.1),
        layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(), layers.Conv2D(8, 3, activation="relu"),
        layers.GlobalAveragePooling2D(), layers.Dense(5, activation="softmax"),
    ])


def line_model(keras, seed):
    """A line task's model: the diagnostics predict it again at the spec's probe points."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(4), keras.layers.Dense(1)])


def save_fresh(keras, path, build, *args):
    """Save `build(keras, *args)` as a student would, from a fresh Keras session (so two students' layer names match)."""
    keras.backend.clear_session(free_memory=False)
    build(keras, *args).save(path)
    return path


def keras_predict(model, x) -> np.ndarray:
    """Today's path before issue 19: Keras' own predict in fixed batches."""
    return np.asarray(model.predict(x, batch_size=PREDICT_BATCH_SIZE, verbose=0), dtype=np.float64)


KINDS = {
    "window": ("task4", lambda keras, seed, spec: window_model(keras, seed)),
    "token ids": ("task3", lambda keras, seed, spec: tokens_model(keras, seed)),
    "raw strings": ("task3", strings_model),
    "image": ("task1", lambda keras, seed, spec: image_model(keras, seed)),
    "sequence outputs": ("task4", lambda keras, seed, spec: window_model(keras, seed, (None, 1), sequences=True)),
    "line": ("linear", lambda keras, seed, spec: line_model(keras, seed)),
}


@pytest.mark.parametrize("kind", KINDS)
def test_traced_predictions_equal_keras_predict_bit_for_bit(kind, keras, tmp_path):
    task, build = KINDS[kind]
    spec = grader.task(task)
    test = hidden_test_split(spec)
    traces = TraceCache()
    for seed in (0, 1):  # the second model of the architecture runs through the first one's trace
        path = save_fresh(keras, tmp_path / f"{seed}.keras", build, seed, spec)
        model = keras.saving.load_model(path, compile=False)
        x = model_inputs(model, test)
        expected = keras_predict(model, x)
        assert np.array_equal(predict(model, x), expected)
        assert np.array_equal(predict(model, x, traces), expected)
        keras.backend.clear_session(free_memory=False)  # as a worker does between jobs
    assert traces.reused == (0 if kind == "raw strings" else 1)


def test_an_architecture_seen_before_with_other_weights_is_predicted_with_its_own(keras, tmp_path):
    spec = grader.task("task4")
    x = hidden_test_split(spec).x
    traces = TraceCache()
    first, second = (keras.saving.load_model(save_fresh(keras, tmp_path / f"{seed}.keras", window_model, seed),
                                             compile=False) for seed in (0, 1))
    from_first = predict(first, x, traces)
    from_second = predict(second, x, traces)  # `first` now holds the second's variable values
    assert traces.reused == 1
    assert np.array_equal(from_second, keras_predict(second, x))
    assert not np.array_equal(from_second, from_first)


def _comparable(result: dict) -> dict:
    return {name: value for name, value in result.items() if name != "submission"}


@pytest.mark.parametrize("task", ["task4", "task3", "task1", "linear"])
def test_batch_rows_equal_single_grades_bit_for_bit(task, keras, tmp_path, monkeypatch):
    monkeypatch.setenv("TFCERT_DATA_DIR", str(tmp_path / "data"))
    spec = grader.task(task)
    folder = tmp_path / "subs"
    folder.mkdir()
    kinds = [kind for kind, (kind_task, _) in KINDS.items() if kind_task == task and kind != "sequence outputs"]
    for kind in kinds:
        for seed in (0, 1):  # two files per architecture: the second reuses the worker's trace
            save_fresh(keras, folder / f"{kind.replace(' ', '_')}{seed}.keras", KINDS[kind][1], seed, spec)
    summary = run_batch(spec, folder, BatchOptions(out=tmp_path / "out", workers=1, formats=("csv",)))
    assert len(summary.rows) == 2 * len(kinds)
    for row in summary.rows:
        single = grader.grade(spec, folder / row.file)
        assert row.status == "graded" and row.value == single.value
        assert _comparable(row.result) == _comparable(single.to_dict())


def test_batch_rows_equal_single_grades_on_normalized_real_data(keras, tmp_path, monkeypatch, real_data_env):
    """sunspots feeds normalized windows and scores raw MAE from the last step of sequence outputs."""
    monkeypatch.setenv("TFCERT_DATA_DIR", str(tmp_path / "data"))
    spec = grader.task("sunspots")
    folder = tmp_path / "subs"
    folder.mkdir()
    for seed in (0, 1):
        save_fresh(keras, folder / f"s{seed}.keras", window_model, seed, (None, 1), True)
    summary = run_batch(spec, folder, BatchOptions(out=tmp_path / "out", workers=1, formats=("csv",)))
    for row in summary.rows:
        single = grader.grade(spec, folder / row.file)
        assert row.status == "graded" and _comparable(row.result) == _comparable(single.to_dict())
