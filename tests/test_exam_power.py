"""dicoding-c5-power on a generated file in the format of Dicoding's household_power_consumption.csv
(no faithful copy is available offline): the header and length checks that stand in for a checksum,
the template's per-column normalization, multivariate multi-step windows (N, 24, 7) -> (N, 24, 7)
cut by the same code as every series task, the metric and baselines on them, and the contract line
for the real files' (None, 24) outputs."""

import importlib.util

import numpy as np
import pytest
from conftest import single_error

import grader
from grader.data import hidden_test_split
from grader.errors import ContractError
from grader.spec import PROJECT_ROOT
from grader.submission.contract import check_contract

TASK = "dicoding-c5-power"
ROWS = 12000
COLUMNS = ["Global_active_power", "Global_reactive_power", "Voltage", "Global_intensity",
           "Sub_metering_1", "Sub_metering_2", "Sub_metering_3"]


def write_power_csv(path, rows=ROWS, header=("datetime", *COLUMNS)):
    """A seeded table shaped like the UCI data (daily cycles, Voltage around 240 V); returns the values."""
    rng = np.random.default_rng(0)
    minutes = np.arange(rows)
    daily = np.sin(2 * np.pi * minutes / 1440)[:, None]
    values = np.abs(rng.normal(1, 0.3, (rows, 7)) + daily * [1, 0.1, 0, 4, 1, 1, 5])
    values[:, 2] = 240 + 4 * daily[:, 0] + rng.normal(0, 1, rows)
    values = values.round(3).astype(np.float32)
    lines = [",".join(header)] + [
        f"2006-12-{16 + m // 1440:02d} {m // 60 % 24:02d}:{m % 60:02d}:00," + ",".join(f"{v:g}" for v in row)
        for m, row in zip(minutes, values, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return values


@pytest.fixture
def power_file(tmp_path, monkeypatch, run_cli):
    """A generated copy registered as a learner would (`tfcert data add`); returns its raw values."""
    monkeypatch.setenv("TFCERT_CACHE_DIR", str(tmp_path / "cache"))
    values = write_power_csv(tmp_path / "household_power_consumption.csv")
    added = run_cli("data", "add", TASK, tmp_path / "household_power_consumption.csv")
    assert added.exit_code == 0 and f"verified {ROWS:,} rows" in added.stdout, added.output
    return values


def test_rows_are_normalized_as_the_template_does_and_split_by_share(power_file):
    train, valid = grader.load_data(TASK, "train"), grader.load_data(TASK, "valid")
    assert train.shape == (5400, 7) and valid.shape == (600, 7) and train.dtype == np.float32
    low, high = power_file.min(axis=0), power_file.max(axis=0)
    np.testing.assert_allclose(train, (power_file[:5400] - low) / high, rtol=1e-5, atol=1e-6)  # (x - min) / max
    assert 0.02 < train[:, 2].max() < 0.12  # Voltage: not 0..1 under the template's formula


def test_hidden_windows_are_24_steps_of_7_variables_inside_the_test_rows(power_file):
    test = hidden_test_split(grader.task(TASK))
    assert test.x.shape == (6000 - 47, 24, 7) and test.y.shape == (6000 - 47, 24, 7)
    normalized = (power_file - power_file.min(axis=0)) / power_file.max(axis=0)
    np.testing.assert_allclose(test.x[0], normalized[6000:6024], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(test.y[0], normalized[6024:6048], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(test.y[-1], normalized[-24:], rtol=1e-5, atol=1e-6)


def test_a_repeat_the_last_observation_model_scores_as_the_naive_baseline(power_file, keras):
    model = keras.Sequential([keras.Input((24, 7)), keras.layers.Cropping1D((23, 0)), keras.layers.UpSampling1D(24)])
    result = grader.grade(TASK, model)
    test = hidden_test_split(grader.task(TASK))
    expected = np.mean(np.abs(test.y - test.x[:, -1:, :]))
    naive = next(b for b in result.baselines if b.name == "naive")
    assert result.value == pytest.approx(expected, rel=1e-5) and naive.value == pytest.approx(expected, rel=1e-5)
    assert result.figure["kind"] == "forecast" and len(result.figure["actual"]) == 365


def test_the_real_files_one_column_output_is_refused_in_one_line(keras):
    """Both real C5-power files answer (None, 24): column 0 only. Needs no data."""
    model = keras.Sequential([keras.Input((24, 7)), keras.layers.Flatten(), keras.layers.Dense(24)])
    with pytest.raises(ContractError) as refused:
        check_contract(model, grader.task(TASK))
    assert str(refused.value) == (
        "your model outputs (None, 24); dicoding-c5-power expects (None, 24, 7): the next 24 observations of the "
        "7 variables, normalized as the input is (24 values are one variable; dicoding-c5-power needs all 7: end "
        "with Dense(24 * 7) and Reshape((24, 7)))")


@pytest.mark.parametrize(
    "rows, header, words",
    [(ROWS, ("datetime", *COLUMNS[:6], "Sub_metering_4"), "expected ['datetime', 'Global_active_power'"),
     (5000, ("datetime", *COLUMNS), "5000 rows, but dicoding-c5-power expects at least 10000: a cut-down copy?")],
)
def test_another_file_is_refused_by_header_or_length(rows, header, words, tmp_path, monkeypatch, run_cli):
    monkeypatch.setenv("TFCERT_CACHE_DIR", str(tmp_path / "cache"))
    write_power_csv(tmp_path / "power.csv", rows, header)
    result = run_cli("data", "add", TASK, tmp_path / "power.csv")
    assert result.exit_code == 2 and words in single_error(result)


def test_missing_offline_exits_2_naming_the_download(tmp_path, monkeypatch, keras, run_cli):
    monkeypatch.setenv("TFCERT_CACHE_DIR", str(tmp_path / "cache"))
    model = tmp_path / "m.keras"
    keras.Sequential([keras.Input((24, 7)), keras.layers.Flatten(), keras.layers.Dense(168),
                      keras.layers.Reshape((24, 7))]).save(model)
    result = run_cli("grade", TASK, model)
    assert result.exit_code == 2
    error = single_error(result)
    assert "household_power_consumption.csv" in error and "tfcert data fetch dicoding-c5-power" in error


def test_reference_trains_one_epoch_and_meets_the_contract(power_file, monkeypatch):
    spec = importlib.util.spec_from_file_location("power_reference", PROJECT_ROOT / "solutions" / f"{TASK}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "EPOCHS", 1)
    model = module.solution_model()
    assert check_contract(model, grader.task(TASK)) == []
    result = grader.grade(TASK, model)
    naive = next(b for b in result.baselines if b.name == "naive")
    assert result.value < naive.value  # one epoch on the generated daily cycles already beats repeating the last row
