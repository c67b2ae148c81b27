"""Child process of train mode: `python -m grader.sandbox.train_child SOLUTION WORKDIR`.

Seeds Python, NumPy and TensorFlow (and makes TF ops deterministic) so the same solution
trains to the same model, calls `solution_model()`, saves the model to WORKDIR/model.keras,
and writes WORKDIR/status.json: {"outcome": "saved" | "failed", "message": "...", "notes": [...]}.
Everything it writes is data to the parent (grader.sandbox.status), which adds the Keras 3 way
when a Keras 2 habit explains a failure (grader.sandbox.keras_habits).
"""

import importlib.util
import sys
import traceback
from pathlib import Path

from grader.models.runtime import import_keras
from grader.sandbox.status import one_line, reserve_status, write_status
from grader.sandbox.train import MODEL_FILE, NOT_COMPILED

SEED = 1337


def _where(exc: BaseException, solution: Path) -> str:
    """' (line 12, in solution_model)' for the deepest frame inside the solution file."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == solution]
    return f" (line {frames[-1].lineno}, in {frames[-1].name})" if frames else ""


def run(solution: Path, workdir: Path) -> None:
    reserve_status(workdir)  # before the solution can fill the disk
    keras = import_keras()
    import tensorflow as tf

    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    module_spec = importlib.util.spec_from_file_location("solution", solution)
    try:
        module = importlib.util.module_from_spec(module_spec)
        sys.modules["solution"] = module  # AutoGraph looks functions' modules up here
        module_spec.loader.exec_module(module)
    except Exception as exc:
        write_status(workdir, "failed", f"importing the file raised {one_line(exc)}{_where(exc, solution)}")
        return
    if not callable(getattr(module, "solution_model", None)):
        write_status(workdir, "failed", "defines no solution_model() function; see the starter file")
        return
    try:
        model = module.solution_model()
    except Exception as exc:
        write_status(workdir, "failed", f"solution_model() raised {one_line(exc)}{_where(exc, solution)}")
        return
    if not isinstance(model, keras.Model):
        write_status(
            workdir, "failed",
            f"solution_model() returned {type(model).__name__}, not a Keras model; end it with `return model`",
        )
        return
    try:
        model.save(workdir / MODEL_FILE)
    except Exception as exc:
        write_status(workdir, "failed", f"the returned model could not be saved: {one_line(exc)}")
        return
    write_status(workdir, "saved", notes=[] if getattr(model, "compiled", True) else [NOT_COMPILED])


if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]))
