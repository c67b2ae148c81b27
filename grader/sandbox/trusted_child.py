"""Child process of trust mode and SavedModels: `python -m grader.sandbox.trusted_child JOB_DIR`.

For files the grader was told to trust (`--trust`: Keras may run code from them) and for
SavedModel directories (their graphs may hold file I/O ops), so this runs under grader.sandbox.
Reads JOB_DIR/job.json ({"model", "task", "batch_sizes", "max_file_mb", "max_params"}) and the
test inputs JOB_DIR/x.npy (and text.npy for text tasks; never the targets), already in the
parent's secret feeding order; deletes the input files before the model is loaded (a SavedModel
graph may read files: it must not see every input at once); loads the model with safe mode off,
checks the task's contract, predicts batch by batch as the parent said, and writes
JOB_DIR/predictions.npy and JOB_DIR/status.json.
"""

import json
import sys
from pathlib import Path

import numpy as np

from grader.catalog import load_task
from grader.data.examples import Examples
from grader.errors import TfcertError
from grader.models.predict import model_inputs, predict
from grader.sandbox.status import one_line, reserve_status, write_status
from grader.submission.contract import check_contract
from grader.submission.load import is_saved_model, load_model_file, load_saved_model


def read_inputs(job_dir: Path) -> Examples:
    """The test inputs, read into memory, their files deleted at once."""
    x_file, text_file = job_dir / "x.npy", job_dir / "text.npy"
    x = np.load(x_file)
    text = np.load(text_file) if text_file.exists() else None
    x_file.unlink()
    text_file.unlink(missing_ok=True)
    return Examples(x, np.zeros(len(x)), text)  # the targets never reach this process


def run(job_dir: Path) -> None:
    reserve_status(job_dir)  # before the model's code can fill the disk
    job = json.loads((job_dir / "job.json").read_text())
    spec = load_task(job["task"])
    inputs = read_inputs(job_dir)
    try:
        path = Path(job["model"])
        model = (load_saved_model(path, spec) if is_saved_model(path)
                 else load_model_file(path, job["max_file_mb"], trust=True)).model
        check_contract(model, spec)
        if model.count_params() > job["max_params"]:
            raise TfcertError(f"the model has {model.count_params():,} parameters, "
                              f"over the limit of {job['max_params']:,}")
        # The inputs came in the parent's feeding order: feed them in its batches, one after another.
        batches = np.split(np.arange(len(inputs.x)), np.cumsum(job["batch_sizes"])[:-1])
        predictions = predict(model, model_inputs(model, inputs), batches=batches)
        np.save(job_dir / "predictions.npy", predictions)
    except TfcertError as exc:
        write_status(job_dir, "failed", str(exc))
        return
    except Exception as exc:
        write_status(job_dir, "failed", f"loading or predicting raised {one_line(exc)}")
        return
    write_status(job_dir, "predicted")


if __name__ == "__main__":
    run(Path(sys.argv[1]))
