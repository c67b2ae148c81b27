"""Shared fixtures: the task4 spec, small Keras models saved in every format, and the reference
solution trained once per test session (train mode, as a learner would run it)."""

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import cli
from grader.catalog import load_task
from grader.models.runtime import import_keras
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.train import train_solution
from grader.spec import PROJECT_ROOT

WINDOW = 30
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
SHARED_MODELS = PROJECT_ROOT.parent / "shared" / "realworld-models"


@pytest.fixture(autouse=True, scope="session")
def no_network():
    """Tests never download: real data comes from ../shared/data, tfds data from mock_data."""
    patch = pytest.MonkeyPatch()
    patch.setenv("TFCERT_OFFLINE", "1")
    yield
    patch.undo()


@pytest.fixture(scope="session")
def shared_data():
    """../shared/data (the real datasets), or skip when it is not beside the repository."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not available: {SHARED_DATA} is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def real_data_env(shared_data):
    """Point `local:` sources at ../shared/data and give `url:` sources a cache holding verified copies.

    The url-sourced files are registered in the cache the way a learner would (`tfcert data
    add`), so the session never downloads; the env var is inherited by train-mode children.
    """
    from grader.catalog import list_tasks
    from grader.data.files import add_copy

    patch = pytest.MonkeyPatch()
    patch.setenv("TFCERT_DATASETS_DIR", str(shared_data))
    for spec in list_tasks():
        if spec.dataset.source.startswith("url:") and spec.dataset.params.file in URL_COPIES:
            add_copy(spec, shared_data / URL_COPIES[spec.dataset.params.file])
    yield shared_data
    patch.undo()


# url-sourced files -> their copy under ../shared/data (see its README); dicoding-c5-power's
# household_power_consumption.csv has none (tests/test_exam_power.py makes one in its format)
URL_COPIES = {
    "Sunspots.csv": "sunspots/Sunspots-download.csv",
    "daily-min-temperatures.csv": "daily-min-temperatures/daily-min-temperatures.csv",
    "daily-max-temperatures.csv": "daily-max-temperatures/daily-max-temperatures.csv",
    "sunspots.csv": "sunspots-3265/sunspots.csv",
}


def task_memory_mb() -> int:
    """The largest memory limit of any task: what references train under."""
    from grader.catalog import list_tasks

    return max(spec.limits.memory_mb for spec in list_tasks())


@pytest.fixture(scope="session")
def keras():
    return import_keras()


@pytest.fixture(scope="session")
def task4():
    return load_task("task4")


@pytest.fixture
def run_cli():
    """Run `tfcert ARGS...` in-process; returns click's Result (exit_code, stdout, stderr)."""

    def run(*args):
        return CliRunner().invoke(cli.main, [str(a) for a in args])

    return run


def small_forecaster(keras, window=WINDOW, return_sequences=False, seed=0):
    """An untrained but valid-shaped Conv1D + LSTM model (fast to build and save)."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((window, 1)),
        keras.layers.Rescaling(1 / 50),
        keras.layers.Conv1D(4, 3, padding="causal", activation="relu"),
        keras.layers.LSTM(4, return_sequences=return_sequences),
        keras.layers.Dense(1),
        keras.layers.Rescaling(50),
    ])


def naive_forecaster(keras, window=WINDOW):
    """A weight-free Keras model that repeats the last value of each window (the naive forecast)."""
    return keras.Sequential([
        keras.Input((window, 1)),
        keras.layers.Cropping1D((window - 1, 0)),
        keras.layers.Reshape((1,)),
    ])


@pytest.fixture(scope="session")
def model_files(keras, tmp_path_factory):
    """The same small model saved as .keras and as a Keras 3 .h5."""
    folder = tmp_path_factory.mktemp("models")
    model = small_forecaster(keras)
    paths = {"keras": folder / "small.keras", "h5": folder / "small.h5"}
    model.save(paths["keras"])
    model.save(paths["h5"])
    return paths


KERAS2_SCRIPT = textwrap.dedent("""
    import os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tf_keras as k
    k.utils.set_random_seed(0)
    layers = [k.layers.Conv1D(4, 3, padding="causal", activation="relu", input_shape=(30, 1)),
              k.layers.LSTM(4), k.layers.Dense(1)]
    if sys.argv[2] == "lambda":
        layers.append(k.layers.Lambda(lambda x: x * 400))
    k.Sequential(layers).save(sys.argv[1])
""")


def make_keras2_h5(path: Path, variant: str = "plain") -> Path:
    """Write a legacy Keras 2 .h5 with tf_keras (as TF 2.x exams saved them), in a subprocess."""
    subprocess.run([sys.executable, "-c", KERAS2_SCRIPT, str(path), variant], check=True, capture_output=True)
    return path


@pytest.fixture(scope="session")
def keras2_h5(tmp_path_factory):
    return make_keras2_h5(tmp_path_factory.mktemp("keras2") / "legacy.h5")


@pytest.fixture(scope="session")
def train_once(tmp_path_factory):
    """train_once(solution_path) -> (kept .keras path, training seconds), trained once per session
    through train mode, the way `tfcert grade TASK solution.py` trains it."""
    done = {}

    def train(solution: Path):
        if solution not in done:
            with train_solution(solution, SandboxLimits(600, task_memory_mb()), log=lambda line: None) as trained:
                kept = tmp_path_factory.mktemp("trained") / f"{solution.stem}.keras"
                shutil.copyfile(trained.model_path, kept)
            done[solution] = (kept, trained.seconds)
        return done[solution]

    return train


@pytest.fixture(scope="session")
def reference_model(train_once):
    """solutions/task4.py trained once through train mode."""
    return train_once(PROJECT_ROOT / "solutions" / "task4.py")


def single_error(result) -> str:
    """The one `error:` line of a failed run; fails when there is a traceback or more errors."""
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def parse_json(output: str) -> dict:
    return json.loads(output)


# Gradescope's results.json, as its autograder specification documents it.
GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
GRADESCOPE_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
GRADESCOPE_KEYS = {"score", "max_score", "execution_time", "output", "output_format", "test_output_format",
                   "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
GRADESCOPE_TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output",
                        "output_format", "tags", "visibility", "extra_data"}


def check_gradescope_results(data: dict) -> None:
    """Fail unless `data` is a results.json Gradescope accepts: known keys and values, a score."""
    assert set(data) <= GRADESCOPE_KEYS, set(data) - GRADESCOPE_KEYS
    assert isinstance(data["score"], (int, float)) and isinstance(data["output"], str)
    assert data.get("visibility", "visible") in GRADESCOPE_VISIBILITY
    assert data.get("stdout_visibility", "hidden") in GRADESCOPE_VISIBILITY
    for key in ("output_format", "test_output_format"):
        assert data.get(key, "text") in GRADESCOPE_FORMATS
    assert isinstance(data["tests"], list)
    for test in data["tests"]:
        assert set(test) <= GRADESCOPE_TEST_KEYS, set(test) - GRADESCOPE_TEST_KEYS
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert test.get("visibility", "visible") in GRADESCOPE_VISIBILITY
        assert test.get("status", "passed") in {"passed", "failed"}
        if "score" in test:
            assert 0 <= test["score"] <= test["max_score"]
