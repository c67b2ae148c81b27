"""The hostile-input suite: bad submissions built here, each checked for exit code, a one-line
reason, score 0 where a score is reported, a bounded run time, and (in safe mode) proof by a
canary file that none of the submission's code ran. The list is documented in docs/SECURITY.md."""

import json
import socket
import textwrap
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from conftest import make_keras2_h5, small_forecaster

from grader.sandbox.runner import isolation


@dataclass
class Case:
    """A submission and what grading it must do."""

    path: Path
    exit_code: int
    words: str  # in the one `error:` line (exit 2) or in the diagnostics (exit 0)
    seconds: float = 60  # the whole command must finish within this
    args: tuple = ()
    canary: Path | None = None


@pytest.fixture(scope="module")
def canary(tmp_path_factory):
    return tmp_path_factory.mktemp("canary") / "code-ran.txt"


def _writes_canary(path: Path):
    """A lambda (no closure, so Keras can serialize it) that writes `path` when it runs."""
    return eval(f"lambda x: (open({str(path)!r}, 'w').write('the submission ran'), x)[1]")


def _save_then_forget_canary(model, path: Path, canary: Path) -> Path:
    model.save(path)
    canary.unlink(missing_ok=True)  # building the model in this process ran the code once
    return path


def _keras_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _edited_keras(source: Path, path: Path, edit) -> Path:
    """Copy a .keras archive with its config.json passed through `edit`."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["config.json"] = json.dumps(edit(json.loads(members["config.json"]))).encode()
    return _keras_zip(path, members)


def _widen_dense(config: dict) -> dict:
    for layer in config["config"]["layers"]:
        if layer["class_name"] == "Dense":
            layer["config"]["units"] = 100_000_000  # 3e9 weights: 12 GB if anyone built it
    return config


def model_file_cases(folder: Path, keras, canary: Path) -> dict[str, Case]:
    """Malformed and dangerous model files (safe mode unless the case says --trust)."""
    good = folder / "good.keras"
    small_forecaster(keras).save(good)
    good_h5 = folder / "good.h5"
    small_forecaster(keras).save(good_h5)
    cases = {}

    def file(name, data: bytes) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    cases["empty .keras"] = Case(file("empty.keras", b""), 2, "the file is empty")
    cases["empty .h5"] = Case(file("empty.h5", b""), 2, "the file is empty")
    cases["random bytes .h5"] = Case(file("random.h5", np.random.default_rng(0).bytes(4096)), 2, "not a valid HDF5 file")
    cases["random bytes .keras"] = Case(file("random.keras", np.random.default_rng(1).bytes(4096)), 2, "not a valid .keras file")
    cases["truncated .keras"] = Case(file("truncated.keras", good.read_bytes()[: good.stat().st_size // 2]), 2, "not a valid .keras file")
    cases["truncated .h5"] = Case(file("truncated.h5", good_h5.read_bytes()[: good_h5.stat().st_size // 2]), 2, "not a valid HDF5 file")
    cases["wrong extension .pb"] = Case(file("model.pb", good.read_bytes()), 2, "unsupported file type '.pb'")
    cases["no extension"] = Case(file("model", good.read_bytes()), 2, "unsupported file type '(none)'")
    cases[".h5 saved as .keras"] = Case(file("h5inside.keras", good_h5.read_bytes()), 2, "not a valid .keras file")
    cases[".keras saved as .h5"] = Case(file("zipinside.h5", good.read_bytes()), 2, "not a valid HDF5 file")

    import h5py

    with h5py.File(folder / "data.h5", "w") as h5:
        h5["numbers"] = np.arange(10)
    cases["HDF5 without a model"] = Case(folder / "data.h5", 2, "an HDF5 file with no model in it")
    cases["zip without config.json"] = Case(_keras_zip(folder / "nozip.keras", {"readme.txt": b"hi"}), 2, "not a Keras model (no config.json)")
    cases["config.json not JSON"] = Case(_keras_zip(folder / "badjson.keras", {"config.json": b"{nope"}), 2, "not valid JSON")
    cases["config.json not a model"] = Case(_keras_zip(folder / "notmodel.keras", {"config.json": b'{"foo": 1}'}), 2, "Keras 3 cannot load this model")
    cases["zip bomb"] = Case(_keras_zip(folder / "bomb.keras", {"config.json": b"{}", "model.weights.h5": bytes(300 * 2**20)}), 2, "a zip bomb")
    cases["directory"] = Case(folder, 2, "is a directory")
    outside = folder.parent / "outside-target.keras"
    outside.write_bytes(good.read_bytes())
    link_dir = folder / "links"
    link_dir.mkdir()
    (link_dir / "link.keras").symlink_to(outside)
    cases["symlink pointing outside"] = Case(link_dir / "link.keras", 2, "a symlink (to")
    cases["missing file"] = Case(folder / "missing.keras", 2, "no such file")

    lambda_model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1),
                                     keras.layers.Lambda(_writes_canary(canary))])
    cases["Lambda layer .keras"] = Case(_save_then_forget_canary(lambda_model, folder / "lambda.keras", canary), 2, "is a Lambda layer", canary=canary)
    cases["Lambda layer .h5"] = Case(_save_then_forget_canary(lambda_model, folder / "lambda.h5", canary), 2, "is a Lambda layer", canary=canary)

    @keras.saving.register_keras_serializable(package="hostile")
    class Evil(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            canary.write_text("custom code ran")

        def call(self, x):
            return x

    evil = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1), Evil()])
    cases["custom layer class"] = Case(_save_then_forget_canary(evil, folder / "custom.keras", canary), 2, "uses the custom class", canary=canary)
    cases["Keras 2 Lambda .h5"] = Case(make_keras2_h5(folder / "k2lambda.h5", "lambda"), 2, "is a Lambda layer")
    big = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(3000), keras.layers.Dense(1)])
    big.save(folder / "big.keras")
    cases["too many parameters"] = Case(folder / "big.keras", 2, "parameters, over the task's limit", args=("--max-params", "50000"))
    cases["over the file size limit"] = Case(good, 2, "over the task's 0.001 MB limit", args=("--max-file-mb", "0.001"))
    cases["config asks for 12 GB"] = Case(_edited_keras(good_nonrecurrent(keras, folder), folder / "huge.keras", _widen_dense),
                                          2, "more than the 1024 MB memory limit", args=("--memory-mb", "1024"))
    nan_model = small_forecaster(keras)
    weights = nan_model.get_weights()
    weights[-1] = np.full_like(weights[-1], np.inf)
    nan_model.set_weights(weights)
    nan_model.save(folder / "nan.keras")
    cases["NaN/inf outputs"] = Case(folder / "nan.keras", 0, "NaN or infinite")
    wide = keras.Sequential([keras.Input((20, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    wide.save(folder / "contract.keras")
    cases["contract mismatch"] = Case(folder / "contract.keras", 2, "your model takes (None, 20, 1)")
    # 17 MB, but ~200 GFLOP to predict the 1,825 test windows: many seconds on 2 cores.
    slow = keras.Sequential([keras.Input((30, 1)), keras.layers.LSTM(1024), keras.layers.Dense(1)])
    slow.save(folder / "slow.keras")
    cases["too slow to predict"] = Case(folder / "slow.keras", 2, "took longer than the 1 s limit",
                                        seconds=30, args=("--predict-time-limit", "1", "--max-params", "5000000"))
    return cases


def good_nonrecurrent(keras, folder: Path) -> Path:
    path = folder / "dense.keras"
    keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]).save(path)
    return path


SOLUTIONS = {
    "loops forever": ("import time\ndef solution_model():\n    while True:\n        time.sleep(0.1)\n",
                      2, "did not finish within the 8 s limit"),
    "exhausts memory": ("import numpy as np\ndef solution_model():\n    return np.ones(3 * 2**30)\n",
                        2, "raised MemoryError"),
    "forks repeatedly": ("import os, time\ndef solution_model():\n    while True:\n        try:\n            os.fork()\n"
                         "        except OSError:\n            time.sleep(0.01)\n", 2, "did not finish within the 8 s limit"),
    "calls sys.exit": ("import sys\ndef solution_model():\n    sys.exit(0)\n", 2, "ended without a result (exited with code 0"),
    "raises": ("def solution_model():\n    raise RuntimeError('boom')\n", 2, "solution_model() raised RuntimeError: boom"),
    "returns a string": ("def solution_model():\n    return 'my model'\n", 2, "returned str, not a Keras model"),
    "returns None": ("def solution_model():\n    pass\n", 2, "returned NoneType, not a Keras model"),
    "syntax error": ("def solution_model(:\n", 2, "importing the file raised SyntaxError"),
    "no solution_model": ("MODEL = None\n", 2, "defines no solution_model() function"),
}


@pytest.fixture(scope="module")
def model_cases(tmp_path_factory, keras, canary):
    return model_file_cases(tmp_path_factory.mktemp("hostile"), keras, canary)


def check(run_cli, case: Case) -> dict | None:
    """Grade `case` and assert everything the suite promises; return the JSON result if graded."""
    if case.canary is not None:
        case.canary.unlink(missing_ok=True)
    started = time.monotonic()
    result = run_cli("grade", "task4", case.path, "--json", *case.args)
    elapsed = time.monotonic() - started
    assert result.exit_code == case.exit_code, (result.exit_code, result.stderr[-800:])
    assert elapsed < case.seconds, f"took {elapsed:.1f} s"
    assert "Traceback" not in result.stderr
    if case.canary is not None:
        assert not case.canary.exists(), "code from the submission ran"
    if case.exit_code == 2:
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and case.words in errors[0], result.stderr[-800:]
        assert result.stdout == ""
        return None
    graded = json.loads(result.stdout)
    assert graded["points"] == 0
    assert any(case.words in note for note in graded["diagnostics"])
    return graded


MODEL_CASE_NAMES = [
    "empty .keras", "empty .h5", "random bytes .h5", "random bytes .keras", "truncated .keras", "truncated .h5",
    "wrong extension .pb", "no extension", ".h5 saved as .keras", ".keras saved as .h5", "HDF5 without a model",
    "zip without config.json", "config.json not JSON", "config.json not a model", "zip bomb", "directory",
    "symlink pointing outside", "missing file", "Lambda layer .keras", "Lambda layer .h5", "custom layer class",
    "Keras 2 Lambda .h5", "too many parameters", "over the file size limit", "config asks for 12 GB",
    "NaN/inf outputs", "contract mismatch", "too slow to predict",
]


@pytest.mark.parametrize("name", MODEL_CASE_NAMES)
def test_hostile_model_file(name, model_cases, run_cli):
    check(run_cli, model_cases[name])


def test_every_built_case_is_in_the_suite(model_cases):
    assert sorted(model_cases) == sorted(MODEL_CASE_NAMES)
    assert len(MODEL_CASE_NAMES) + len(SOLUTIONS) + 3 >= 30


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_hostile_solution(name, tmp_path, run_cli):
    body, exit_code, words = SOLUTIONS[name]
    path = tmp_path / "solution.py"
    path.write_text(body)
    # Cases that must be stopped get 8 s; the others end on their own, after TensorFlow's import
    # (several seconds on a loaded machine), so their limit is generous and never reached.
    limit = "8" if "within the 8 s limit" in words else "60"
    check(run_cli, Case(path, exit_code, words, seconds=45, args=("--time-limit", limit)))


@pytest.mark.skipif(isolation() is None, reason="no sandbox here: neither bwrap nor unshare can create namespaces")
def test_solution_cannot_reach_the_network(tmp_path, run_cli):
    with socket.socket() as listener:  # loopback only: the child must not reach even this
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        body = f"import socket\ndef solution_model():\n    socket.create_connection(('127.0.0.1', {port}), timeout=3)\n"
        path = tmp_path / "solution.py"
        path.write_text(body)
        check(run_cli, Case(path, 2, "solution_model() raised", seconds=45, args=("--time-limit", "30")))
        with pytest.raises(BlockingIOError):
            listener.accept()


def test_secrets_do_not_reach_the_solution(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("TFCERT_SECRET", "instructor-only")
    body = textwrap.dedent("""
        import os
        import keras

        def solution_model():
            leaked = [name for name in os.environ if "SECRET" in name]
            if leaked:
                raise RuntimeError(f"saw {leaked}")
            return keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    """)
    path = tmp_path / "solution.py"
    path.write_text(body)
    result = run_cli("grade", "task4", path, "--json", "--time-limit", "60")
    assert result.exit_code == 0, result.stderr[-500:]


def test_processes_left_behind_are_killed(tmp_path, run_cli):
    marker = tmp_path / "still-alive.txt"
    body = textwrap.dedent(f"""
        import subprocess, sys
        def solution_model():
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(6); open({str(marker)!r}, 'w').write('x')"])
            raise RuntimeError("left a process behind")
    """)
    path = tmp_path / "solution.py"
    path.write_text(body)
    check(run_cli, Case(path, 2, "left a process behind", seconds=45, args=("--time-limit", "30")))
    time.sleep(8)
    assert not marker.exists()


def test_trusted_lambda_runs_only_in_the_sandboxed_child(model_cases, run_cli, canary):
    case = model_cases["Lambda layer .keras"]
    canary.unlink(missing_ok=True)
    result = run_cli("grade", "task4", case.path, "--json", "--trust")
    if isolation() is None:  # the code ran in the child, which could write where the grading user can
        assert result.exit_code == 0, result.stderr[-800:]
        graded = json.loads(result.stdout)
        assert graded["mode"] == "trusted" and graded["value"] is not None
        assert canary.exists()
    else:  # the code ran in the child, where its write outside the working directory failed
        assert result.exit_code == 2, result.stderr[-800:]
        assert not canary.exists()


def test_trusted_lambda_is_graded_in_the_sandboxed_child(tmp_path, keras, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)  # building the model runs the Lambda once, here
    writes_in_its_workdir = eval("lambda x: (open('code-ran.txt', 'w').write('ran'), x)[1]")
    model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1),
                              keras.layers.Lambda(writes_in_its_workdir)])
    model.save(tmp_path / "lambda.keras")
    result = run_cli("grade", "task4", tmp_path / "lambda.keras", "--json", "--trust")
    assert result.exit_code == 0, result.stderr[-800:]
    graded = json.loads(result.stdout)
    assert graded["mode"] == "trusted" and graded["value"] is not None
