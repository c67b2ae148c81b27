"""Exam-parity time-series tasks on the real data: sunspots, melbourne-temps and Dicoding's A5/B5/C5.

The references train in train mode on the real series (from ../shared/data, registered as a
learner would with `tfcert data add`) and must reach full marks. Skipped with a reason where
../shared/data is absent.
"""

import dataclasses

import numpy as np
import pytest

import grader
from grader.data import hidden_test_split
from grader.spec import PROJECT_ROOT

REFERENCES = ["sunspots", "melbourne-temps", "dicoding-a5", "dicoding-b5", "dicoding-c5"]


def last_value_model(keras):
    """A weight-free sequence-to-sequence model: each step's forecast is that step's input."""
    return keras.Sequential([keras.Input((None, 1)), keras.layers.Identity()])


@pytest.mark.parametrize("task_id", REFERENCES)
def test_reference_solution_reaches_full_marks_on_the_real_series(task_id, real_data_env, train_once):
    kept, seconds = train_once(PROJECT_ROOT / grader.task(task_id).solution)
    result = grader.grade(task_id, kept)
    assert result.points == 5 and result.passed, f"{task_id}: {result.metric_label} {result.value}"
    assert all(baseline.value > result.value for baseline in result.baselines)


def test_normalized_inputs_are_scored_on_the_raw_scale(real_data_env, keras):
    """sunspots feeds value / 398.2 and scores raw MAE: the last step of a sequence model counts."""
    spec = grader.task("sunspots")
    test = hidden_test_split(spec)
    assert test.x.max() <= 1.0 and test.y.max() > 50  # inputs normalized, targets raw
    result = grader.grade("sunspots", last_value_model(keras))
    naive = next(b for b in result.baselines if b.name == "naive")
    assert result.value == pytest.approx(naive.value, rel=1e-5)  # the last step is the naive forecast
    assert result.value == pytest.approx(16.136, abs=0.01)
    assert result.points == 0 and not result.passed


def test_normalized_metric_units(real_data_env, keras):
    """Dicoding's thresholds are on the normalized series: the same forecast scores 0.0373, not 14.8."""
    result = grader.grade("dicoding-a5", last_value_model(keras))
    assert result.value == pytest.approx(14.838 / 398.2, abs=1e-4)
    assert result.passed  # Dicoding's line (MAE < 0.15) is lenient: the naive forecast passes it


def test_a_pass_needs_every_condition_of_metric_also(real_data_env, keras):
    """melbourne-temps passes at MAE <= 2 AND MSE <= 6: meeting the ladder alone is not enough."""
    spec = grader.task("melbourne-temps")
    lenient = dataclasses.replace(spec, metric=dataclasses.replace(spec.metric, ladder={5: 1.85, 4: 1.92, 3: 2.05}))
    result = grader.grade(lenient, last_value_model(keras))  # naive: MAE 2.011, MSE 6.68
    assert result.points == 3 and not result.passed
    (requirement,) = result.requirements
    assert (requirement.metric, requirement.bound, requirement.met) == ("mse", 6.0, False)
    assert requirement.value == pytest.approx(6.678, abs=0.01)
    assert any("a pass also needs MSE <= 6" in note for note in result.diagnostics)
    assert "and a pass needs MSE <= 6 (yours 6.6" in str(result) and "NOT met" in str(result)


def test_sequence_outputs_only_where_the_spec_allows_them(real_data_env, keras, run_cli, tmp_path):
    """task4 keeps refusing a return_sequences model; sunspots takes it (as the exam template trains)."""
    path = tmp_path / "seq.keras"
    last_value_model(keras).save(path)
    refused = run_cli("grade", "task4", path)
    assert refused.exit_code == 2 and "return_sequences=True" in refused.stderr
    accepted = run_cli("grade", "sunspots", path, "--json")
    assert accepted.exit_code == 0, accepted.stderr
    assert '"test_examples": 235' in accepted.stdout


def test_windows_are_cut_from_the_real_file_in_order(real_data_env, shared_data):
    from grader.data.readers import read_series

    spec = grader.task("melbourne-temps")
    raw = read_series(shared_data / "daily-min-temperatures" / "daily-min-temperatures.csv", 1)
    test = hidden_test_split(spec)
    assert test.x.shape == (1150, 64, 1)
    np.testing.assert_array_equal(test.x[0, :, 0], raw[2436:2500])
    np.testing.assert_array_equal(test.y[:, 0], raw[2500:3650])
