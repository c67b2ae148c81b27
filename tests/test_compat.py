"""Keras 2 files under Keras 3: the shims, the one-line refusals, `tfcert inspect`, and the real
exam-era files under ../shared/realworld-models."""

import hashlib
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

from grader.errors import SubmissionError
from grader.report.inspection import format_report
from grader.submission.compat import apply_shims, explain_load_error
from grader.submission.inspect import inspect_file
from grader.submission.load import load_model_file

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld-models"
MIN_REAL_LOAD_RATE = 0.90

# One tf_keras run writes one tiny model per failure class and its predictions, as TF 2.x saved them.
KERAS2_MODELS_SCRIPT = textwrap.dedent("""
    import os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np
    import tf_keras as k
    folder = sys.argv[1]
    k.utils.set_random_seed(0)
    windows = np.linspace(-1, 1, 60, dtype="float32").reshape(2, 30, 1)
    rows = np.array([[1, 2, 3], [10, 20, 30]], dtype="float32")
    normalization = k.layers.Normalization(axis=None, input_shape=(3,))
    normalization.adapt(np.arange(12, dtype="float32").reshape(4, 3))
    models = {
        "time_major": (k.Sequential([k.layers.LSTM(4, input_shape=(30, 1)), k.layers.Dense(1)]), windows),
        "bidirectional": (k.Sequential([k.layers.Bidirectional(k.layers.LSTM(4), input_shape=(30, 1)),
                                        k.layers.Dense(1)]), windows),
        "normalization": (k.Sequential([normalization, k.layers.Dense(1)]), rows),
    }
    for name, (model, x) in models.items():
        model.save(f"{folder}/{name}.h5")
        np.savez(f"{folder}/{name}.npz", x=x, y=model.predict(x, verbose=0))
""")


def _strip_modules(node) -> None:
    """Remove the `module`/`registered_name` keys that Keras 2.13+ added: Keras 2.4's form."""
    if isinstance(node, dict):
        node.pop("module", None)
        node.pop("registered_name", None)
        for value in node.values():
            _strip_modules(value)
    elif isinstance(node, list):
        for item in node:
            _strip_modules(item)


def _edit_config(path: Path, edit) -> None:
    with h5py.File(path, "r+") as h5:
        config = json.loads(h5.attrs["model_config"])
        edit(config)
        h5.attrs["model_config"] = json.dumps(config)


@pytest.fixture(scope="module")
def keras2_models(tmp_path_factory):
    """name -> (path, inputs, tf_keras predictions) for the three classes Keras 3 refuses unshimmed."""
    folder = tmp_path_factory.mktemp("keras2-classes")
    subprocess.run([sys.executable, "-c", KERAS2_MODELS_SCRIPT, str(folder)], check=True, capture_output=True)
    _edit_config(folder / "bidirectional.h5", _strip_modules)
    models = {}
    for name in ("time_major", "bidirectional", "normalization"):
        saved = np.load(folder / f"{name}.npz")
        models[name] = (folder / f"{name}.h5", saved["x"], saved["y"])
    return models


@pytest.mark.parametrize(
    "name, keras3_error, shims",
    [
        ("time_major", "Unrecognized keyword arguments passed to LSTM: {'time_major': False}", ["lstm_time_major"]),
        ("bidirectional", "Could not locate class 'LSTM'", ["lstm_time_major", "wrapped_layer_module"]),
        ("normalization", "Received saved weight with shape ()", ["normalization_scalar_stats"]),
    ],
)
def test_each_failure_class_loads_shimmed_and_predicts_as_keras2(keras, keras2_models, name, keras3_error, shims):
    path, x, keras2_predictions = keras2_models[name]
    with pytest.raises((TypeError, ValueError)) as refused:  # the fixture really is what Keras 3 refuses
        keras.saving.load_model(path, compile=False)
    assert keras3_error in str(refused.value)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    loaded = load_model_file(path, max_file_mb=200)
    assert loaded.shims == shims
    assert loaded.saved_by.startswith("Keras 2.")
    np.testing.assert_allclose(loaded.model.predict(x, verbose=0), keras2_predictions, atol=1e-5)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest  # the learner's file is untouched


def test_custom_wrapped_class_gets_no_module(keras):
    custom = {"class_name": "MyLSTM", "config": {"name": "mine"}}
    config = {"class_name": "Bidirectional", "config": {"name": "bi", "layer": custom}}
    fixed, applied = apply_shims(config)
    assert applied == [] and "module" not in fixed["config"]["layer"]


def test_time_major_true_is_refused_naming_the_layer_the_version_and_the_fix(keras2_models, tmp_path):
    path = tmp_path / "time_major_true.h5"
    shutil.copyfile(keras2_models["time_major"][0], path)
    _edit_config(path, lambda config: config["config"]["layers"][1]["config"].update(time_major=True))
    with pytest.raises(SubmissionError) as refused:
        load_model_file(path, max_file_mb=200)
    message = str(refused.value)
    assert "\n" not in message
    assert "layer 'lstm' (LSTM)" in message and "saved by Keras 2.21.0" in message
    assert "without time_major=True" in message and "model.save('model.keras') under Keras 3" in message


