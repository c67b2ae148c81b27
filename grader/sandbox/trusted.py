"""Trust mode and SavedModels: load and predict in a sandboxed child that sees the inputs, never the targets.

A file the grader was told to trust (`--trust`) may run its own code when Keras loads it, and a
SavedModel's graph may hold file I/O ops: both are opened only in grader.sandbox.trusted_child,
under the sandbox's limits. The parent keeps the targets and scores the predictions.

Example:
    predictions = predict_in_child(spec, Path("exported/"), hidden_test_split(spec))
"""

import json
import tempfile
from pathlib import Path

import numpy as np

from grader.data.examples import Examples
from grader.errors import SubmissionError
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.runner import run_module
from grader.sandbox.status import read_status
from grader.submission.load import check_file

CHILD_MODULE = "grader.sandbox.trusted_child"


def predict_in_child(spec, path: Path, test: Examples) -> np.ndarray:
    """Load and predict a trusted file or a SavedModel in a sandboxed child that sees the inputs, never the targets."""
    check_file(path, spec.limits.max_file_mb)
    with tempfile.TemporaryDirectory(prefix="tfcert-trusted-") as job_dir:
        job_dir = Path(job_dir)
        job = {"model": str(path.resolve()), "task": spec.id,
               "max_file_mb": spec.limits.max_file_mb, "max_params": spec.limits.max_params}
        (job_dir / "job.json").write_text(json.dumps(job))
        np.save(job_dir / "x.npy", test.x)
        if test.text is not None:
            np.save(job_dir / "text.npy", test.text.astype(str))
        limits = SandboxLimits.for_task(spec.limits, spec.limits.predict_seconds)
        run = run_module(CHILD_MODULE, [str(job_dir)], job_dir, limits, log=lambda line: None,
                         readonly=[path.resolve()])
        if run.timed_out:
            raise SubmissionError(f"{path}: loading and predicting took longer than the "
                                  f"{limits.wall_seconds:g} s limit")
        status = read_status(job_dir, run, limits)
        if status["outcome"] != "predicted":
            raise SubmissionError(status["message"])  # the child's message names the file where it helps
        return np.load(job_dir / "predictions.npy")
