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
import os
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SubmissionError, TrainingError
from grader.sandbox.keras_habits import with_hint
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.runner import run_module, shows_solutions
from grader.sandbox.status import read_status
from grader.submission.load import refuse_links

MODEL_FILE = "model.keras"
NOT_COMPILED = "not_compiled"  # a note the child may report: the returned model was never compiled
NOTES = {
    NOT_COMPILED: "solution_model() returned a model that was never compiled, so it was never trained: "
                  "call model.compile(...) and model.fit(...) before returning it",
}


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
    refuse_links(solution)
    if not solution.is_file():
        raise SubmissionError(f"{solution}: no such file; check the path")
    with tempfile.TemporaryDirectory(prefix="tfcert-train-") as workdir:
        workdir = Path(workdir)
        started = time.monotonic()
        run = run_module("grader.sandbox.train_child", [str(solution.resolve()), str(workdir)], workdir, limits,
                         log or _to_stderr, readonly=[solution.resolve()], solutions=shows_solutions(solution))
        seconds = time.monotonic() - started
        if run.timed_out:
            raise TrainingError(
                f"{solution}: solution_model() did not finish within the {limits.wall_seconds:g} s limit; "
                "train for fewer epochs or use a smaller model (or raise the limit with --time-limit)"
            )
        report = read_status(workdir, run, limits, expected=("saved",))
        if report.outcome != "saved":
            source = solution.read_text(encoding="utf-8", errors="replace")
            raise TrainingError(with_hint(f"{solution}: {report.message}", source))
        yield TrainedModel(_saved_model_file(workdir, solution), seconds, _notes(report.notes))


def _saved_model_file(workdir: Path, solution: Path) -> Path:
    """The model file the child saved: a regular file, never a link or a directory in its place."""
    path = workdir / MODEL_FILE
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is None or not stat.S_ISREG(mode):
        what = "no" if mode is None else "a directory or a link, not a"
        raise TrainingError(f"{solution}: training left {what} model file ({MODEL_FILE}); end solution_model() "
                            "with `return model` and let the grader save it")
    return path


def _notes(codes: tuple[str, ...]) -> tuple[str, ...]:
    """The child's notes in the grader's words where it knows the code; the child's own words quoted otherwise."""
    return tuple(NOTES.get(code, f"your code said: {code}") for code in codes)


def _to_stderr(line: str) -> None:
    sys.stderr.write(line)
    sys.stderr.flush()