def test_unknown_class_is_explained_by_layer_name():
    config = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "Dense", "config": {"name": "dense"}},
        {"class_name": "Bidirectional",
         "config": {"name": "bi", "layer": {"class_name": "PeepholeLSTM", "config": {"name": "peep"}}}},
    ]}}
    error = TypeError("Could not locate class 'PeepholeLSTM'. Make sure custom classes are registered. "
                      "Full object config: {'class_name': 'PeepholeLSTM', 'config': {'name': 'peep'}}")
    message = explain_load_error(error, config, "Keras 2.4.0")
    assert message.startswith("Keras 3 cannot load layer 'peep' (PeepholeLSTM) of this model saved by Keras 2.4.0")
    assert "PeepholeLSTM is not a built-in Keras 3 class: replace layer 'peep'" in message


def test_inspect_names_version_shims_params_and_task_fits(keras2_models):
    path = keras2_models["bidirectional"][0]
    report = inspect_file(path)
    assert (report.saved_by, report.backend, report.model_class) == ("Keras 2.21.0", "tensorflow", "Sequential")
    assert report.loads and report.shims == ["lstm_time_major", "wrapped_layer_module"]
    assert report.params == 2 * 4 * (4 * (1 + 4 + 1)) + 9  # two LSTM(4) on one feature, Dense(8 -> 1)
    assert report.inputs == [(None, 30, 1)] and report.outputs == [(None, 1)]
    fits = {fit.task_id: fit for fit in report.tasks}
    assert fits["task4"].fits
    assert not fits["task1"].fits
    assert "your model takes (None, 30, 1); task1 feeds (None, 64, 64, 3)" in fits["task1"].reason
    text = format_report(report)
    assert "saved by Keras 2.21.0, tensorflow backend" in text
    assert "\n    LSTM" in text  # the wrapped layer, indented under Bidirectional
    assert "wrapped_layer_module: for Keras 2.0-2.12" in text and "parameters: 201" in text
    assert "\n  task4: task4 feeds (None, 30, 1) and expects (None, 1)" in text
    assert re.search(r"\n  \(None, 64, 64, 3\)\s+\(None, 5\)\s+task1\n", text)  # the others, by contract
    json.dumps(report.to_dict())


def test_inspect_sums_up_the_tasks_a_model_fits_none_of(keras, tmp_path, run_cli, monkeypatch):
    from grader.catalog import list_tasks

    path = tmp_path / "odd.keras"
    keras.Sequential([keras.Input((7,)), keras.layers.Dense(3)]).save(path)
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli("inspect", path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"tasks: fits none of the {len(list_tasks())}" in lines and "does not fit" not in result.stdout
    assert len(lines) < 30 and max(map(len, lines)) <= 80
    assert any(line.startswith("  (None, 30, 1) ") and "task4" in line for line in lines)  # what it would need


def test_inspect_reports_a_lambda_model_as_refused_without_loading_it(keras, tmp_path, monkeypatch):
    path = tmp_path / "lambda.keras"
    keras.Sequential([keras.Input((30, 1)), keras.layers.LSTM(4), keras.layers.Dense(1),
                      keras.layers.Lambda(lambda x: x * 400, name="times_400")]).save(path)

    def load_model(*args, **kwargs):
        raise AssertionError("inspect must not load a model with a Lambda layer")

    monkeypatch.setattr(keras.saving, "load_model", load_model)
    report = inspect_file(path)
    assert not report.loads and report.tasks == [] and report.params is None
    assert report.problem.startswith("layer 'times_400' is a Lambda layer")
    text = format_report(report)
    assert "Lambda" in text and "times_400" in text
    assert "loads in safe mode: no: layer 'times_400' is a Lambda layer" in text


def _loads(load) -> str:
    """'ok' or the first line of why not."""
    try:
        load()
    except Exception as exc:  # Keras raises ValueError, TypeError... ; ours SubmissionError
        return " ".join(str(exc).split())[:160]
    return "ok"


def test_real_exam_era_files_load(keras, record_property):
    if not REALWORLD.is_dir():
        pytest.skip(f"{REALWORLD} is absent: the real exam-era .h5 files are kept outside the repository")
    files = sorted(REALWORLD.rglob("*.h5"))
    outcomes = {}
    for path in files:
        plain = _loads(lambda path=path: keras.saving.load_model(path, compile=False))
        shimmed = _loads(lambda path=path: load_model_file(path, max_file_mb=200))
        outcomes[str(path.relative_to(REALWORLD))] = {"plain_keras3": plain, "tfcert": shimmed}
    before = sum(o["plain_keras3"] == "ok" for o in outcomes.values()) / len(files)
    after = sum(o["tfcert"] == "ok" for o in outcomes.values()) / len(files)
    for name, outcome in outcomes.items():
        print(f"{name}: plain Keras 3 {outcome['plain_keras3']} | tfcert {outcome['tfcert']}")
    print(f"load rate on {len(files)} files: plain Keras 3 {before:.0%}, tfcert {after:.0%}")
    record_property("realworld_load_rate_before", round(before, 3))
    record_property("realworld_load_rate_after", round(after, 3))
    record_property("realworld_outcomes", json.dumps(outcomes))
    assert after >= MIN_REAL_LOAD_RATE, f"only {after:.0%} of {len(files)} real files load: {outcomes}"
