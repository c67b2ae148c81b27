"""Train mode on scripts as learners write them: fail fast on a wrong model, notebooks, quick checks, entry points."""

import json
import time

import pytest
from conftest import single_error

# An exam-era (Keras 2) script for task4 whose model takes windows of 20, not 30, and trains for 50 epochs.
WRONG_INPUT = """\
import numpy as np
import tensorflow as tf


def solution_model():
    series = np.sin(np.arange(1000) / 10).astype("float32")
    x = np.stack([series[i:i + 20] for i in range(len(series) - 20)])[..., None]
    y = series[20:, None]
    model = tf.keras.Sequential([tf.keras.layers.LSTM(32, input_shape=(20, 1)), tf.keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=tf.keras.optimizers.Adam(lr=0.01))
    model.fit(x, y, epochs=50, verbose=1)
    return model
"""

LAMBDA = """\
import numpy as np
import tensorflow as tf


def solution_model():
    x = np.linspace(-1, 1, 60, dtype="float32")[:, None]
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=[1]), tf.keras.layers.Lambda(lambda v: v * 2)])
    model.compile(loss="mse", optimizer="sgd")
    model.fit(x, 2 * x + 1, epochs=50, verbose=0)
    return model
"""


def test_a_wrong_input_shape_stops_before_the_first_epoch_ends_naming_the_learners_line(run_cli, tmp_path):
    script = tmp_path / "wrong_window.py"
    script.write_text(WRONG_INPUT)
    started = time.monotonic()
    result = run_cli("grade", "task4", script)
    elapsed = time.monotonic() - started
    assert result.exit_code == 2
    error = single_error(result)
    assert "your model takes (None, 20, 1); task4 feeds (None, 30, 1)" in error
    assert "(found when training started, at line 11, in solution_model)" in error  # the learner's fit() line
    assert "epoch 1/50" not in result.stderr  # stopped before the first epoch ended
    assert elapsed < 60


def test_a_lambda_layer_stops_when_training_starts(run_cli, tmp_path):
    script = tmp_path / "lambda.py"
    script.write_text(LAMBDA)
    result = run_cli("grade", "linear", script)
    assert result.exit_code == 2
    error = single_error(result)
    assert "is a Lambda layer, which the exam's grader refuses" in error and "line 9, in solution_model" in error


@pytest.fixture(scope="module")
def a1_script():
    from grader.spec import PROJECT_ROOT

    path = PROJECT_ROOT.parent / "shared" / "realworld-code" / "grayscale636__Neural-Network-Linear-Regression__Problem_A1.py"
    if not path.is_file():
        pytest.skip(f"real learners' scripts not available: {path} is absent")
    return path


def _notebook(source: str) -> dict:
    """The script as a Colab notebook: a shell cell, a magic cell, then its code split at the definitions."""
    body = source.split("\ndef ", 1)
    cells = [["!pip install -q tensorflow==2.15\n"], ["%matplotlib inline\n", "import numpy as np\n"],
             [body[0]], ["def " + body[1].split("\nif __name__")[0]],
             ["model = solution_A1()\n", "model.save('model_A1.h5')\n"]]
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Problem A1"]}]
            + [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": cell}
               for cell in cells]}


def test_a_notebook_grades_as_its_script_does(run_cli, tmp_path, a1_script):
    notebook = tmp_path / "Problem_A1.ipynb"
    notebook.write_text(json.dumps(_notebook(a1_script.read_text())))
    as_script = run_cli("grade", "dicoding-a1", a1_script, "--max-epochs", "40", "--json")
    as_notebook = run_cli("grade", "dicoding-a1", notebook, "--max-epochs", "40", "--json")
    assert as_script.exit_code == 0 and as_notebook.exit_code == 0, as_notebook.stderr
    script_result, notebook_result = json.loads(as_script.stdout), json.loads(as_notebook.stdout)
    assert notebook_result["value"] == script_result["value"] and notebook_result["entry"] == "solution_A1"
    assert notebook_result["mode"] == "quick-check"
    skipped = [note for note in notebook_result["diagnostics"] if "were skipped" in note]
    assert skipped == ["the notebook's 1 shell (!) lines; 1 magic (%) lines; 1 top-level calls of the entry "
                       "function were skipped (not Python, or tfcert's to run)"]


def test_a_notebook_error_names_its_cell(run_cli, tmp_path):
    notebook = {"cells": [{"cell_type": "code", "source": ["import tensorflow as tf\n"]},
                          {"cell_type": "code", "source": ["def solution_model():\n", "    raise ValueError('bad')\n"]}]}
    path = tmp_path / "broken.ipynb"
    path.write_text(json.dumps(notebook))
    error = single_error(run_cli("grade", "linear", path))
    assert "solution_model() raised ValueError: bad (cell 2, line 2, in solution_model)" in error


def test_a_quick_check_is_labelled_and_never_a_practice_attempt(run_cli, tmp_path, a1_script):
    result = run_cli("grade", "dicoding-a1", a1_script, "--max-epochs", "2")
    assert result.exit_code == 0
    assert "QUICK CHECK: solution_A1() trained in" in result.stdout and "under Keras 2 (tf_keras)" in result.stdout
    assert "quick check: at most 2 epoch(s) per fit()" in result.stdout
    assert "epoch 2/2 (quick check): loss" in result.stderr  # one progress line per epoch, on stderr
    assert "--max-epochs" not in run_cli("practice", "submit", "--help").stdout


def test_a_notebooks_download_lines_run_as_python_and_the_rest_is_skipped(tmp_path):
    from grader.submission.notebook import notebook_script

    cells = [["!pip install -q tensorflow\n", "!wget --no-check-certificate \\\n"],
             ["!wget --no-check-certificate https://storage.googleapis.com/download.tensorflow.org/data/rps.zip "
              "-O /tmp/rps.zip\n", "!unzip -q /tmp/rps.zip -d /tmp/\n", "%matplotlib inline\n"],
             ["%%bash\n", "ls /tmp\n"],
             ["def solution_model():\n", "    return None\n"],
             ["model = solution_model()\n", "model.save('x.h5')\n"]]
    path = tmp_path / "rps.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": cell} for cell in cells]}))
    script = notebook_script(path)
    assert script.source.splitlines()[:5] == [
        "pass", "pass",
        "__import__('urllib.request').request.urlretrieve("
        "'https://storage.googleapis.com/download.tensorflow.org/data/rps.zip', '/tmp/rps.zip')",
        "__import__('zipfile').ZipFile('/tmp/rps.zip').extractall('/tmp/')", "pass"]
    assert "model.save" not in script.source and "ls /tmp" not in script.source
    assert script.place(7) == "cell 4, line 2"
    assert script.note == ("the notebook's 2 shell (!) lines; 1 magic (%) lines; 1 cells of a %% magic; 1 top-level "
                           "calls of the entry function were skipped (not Python, or tfcert's to run); 2 download "
                           "or unzip shell lines (wget, curl, unzip) ran as Python, answered offline")
