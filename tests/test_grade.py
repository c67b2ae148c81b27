"""Grading model files end to end: formats, contract checks, Lambda refusal, baselines, determinism."""

import json

import numpy as np
import pytest
from conftest import make_keras2_h5, naive_forecaster, single_error, small_forecaster

import grader
from grader.errors import ContractError, DataAccessError, SubmissionError


def grade_json(run_cli, *args):
    result = run_cli("grade", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_keras_and_keras3_h5_give_the_same_result(run_cli, model_files):
    from_keras = grade_json(run_cli, "task4", model_files["keras"])
    from_h5 = grade_json(run_cli, "task4", model_files["h5"])
    assert from_keras["mode"] == from_h5["mode"] == "file"
    assert from_keras["value"] == pytest.approx(from_h5["value"], abs=1e-5)
    assert from_keras["saved_by"].startswith("Keras 3.")
    assert from_keras["test_examples"] == 5 * 365


def test_keras2_legacy_h5_loads_through_the_time_major_shim(run_cli, keras2_h5, keras):
    import h5py

    with h5py.File(keras2_h5) as h5:  # the fixture really is what Keras 3 refuses unshimmed
        assert '"time_major": false' in h5.attrs["model_config"]
        assert h5.attrs["keras_version"].startswith("2.")
    with pytest.raises(ValueError, match="time_major"):
        keras.saving.load_model(keras2_h5, compile=False)
    result = grade_json(run_cli, "task4", keras2_h5)
    assert result["shims"] == ["lstm_time_major"]
    assert result["saved_by"].startswith("Keras 2.")
    assert result["value"] is not None and np.isfinite(result["value"])
    assert "lstm_time_major" in run_cli("grade", "task4", keras2_h5).stdout


def test_the_table_shows_metric_points_ladder_verdict_and_baselines(run_cli, model_files):
    result = run_cli("grade", "task4", model_files["keras"])
    assert result.exit_code == 0
    text = result.stdout
    assert "MAE" in text and "points" in text and "<- you" in text
    assert ("PASS" in text) != ("FAIL" in text)
    assert "repeat the last value (naive forecast)" in text
    assert "moving average of the last 7 values" in text


def test_same_file_graded_twice_gives_identical_results(run_cli, model_files):
    first = grade_json(run_cli, "task4", model_files["keras"])
    second = grade_json(run_cli, "task4", model_files["keras"])
    assert first == second


def test_baselines_score_at_most_one_point(task4, keras):
    result = grader.grade(task4, naive_forecaster(keras))  # the naive forecast as a real model
    naive = {b.name: b for b in result.baselines}["naive"]
    assert result.value == pytest.approx(naive.value, abs=1e-4)
    assert result.points <= 1
    assert all(baseline.points <= 1 for baseline in result.baselines)
    beaten = [note for note in result.diagnostics if note.startswith("a rule of thumb scores better")]
    assert beaten and "moving average of the last 7 values" in beaten[0]  # the baseline by its name, not its id
    assert not any("'moving_average'" in note or "'naive'" in note for note in result.diagnostics)


def test_reference_solution_reaches_full_marks(reference_model, run_cli, task4):
    path, _ = reference_model
    result = grade_json(run_cli, "task4", path)
    assert result["points"] == 5 and result["passed"]
    assert result["value"] <= task4.metric.ladder[5]


def test_json_equals_the_api_result(run_cli, model_files, task4):
    from_cli = grade_json(run_cli, "task4", model_files["keras"])
    from_api = grader.grade(task4, str(model_files["keras"])).to_dict()
    assert from_cli == from_api


@pytest.mark.parametrize(
    "build, words",
    [
        (lambda k: small_forecaster(k, window=20),
         "your model takes (None, 20, 1); task4 feeds (None, 30, 1): windows of the 30 previous raw daily values, float32"),
        (lambda k: small_forecaster(k, return_sequences=True),
         "your model outputs (None, 30, 1); task4 expects (None, 1)"),
        # (None, 30) itself is accepted with a note (tests/test_contract_variants.py); 31 values are not 30
        (lambda k: k.Sequential([k.Input((31,)), k.layers.Dense(1)]),
         "your model takes (None, 31); task4 feeds (None, 30, 1)"),
    ],
)
def test_contract_mismatch_is_reported_in_the_learners_terms(run_cli, keras, tmp_path, build, words):
    path = tmp_path / "mismatch.keras"
    build(keras).save(path)
    result = run_cli("grade", "task4", path)
    assert result.exit_code == 2
    assert words in single_error(result)
    assert result.stdout == ""


def test_return_sequences_hint(task4, keras):
    with pytest.raises(ContractError, match="return_sequences=True"):
        grader.grade(task4, small_forecaster(keras, return_sequences=True))


def test_lambda_layer_is_refused_with_the_fix(run_cli, keras, tmp_path):
    model = keras.Sequential([keras.Input((30, 1)), keras.layers.LSTM(4), keras.layers.Dense(1),
                              keras.layers.Lambda(lambda x: x * 400, name="times_400")])
    for suffix in (".keras", ".h5"):
        path = tmp_path / f"lambda{suffix}"
        model.save(path)
        result = run_cli("grade", "task4", path)
        assert result.exit_code == 2
        assert "layer 'times_400' is a Lambda layer" in single_error(result)
        assert "keras.layers.Rescaling(400)" in single_error(result)


def test_keras2_lambda_is_refused_without_running_it(run_cli, tmp_path):
    path = make_keras2_h5(tmp_path / "legacy_lambda.h5", "lambda")
    result = run_cli("grade", "task4", path)
    assert result.exit_code == 2
    assert "is a Lambda layer" in single_error(result)


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("empty.keras", b"", "the file is empty"),
        ("random.h5", bytes(range(256)) * 8, "not a valid HDF5 file"),
        ("notzip.keras", b"PK not really a zip" * 10, "not a valid .keras file"),
        ("model.pb", b"\x08\x01", "unsupported file type '.pb'"),
    ],
)
def test_malformed_files_exit_2_with_one_line(run_cli, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("grade", "task4", path)
    assert result.exit_code == 2
    assert words in single_error(result)


def test_weights_only_h5_and_directories_and_missing_files(run_cli, keras, tmp_path):
    weights = tmp_path / "only.weights.h5"
    small_forecaster(keras).save_weights(weights)
    assert "an HDF5 file with no model in it" in run_cli("grade", "task4", weights).stderr
    assert "is a directory" in run_cli("grade", "task4", tmp_path).stderr
    missing = run_cli("grade", "task4", tmp_path / "missing.keras")
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_parameter_limit(task4, keras, tmp_path):
    big = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(70_000), keras.layers.Dense(1)])
    with pytest.raises(SubmissionError, match=r"2,240,001 parameters, over the task's limit of 2,000,000"):
        grader.grade(task4, big)


