"""Child process of train mode: `python -m grader.sandbox.train_child SOLUTION WORKDIR CONFIG`.

CONFIG (JSON, written by grader.sandbox.train): the entry function, the Keras runtime (2 or 3),
the quick check's epoch cap, the task's contract, the grading user's Keras folder. The child sets
up Keras 2 when asked (grader.sandbox.keras_runtime) before anything imports Keras, answers the
script's downloads offline (grader.sandbox.offline), wraps `fit` (grader.sandbox.fit_hooks), seeds
Python, NumPy and TensorFlow (and makes TF ops deterministic) so the same solution trains to the
same model, calls the entry function, saves the model (Keras 3: model.keras; Keras 2: model.h5,
graded through the same loader as exam-era files), and writes WORKDIR/status.json:
{"outcome": "saved" | "failed", "message": "...", "notes": [...]}. Everything it writes is data
to the parent (grader.sandbox.status), which adds the Keras 3 way when a Keras 2 habit explains
a failure of a Keras 3 run (grader.sandbox.keras_habits).
"""

import importlib.util
import json
import os
import shutil
import sys
import traceback
import warnings
from pathlib import Path

from grader.sandbox.keras_runtime import activate_keras2
from grader.sandbox.offline_data import HOST_KERAS_HOME_ENV
from grader.sandbox.status import STATUS_FILE, one_line, reserve_status, write_status
from grader.sandbox.train import MODEL_FILES, NOT_COMPILED

SEED = 1337


def _where(exc: BaseException, solution: Path) -> str:
    """' (line 12, in solution_model)' for the deepest frame inside the solution file."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == solution]
    return f" (line {frames[-1].lineno}, in {frames[-1].name})" if frames else ""


def _failure(message: str) -> str:
    """A failure's message: the data or contract stop if one happened first, else `message`."""
    from grader.sandbox.fit_hooks import contract_stop
    from grader.sandbox.offline import first_missing

    return first_missing() or contract_stop() or message


def _keep_only(workdir: Path, kept: set[str]) -> None:
    """Remove what the script left (downloads, unzipped images): only the model and the report are copied out."""
    for path in workdir.iterdir():
        if path.name in kept or path.name.startswith(STATUS_FILE):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def run(solution: Path, workdir: Path, config: dict) -> None:
    reserve_status(workdir)  # before the solution can fill the disk
    sys.stdout.reconfigure(line_buffering=True)  # the script's prints reach the log in step with the epochs
    runtime, entry = config["keras"], config["entry"]
    # HDF5 (Keras 2's .h5, ModelCheckpoint files) locks the files it writes; the child's workdir is
    # private, and the sandbox may refuse lock calls: write without them.
    os.environ["HDF5_USE_FILE_LOCKING"] = "FALSE"
    if runtime == 2:
        activate_keras2()
    if config.get("host_keras_home"):
        os.environ[HOST_KERAS_HOME_ENV] = config["host_keras_home"]
    from grader.sandbox import offline

    offline.install(workdir)
    from grader.models.runtime import import_keras

    keras = import_keras()
    import tensorflow as tf

    tf.keras.utils.get_file  # noqa: B018 - loads tf.keras (tf_keras under Keras 2) so its get_file is answered too
    offline.patch_keras()
    from grader.sandbox.fit_hooks import contract_view, install_fit_hooks

    install_fit_hooks(keras, solution, config.get("max_epochs"), contract_view(config.get("contract")),
                      config.get("max_steps"))
    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    module_spec = importlib.util.spec_from_file_location("solution", solution)
    try:
        module = importlib.util.module_from_spec(module_spec)
        sys.modules["solution"] = module  # AutoGraph looks functions' modules up here
        module_spec.loader.exec_module(module)
    except Exception as exc:
        write_status(workdir, "failed", _failure(f"importing the file raised {one_line(exc)}{_where(exc, solution)}"))
        return
    if not callable(getattr(module, entry, None)):
        write_status(workdir, "failed", f"defines no {entry}() function; see the starter file")
        return
    try:
        model = getattr(module, entry)()
    except Exception as exc:
        write_status(workdir, "failed", _failure(f"{entry}() raised {one_line(exc)}{_where(exc, solution)}"))
        return
    if not isinstance(model, keras.Model):
        write_status(workdir, "failed", _failure(
            f"{entry}() returned {type(model).__name__}, not a Keras model; end it with `return model`"))
        return
    model_file = MODEL_FILES[runtime]
    try:
        with warnings.catch_warnings():  # tf_keras calls .h5 "legacy": it is the exam's format, on purpose
            warnings.simplefilter("ignore")
            model.save(workdir / model_file)
    except Exception as exc:
        write_status(workdir, "failed", _failure(f"the returned model could not be saved: {one_line(exc)}"))
        return
    compiled = getattr(model, "compiled", getattr(model, "optimizer", None) is not None)
    _keep_only(workdir, {model_file})
    write_status(workdir, "saved", notes=[] if compiled else [NOT_COMPILED])


if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3]))
