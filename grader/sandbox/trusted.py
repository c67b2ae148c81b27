"""Trust mode and SavedModels: load and predict in a sandboxed child that sees the inputs, never the targets.

A file the grader was told to trust (`--trust`) may run its own code when Keras loads it, and a
SavedModel's graph may hold file I/O ops: both are opened only in grader.sandbox.trusted_child,
under the sandbox's limits. The parent keeps the targets, feeds the inputs in the plan's secret
order and batches (grader.models.feeding), checks that the answers do not depend on batch-mates,
and scores them. Whatever the child writes is data: its answers are read only when they are
numbers, one row per input.

Example:
    predictions = predict_in_child(spec, Path("exported/"), test, feeding_plan(len(test), key))
"""

import json
import os
import stat
import tempfile
from pathlib import Path

import numpy as np

from grader.data.examples import Examples
from grader.errors import SubmissionError
from grader.models.feeding import FeedingPlan, batch_dependence, unplanned
from grader.models.predict import ModelOutputError, checked_outputs
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.runner import run_module
from grader.sandbox.status import read_status
from grader.submission.load import check_file

CHILD_MODULE = "grader.sandbox.trusted_child"
PREDICTIONS_FILE = "predictions.npy"
HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
MAX_VALUES_PER_INPUT = 4096  # a forecast of 30 steps or 1,000 classes is far less; more is not an answer


def predict_in_child(spec, path: Path, test: Examples, plan: FeedingPlan) -> np.ndarray:
    """Load and predict a trusted file or a SavedModel in a sandboxed child that sees the inputs, never the targets.

    Returns the scored answers in the examples' own order; refuses answers that depend on batch-mates.
    """
    check_file(path, spec.limits.max_file_mb)
    with tempfile.TemporaryDirectory(prefix="tfcert-trusted-") as job_dir:
        job_dir = Path(job_dir)
        job = {"model": str(path.resolve()), "task": spec.id, "batch_sizes": list(plan.batch_sizes),
               "max_file_mb": spec.limits.max_file_mb, "max_params": spec.limits.max_params}
        (job_dir / "job.json").write_text(json.dumps(job))
        np.save(job_dir / "x.npy", test.x[plan.order])
        if test.text is not None:
            np.save(job_dir / "text.npy", test.text[plan.order].astype(str))
        limits = SandboxLimits.for_task(spec.limits, spec.limits.predict_seconds)
        run = run_module(CHILD_MODULE, [str(job_dir)], job_dir, limits, log=lambda line: None,
                         readonly=[path.resolve()])
        if run.timed_out:
            raise SubmissionError(f"{path}: loading and predicting took longer than the "
                                  f"{limits.wall_seconds:g} s limit")
        report = read_status(job_dir, run, limits, expected=("predicted",))
        if report.outcome != "predicted":
            raise SubmissionError(f"{path}: {report.message}")
        outputs = read_predictions(job_dir / PREDICTIONS_FILE, len(plan.order), path)
    scored, rechecked = unplanned(outputs, plan)
    problem = batch_dependence(scored, rechecked, plan)
    if problem:
        raise SubmissionError(f"{path}: {problem}")
    return scored


def read_predictions(file: Path, rows: int, shown: Path) -> np.ndarray:
    """The child's answers, read as data: a regular .npy file of numbers, `rows` rows, of a bounded size."""
    try:
        descriptor = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        raise SubmissionError(f"{shown}: the sandboxed child reported answers but left no {PREDICTIONS_FILE}") from None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise ValueError("not a regular file")
            version = np.lib.format.read_magic(handle)
            if version not in HEADER_READERS:
                raise ValueError(f".npy format version {version}")
            shape, _, _ = HEADER_READERS[version](handle)
            if len(shape) < 1 or shape[0] != rows or np.prod(shape[1:], dtype=np.int64) > MAX_VALUES_PER_INPUT:
                raise ModelOutputError(f"the model answered with an array of shape {shape} for {rows} inputs; "
                                       "it must answer each input once")
            handle.seek(0)
            outputs = np.load(handle, allow_pickle=False)
        except ModelOutputError as exc:
            raise SubmissionError(f"{shown}: {exc}") from None
        except (ValueError, OSError, EOFError) as exc:
            raise SubmissionError(f"{shown}: the sandboxed child's answers are unreadable ({exc})") from None
    try:
        return checked_outputs(outputs, rows, tuple(outputs.shape[1:])).astype(np.float64)
    except ModelOutputError as exc:
        raise SubmissionError(f"{shown}: {exc}") from None
