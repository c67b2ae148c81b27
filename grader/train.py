"""Train mode: run a learner's `solution_model()` in a child process and keep the saved model.

The child (grader.train_child) imports the solution file, seeds every random generator, calls
`solution_model()` and saves the returned model as `.keras` in a fresh temporary directory,
which is also its working directory. The parent waits up to the time limit, then kills the
child's whole process group. Only the model file crosses back; the hidden test split is built
later, in the parent. (Sandboxing beyond a child process comes with the safety issue.)

Example:
    with train_solution(Path("solutions/task4.py"), time_limit=300) as trained:
        loaded = load_model_file(trained.model_path, max_file_mb=50)
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SubmissionError, TrainingError
from grader.spec import PROJECT_ROOT

STATUS_FILE = "status.json"
MODEL_FILE = "model.keras"


@dataclass(frozen=True)
class TrainedModel:
    """Where the child saved the model, and how long training took."""

    model_path: Path
    seconds: float


@contextlib.contextmanager
def train_solution(solution: Path, time_limit: float, log=None):
    """Run `solution_model()` from `solution` in a child; yield a TrainedModel, then clean up.

    `log(line)` receives each line the child prints (training progress); default: our stderr.
    """
    if not solution.is_file():
        raise SubmissionError(f"{solution}: no such file; check the path")
    with tempfile.TemporaryDirectory(prefix="tfcert-train-") as workdir:
        workdir = Path(workdir)
        started = time.monotonic()
        _run_child(solution.resolve(), workdir, time_limit, log or _to_stderr)
        seconds = time.monotonic() - started
        status = _read_status(workdir / STATUS_FILE, solution)
        if status["outcome"] != "saved":
            raise TrainingError(f"{solution}: {status['message']}")
        yield TrainedModel(workdir / MODEL_FILE, seconds)


def _to_stderr(line: str) -> None:
    sys.stderr.write(line)
    sys.stderr.flush()


def _run_child(solution: Path, workdir: Path, time_limit: float, log) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "grader.train_child", str(solution), str(workdir)]
    process = subprocess.Popen(
        command, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        text=True, errors="replace",
    )
    # A thread forwards the child's output, so a chatty child never blocks on a full pipe.
    forwarder = threading.Thread(target=lambda: [log(line) for line in process.stdout], daemon=True)
    forwarder.start()
    try:
        process.wait(timeout=time_limit)
        forwarder.join(timeout=5)
    except subprocess.TimeoutExpired:
        # The child leads its own session: kill the whole group (threads, data loaders, forks).
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise TrainingError(
            f"{solution}: solution_model() did not finish within the {time_limit:g} s limit; "
            "train for fewer epochs or use a smaller model (or raise the limit with --time-limit)"
        ) from None
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise


def _read_status(path: Path, solution: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        raise TrainingError(
            f"{solution}: the training process ended without reporting a result "
            "(it exited or crashed, e.g. sys.exit() or running out of memory); see the log above"
        ) from None
