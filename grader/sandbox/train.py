"""Train mode: run a learner's `solution_model()` in a sandboxed child and keep the saved model.

The child (grader.sandbox.train_child, under grader.sandbox: scrubbed environment, no network where the
platform allows it, memory and time limits) imports the solution file, seeds every random
generator, calls `solution_model()` and saves the returned model as `.keras` in a fresh
temporary directory, which is also its working directory. Only that file crosses back; the
hidden test split is built later, in the parent.

Example:
    with train_solution(Path("solutions/task4.py"), SandboxLimits(300, 4096)) as trained:
        loaded = load_model_file(trained.model_path, max_file_mb=50)
"""

import contextlib
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SubmissionError, TrainingError
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.runner import run_module
from grader.sandbox.status import read_status

MODEL_FILE = "model.keras"


@dataclass(frozen=True)
class TrainedModel:
    """Where the child saved the model, and how long training took."""

    model_path: Path
    seconds: float
    notes: tuple[str, ...] = ()  # what the child noticed about the returned model (e.g. never compiled)


@contextlib.contextmanager
def train_solution(solution: Path, limits: SandboxLimits, log=None):
    """Run `solution_model()` from `solution` in a sandboxed child; yield a TrainedModel, then clean up.

    `log(line)` receives each line the child prints (training progress); default: our stderr.
    """
    if not solution.is_file():
        raise SubmissionError(f"{solution}: no such file; check the path")
    with tempfile.TemporaryDirectory(prefix="tfcert-train-") as workdir:
        workdir = Path(workdir)
        started = time.monotonic()
        run = run_module("grader.sandbox.train_child", [str(solution.resolve()), str(workdir)], workdir, limits,
                         log or _to_stderr, readonly=[solution.resolve()])
        seconds = time.monotonic() - started
        if run.timed_out:
            raise TrainingError(
                f"{solution}: solution_model() did not finish within the {limits.wall_seconds:g} s limit; "
                "train for fewer epochs or use a smaller model (or raise the limit with --time-limit)"
            )
        status = read_status(workdir, run, limits)
        if status["outcome"] != "saved":
            raise TrainingError(f"{solution}: {status['message']}")
        yield TrainedModel(workdir / MODEL_FILE, seconds, tuple(status.get("notes", ())))


def _to_stderr(line: str) -> None:
    sys.stderr.write(line)
    sys.stderr.flush()
