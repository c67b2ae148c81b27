"""Train mode: a solution .py is trained in a child process, saved, and graded in the parent."""

import json
import textwrap
import time

import pytest

TINY_SOLUTION = """
import keras
import numpy as np
import grader

def solution_model():
    window = grader.task("task4").input.shape[0]
    series = grader.load_data("task4", "train")
    x = np.stack([series[i:i + window] for i in range(len(series) - window)])[..., None]
    y = series[window:, None]
    model = keras.Sequential([keras.Input((window, 1)), keras.layers.Rescaling(1 / 50),
                              keras.layers.Flatten(), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1), keras.layers.Rescaling(50)])
    model.compile(loss="huber", optimizer="adam")
    model.fit(x, y, epochs=3, batch_size=64, verbose=0)
    print("tiny solution trained")
    return model
"""


def write(tmp_path, body: str, name="solution.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def test_train_mode_grades_and_is_deterministic(run_cli, tmp_path):
    path = write(tmp_path, TINY_SOLUTION)
    first = run_cli("grade", "task4", path, "--json")
    assert first.exit_code == 0, first.stderr
    assert "tiny solution trained" in first.stderr  # the child's log reaches the learner
    result = json.loads(first.stdout)
    assert result["mode"] == "train" and result["train_seconds"] > 0
    second = json.loads(run_cli("grade", "task4", path, "--json").stdout)
    assert second["value"] == result["value"]  # seeded child: same solution, same score
    assert second["points"] == result["points"]


def test_the_training_child_runs_in_its_own_directory(run_cli, tmp_path):
    body = TINY_SOLUTION.replace('print("tiny solution trained")', 'open("scratch.txt", "w").write("x")')
    path = write(tmp_path, body)
    assert run_cli("grade", "task4", path).exit_code == 0
    assert not (tmp_path / "scratch.txt").exists()


@pytest.mark.parametrize(
    "body, words",
    [
        ("def solution_model():\n    raise ValueError('bad shape')\n",
         "solution_model() raised ValueError: bad shape (line 2, in solution_model)"),
        ("x = 1\n", "defines no solution_model() function"),
        ("def solution_model():\n    return 'model'\n", "returned str, not a Keras model"),
        ("import nonexistent_module_xyz\ndef solution_model():\n    pass\n", "importing the file raised ModuleNotFoundError"),
        ("import sys\ndef solution_model():\n    sys.exit(3)\n", "the process ended without a result (exited with code 3"),
    ],
)
def test_failing_solutions_exit_2_with_the_reason(run_cli, tmp_path, body, words):
    result = run_cli("grade", "task4", write(tmp_path, body))
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and words in errors[0], result.stderr


def test_a_solution_that_never_ends_is_killed_at_the_time_limit(run_cli, tmp_path):
    body = "import time\ndef solution_model():\n    while True:\n        time.sleep(1)\n"
    started = time.monotonic()
    result = run_cli("grade", "task4", write(tmp_path, body), "--time-limit", "8")
    elapsed = time.monotonic() - started
    assert result.exit_code == 2
    assert "did not finish within the 8 s limit" in result.stderr
    assert elapsed < 30


def test_the_unmodified_starter_gets_a_clear_message(run_cli):
    from grader.spec import PROJECT_ROOT

    result = run_cli("grade", "task4", PROJECT_ROOT / "starter" / "task4.py")
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == ["error: your model has no layers after its input, or was never built; task4 needs "
                      "a model from keras.Input(shape=(30, 1)) to an output of shape (None, 1)"]