def test_nan_predictions_score_zero_with_the_reason(task4, keras):
    model = small_forecaster(keras)
    weights = model.get_weights()
    weights[-1] = np.full_like(weights[-1], np.nan)
    model.set_weights(weights)
    result = grader.grade(task4, model)
    assert result.points == 0 and result.value is None and not result.passed
    assert "NaN or infinite" in result.diagnostics[0]


def test_hidden_test_split_is_not_handed_out(task4):
    with pytest.raises(DataAccessError, match="hidden"):
        grader.load_data("task4", "test")
    train = grader.load_data("task4", "train")
    valid = grader.load_data("task4", "valid")
    assert train.shape == (1096,) and valid.shape == (365,)


def test_secret_changes_the_test_data_but_not_the_learner_data(task4, monkeypatch):
    from grader.data import hidden_test_split

    default = hidden_test_split(task4)
    train_default = grader.load_data("task4", "train")
    monkeypatch.setenv("TFCERT_SECRET", "instructor-only")
    secret = hidden_test_split(task4)
    assert not np.array_equal(default.y, secret.y)
    assert np.array_equal(default.x[0], secret.x[0])  # the first window ends before the test days
    np.testing.assert_array_equal(train_default, grader.load_data("task4", "train"))


def test_in_memory_model_and_file_give_the_same_score(task4, keras, model_files):
    model = keras.saving.load_model(model_files["keras"], compile=False)
    assert grader.grade(task4, model).value == grader.grade(task4, str(model_files["keras"])).value


def test_savedmodel_directory_is_graded_in_a_sandboxed_child(run_cli, keras, tmp_path, model_files):
    model = keras.saving.load_model(model_files["keras"], compile=False)
    model.export(tmp_path / "exported", verbose=False)
    from_dir = grade_json(run_cli, "task4", tmp_path / "exported")
    from_file = grade_json(run_cli, "task4", model_files["keras"])
    assert from_dir["mode"] == "savedmodel"
    assert from_dir["value"] == pytest.approx(from_file["value"], abs=1e-4)
    assert from_dir["points"] == from_file["points"]

    small_forecaster(keras, window=20).export(tmp_path / "window20", verbose=False)
    mismatch = run_cli("grade", "task4", tmp_path / "window20")
    assert mismatch.exit_code == 2
    assert "serving signature does not take task4's input (None, 30, 1) float32" in single_error(mismatch)
    (tmp_path / "plain").mkdir()
    assert "not a SavedModel (no saved_model.pb)" in single_error(run_cli("grade", "task4", tmp_path / "plain"))
