"""Run untrusted work (a learner's training code, a trusted-by-flag model) in a limited child.

The child is a fresh Python process in its own temporary working directory, with:
- a private file-system view where bubblewrap or unshare can build one (grader.sandbox.view):
  read-only Python, tfcert, the task specs and the learner's data; writable only its working
  directory, a size-limited tmpfs; no host /tmp, no $HOME, no results database, no other
  submissions; its own network (loopback down), PID, IPC and UTS namespaces;
- a scrubbed environment (no TFCERT_SECRET, no credentials; HOME is the working directory);
- memory, file-size, CPU-time and process-count limits (grader.sandbox.rlimits);
- a wall-clock limit, after which its whole process group is killed.
Without either mechanism (macOS, user namespaces disabled) the child runs with the limits
only; `isolation()` says which case applies (`tfcert doctor` shows it).

Example:
    run = run_module("grader.sandbox.train_child", [solution, workdir], workdir, SandboxLimits(300, 4096), log,
                     readonly=[Path(solution)])
    run.timed_out, run.exit_code, run.isolation
"""

import contextlib
import functools
import os
import signal
import site
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from grader import resources
from grader.data import SECRET_ENV
from grader.data.files import DATASETS_DIR_ENV, OFFLINE_ENV
from grader.data.status import learner_data_paths
from grader.errors import TfcertError
from grader.paths import cache_dir
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.rlimits import EXTRA_PROCESSES, child_rlimits, pids_cgroup, tasks_of_this_user
from grader.sandbox.seccomp import filter_program
from grader.sandbox.supervisor import SETUP_FAILED
from grader.sandbox.view import MECHANISMS, available_mechanisms, decode_returncode, probe_errors, wrap_command
from grader.spec import TASKS_DIR_ENV, resource_dirs, solution_dirs

ISOLATION_ENV = "TFCERT_ISOLATION"  # bwrap | unshare | none; unset: the best that works here
REQUIRE_ISOLATION_ENV = "TFCERT_REQUIRE_ISOLATION"  # "1": refuse to run a child without a view (batch sets it)
HIDE_SOLUTIONS_ENV = "TFCERT_HIDE_SOLUTIONS"  # "1": submitted code never sees the reference solutions (batch sets it)
GRADER_CODE = Path(__file__).resolve().parents[1]  # the grader package, wherever it is installed


class SandboxError(TfcertError):
    """The sandbox cannot be set up as asked (e.g. TFCERT_ISOLATION names a mechanism that does not work here)."""


@dataclass(frozen=True)
class SandboxRun:
    """How a child ended."""

    exit_code: int | None  # None when it was killed at the time limit; -N: killed by signal N
    timed_out: bool
    isolation: str | None  # "bwrap", "unshare", or None (limits only)


def isolation() -> str | None:
    """The mechanism children run under: TFCERT_ISOLATION if set, else the best that works here, else None."""
    return _isolation(os.environ.get(ISOLATION_ENV, "").strip().lower())


@functools.cache
def _isolation(asked: str) -> str | None:
    if asked == "none":
        return None
    if asked and asked not in MECHANISMS:
        raise SandboxError(f"{ISOLATION_ENV}={asked!r}: use one of {', '.join(MECHANISMS)}, none (or leave it unset)")
    available = available_mechanisms()
    if asked:
        if asked not in available:
            raise SandboxError(f"{ISOLATION_ENV}={asked} does not work here ({probe_errors()[asked]}); "
                               "run `tfcert doctor`")
        return asked
    return available[0] if available else None


def isolation_problem() -> str:
    """In one line: why children run without a file-system view or a seccomp filter here, and how to get them."""
    if os.environ.get(ISOLATION_ENV, "").strip().lower() == "none":
        return f"{ISOLATION_ENV}=none turns the sandbox off; unset it to isolate submitted code"
    if isolation() is not None and filter_program() is None:
        return ("no seccomp filter here (libseccomp or its binding pyseccomp is missing); install libseccomp2 "
                "(apt install libseccomp2) and tfcert's dependencies again (pip install tfcert)")
    reasons = "; ".join(f"{name}: {why}" for name, why in probe_errors().items())
    return (f"no sandbox isolation here ({reasons}); install bubblewrap (apt install bubblewrap) or enable "
            "unprivileged user namespaces, or grade inside a container (see docs/SECURITY.md)")


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
        "HDF5_USE_FILE_LOCKING": "FALSE",  # the seccomp filter refuses file locks: h5py must not ask for them
        OFFLINE_ENV: "1",  # the child has no network: data it reads must be here already
    }
    for name in (TASKS_DIR_ENV, DATASETS_DIR_ENV, "TFDS_DATA_DIR"):  # where the learner's data lives
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


