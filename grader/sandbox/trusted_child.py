"""Child process of trust mode and SavedModels: `python -m grader.sandbox.trusted_child JOB_DIR`.

For files the grader was told to trust (`--trust`: Keras may run code from them) and for
SavedModel directories (their graphs may hold file I/O ops), so this runs under grader.sandbox.
Reads JOB_DIR/job.json ({"model", "task", "max_file_mb", "max_params"}) and the test inputs
JOB_DIR/x.npy (and text.npy for text tasks; never the targets), loads the model with safe mode
off, checks the task's contract, predicts, and writes JOB_DIR/predictions.npy and
JOB_DIR/status.json.
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


def run(job_dir: Path) -> None:
    reserve_status(job_dir)  # before the model's code can fill the disk
    job = json.loads((job_dir / "job.json").read_text())
    spec = load_task(job["task"])
    try:
        path = Path(job["model"])
        model = (load_saved_model(path, spec) if is_saved_model(path)
                 else load_model_file(path, job["max_file_mb"], trust=True)).model
        check_contract(model, spec)
        if model.count_params() > job["max_params"]:
            raise TfcertError(f"the model has {model.count_params():,} parameters, "
                              f"over the limit of {job['max_params']:,}")
        x = np.load(job_dir / "x.npy")
        text = np.load(job_dir / "text.npy") if (job_dir / "text.npy").exists() else None
        inputs = Examples(x, np.zeros(len(x)), text)  # the targets never reach this process
        np.save(job_dir / "predictions.npy", predict(model, model_inputs(model, inputs)))
    except TfcertError as exc:
        write_status(job_dir, "failed", str(exc))
        return
    except Exception as exc:
        write_status(job_dir, "failed", f"{job['model']}: loading or predicting raised {one_line(exc)}")
        return
    write_status(job_dir, "predicted")


if __name__ == "__main__":
    run(Path(sys.argv[1]))
