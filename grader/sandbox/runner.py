"""Run untrusted work (a learner's training code, a trusted-by-flag model) in a limited child.

The child is a fresh Python process in its own temporary working directory, with:
- a scrubbed environment (no TFCERT_SECRET, no credentials; HOME is the working directory);
- no network, a PID namespace and a user namespace when `unshare` can create them (Linux): the
  child's loopback is down, and killing the child kills every process it started;
- an address-space limit (RLIMIT_AS) and, inside the user namespace, a process-count limit;
- a wall-clock limit, after which its whole process group is killed.

Example:
    run = run_module("grader.sandbox.train_child", [solution, workdir], workdir, SandboxLimits(300, 4096), log)
    run.timed_out, run.exit_code
"""

import functools
import json
import os
import resource
import signal
import site
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from grader import resources
from grader.data.files import DATASETS_DIR_ENV, OFFLINE_ENV
from grader.paths import cache_dir
from grader.sandbox.limits import SandboxLimits
from grader.spec import TASKS_DIR_ENV

STATUS_FILE = "status.json"  # a child's last word: {"outcome": ..., "message": ...}
UNSHARE = ["unshare", "--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child", "--mount-proc"]
EXTRA_PROCESSES = 512  # threads count too: TensorFlow alone starts dozens


@dataclass(frozen=True)
class SandboxRun:
    """How a child ended."""

    exit_code: int | None  # None when it was killed at the time limit
    timed_out: bool
    network_isolated: bool


@functools.cache
def namespaces_available() -> bool:
    """True when `unshare` can give a child its own user, network and PID namespaces here."""
    try:
        probe = subprocess.run([*UNSHARE, "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def scrubbed_environment(workdir: Path) -> dict[str, str]:
    """Only what a child needs: nothing secret (TFCERT_SECRET, tokens, keys) crosses over."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "LANG": "C.UTF-8",
        "PYTHONPATH": child_pythonpath(),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TFCERT_CACHE_DIR": str(cache_dir()),  # the learner's splits and converted weights only
        "MPLCONFIGDIR": str(workdir),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "KERAS_BACKEND": "tensorflow",
        OFFLINE_ENV: "1",  # the child has no network: data it reads must be here already
    }
    for name in (TASKS_DIR_ENV, DATASETS_DIR_ENV, "TFDS_DATA_DIR"):  # where the learner's data lives
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


def child_pythonpath() -> str:
    """Where the child finds tfcert: the resources (reference solutions import `solutions.*`), and
    the folder holding `grader` unless it is a site-packages folder the interpreter adds itself.

    In a checkout both are the repository; installed, only the resources folder is needed, except
    for a user install (its site folder depends on HOME, which the child does not share).
    """
    package_parent = Path(resources.__file__).resolve().parents[2]
    folders = [resources.root()]
    if str(package_parent) not in {str(Path(folder).resolve()) for folder in site.getsitepackages()}:
        folders.append(package_parent)
    return os.pathsep.join(dict.fromkeys(str(folder) for folder in folders))


def _count_tasks_of_this_user() -> int:
    """Processes and threads of our uid: RLIMIT_NPROC counts them all, not just the child's."""
    uid, count = os.getuid(), 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(entry / "task"))
            except OSError:
                continue  # the process ended while we looked
    return count


def _limit_resources(memory_mb: int, max_tasks: int | None):
    """A preexec_fn: runs in the child between fork and exec."""

    def apply() -> None:
        memory = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if max_tasks is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (max_tasks, max_tasks))

    return apply


def run_module(module: str, args: list[str], workdir: Path, limits: SandboxLimits, log) -> SandboxRun:
    """Run `python -m module args...` in `workdir` under `limits`; `log(line)` gets its output."""
    isolated = namespaces_available()
    # Root ignores RLIMIT_NPROC, except inside a user namespace: only there does it stop fork bombs.
    max_tasks = _count_tasks_of_this_user() + EXTRA_PROCESSES if isolated else None
    command = [*(UNSHARE if isolated else []), sys.executable, "-m", module, *args]
    process = subprocess.Popen(
        command, cwd=workdir, env=scrubbed_environment(workdir), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True,
        errors="replace", preexec_fn=_limit_resources(limits.memory_mb, max_tasks),
    )
    # A thread forwards the child's output, so a chatty child never blocks on a full pipe.
    forwarder = threading.Thread(target=lambda: [log(line) for line in process.stdout], daemon=True)
    forwarder.start()
    try:
        process.wait(timeout=limits.wall_seconds)
        return SandboxRun(process.returncode, False, isolated)
    except subprocess.TimeoutExpired:
        return SandboxRun(None, True, isolated)
    finally:
        _kill_group(process)
        forwarder.join(timeout=5)


def write_status(workdir: Path, outcome: str, message: str = "") -> None:
    """The child's report, written atomically so the parent never reads half of it."""
    temporary = workdir / (STATUS_FILE + ".tmp")
    temporary.write_text(json.dumps({"outcome": outcome, "message": message}))
    temporary.replace(workdir / STATUS_FILE)


def read_status(workdir: Path, run: SandboxRun, limits: SandboxLimits) -> dict:
    """The child's report, or a failed one that says how the child ended without one."""
    try:
        return json.loads((workdir / STATUS_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        pass
    if run.exit_code is not None and run.exit_code < 0:
        name = signal.Signals(-run.exit_code).name
        cause = f"killed by {name}" + (" (often: out of memory)" if name == "SIGKILL" else "")
    else:
        cause = f"exited with code {run.exit_code}"
    return {
        "outcome": "failed",
        "message": f"the process ended without a result ({cause}; e.g. sys.exit(), a crash, or more than "
                   f"the {limits.memory_mb} MB memory limit); see the log above",
    }


def one_line(exc: BaseException) -> str:
    """'ValueError: what it said', whitespace collapsed to one line."""
    return f"{type(exc).__name__}: " + " ".join(str(exc).split())


def _kill_group(process: subprocess.Popen) -> None:
    """Kill the child's whole process group (it leads its own session), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # already gone with all its group
    process.wait()