def child_readonly_paths(extra=(), solutions: bool = False) -> list[Path]:
    """What a child may read besides Python: tfcert's code, the task resources, the learner's data, `extra`.

    The reference solutions only with `solutions=True` (see `shows_solutions`).
    """
    return list(dict.fromkeys([GRADER_CODE, *resource_dirs(solutions), *learner_data_paths(), *map(Path, extra)]))


def shows_solutions(solution: Path) -> bool:
    """Whether the child that trains `solution` may see tfcert's reference solutions.

    A reference solution itself may (some import shared helpers from `solutions/`); other code may
    only where nothing is at stake: never with TFCERT_SECRET set, never in a batch (which sets
    TFCERT_HIDE_SOLUTIONS=1), never where the instructor sets that variable. Otherwise a
    student's file could run the reference solution and earn its points.
    """
    if any(solution.resolve().is_relative_to(folder.resolve()) for folder in solution_dirs()):
        return True
    return not (os.environ.get(SECRET_ENV) or os.environ.get(HIDE_SOLUTIONS_ENV) == "1")


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


def run_module(module: str, args: list[str], workdir: Path, limits: SandboxLimits, log,
               readonly=(), solutions: bool = False) -> SandboxRun:
    """Run `python -m module args...` in `workdir` under `limits`; `log(line)` gets its output.

    `readonly` names what this child may read besides tfcert and the learner's data (the
    submission); `solutions` lets it see the reference solutions too. In the view, `workdir` is a
    tmpfs of `limits.disk_mb`: the files in it are copied in before the child starts and its
    files are copied back when it ends.
    """
    mechanism = isolation()
    command = [sys.executable, "-m", module, *args]
    program = filter_program()
    if os.environ.get(REQUIRE_ISOLATION_ENV) == "1" and (mechanism is None or program is None):
        raise SandboxError(f"refused to run the submission's code: {isolation_problem()}")
    if mechanism is None or program is None:
        _say_not_isolated()
    descriptor = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC) if mechanism else None
    try:
        if mechanism:
            command = wrap_command(command, workdir=workdir, readonly=child_readonly_paths(readonly, solutions),
                                   disk_mb=limits.disk_mb, mechanism=mechanism, workdir_fd=descriptor,
                                   masked=[] if solutions else solution_dirs(), seccomp=program)
        as_root = os.geteuid() == 0
        # RLIMIT_NPROC counts all of a user's tasks; the kernel never enforces it for root, whose
        # children get a pids cgroup of their own instead (where one is writable).
        max_tasks = None if as_root else tasks_of_this_user() + EXTRA_PROCESSES
        with pids_cgroup(EXTRA_PROCESSES) if as_root else contextlib.nullcontext() as attach:
            process = subprocess.Popen(
                command, cwd=workdir, env=scrubbed_environment(workdir), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, text=True,
                errors="replace", pass_fds=() if descriptor is None else (descriptor,),
                # Without a view the filter goes on here; with one, the supervisor installs it (bwrap and
                # the supervisor's own mounts need the calls it refuses).
                preexec_fn=child_rlimits(limits, max_tasks, attach, None if mechanism else program),
            )
            return _wait(process, limits, log, mechanism)
    finally:
        if descriptor is not None:
            os.close(descriptor)


def _wait(process: subprocess.Popen, limits: SandboxLimits, log, mechanism: str | None) -> SandboxRun:
    """Forward the child's output to `log` until it ends or its wall-clock time is up; then kill its group."""
    # A thread forwards the output, so a chatty child never blocks on a full pipe.
    forwarder = threading.Thread(target=lambda: [log(line) for line in process.stdout], daemon=True)
    forwarder.start()
    try:
        process.wait(timeout=limits.wall_seconds)
        code = decode_returncode(process.returncode) if mechanism else process.returncode
        if mechanism and code == SETUP_FAILED:
            raise SandboxError(f"the sandbox ({mechanism}) could not be set up; see the log above, "
                               f"and run `tfcert doctor` (or set {ISOLATION_ENV})")
        return SandboxRun(code, False, mechanism)
    except subprocess.TimeoutExpired:
        return SandboxRun(None, True, mechanism)
    finally:
        _kill_group(process)
        forwarder.join(timeout=5)


@functools.cache
def _say_not_isolated() -> None:
    """Once per process: the child about to run lacks its file-system view or its seccomp filter (which, and why)."""
    sys.stderr.write(f"warning: the submission's code runs without the full sandbox: {isolation_problem()}\n")


def _kill_group(process: subprocess.Popen) -> None:
    """Kill the child's whole process group (it leads its own session), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # already gone with all its group
    process.wait()
