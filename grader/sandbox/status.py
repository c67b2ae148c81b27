"""A sandboxed child's last word: status.json, {"outcome": ..., "message": ...}, and how the parent reads it.

The child reserves the file's room before any submitted code runs, so it can still report when
that code filled the working directory; the parent turns a missing report into a message that
says how the child ended (a signal, an exit code) in the learner's terms.

Example (in a child):
    reserve_status(workdir)
    ...
    write_status(workdir, "saved")
Example (in the parent):
    status = read_status(workdir, run, limits)   # {"outcome": "failed", "message": "..."}
"""

import json
import signal
from pathlib import Path

STATUS_FILE = "status.json"
RESERVED_BYTES = 64 * 1024  # a report's room, taken before the submission can fill the disk
DISK_FULL = ("No space left on device", "File too large")  # ENOSPC (the tmpfs is full), EFBIG (RLIMIT_FSIZE)


def reserve_status(workdir: Path) -> None:
    """Take the report's room now (blank bytes), so write_status needs no new disk space later."""
    with open(workdir / (STATUS_FILE + ".tmp"), "wb") as file:
        file.write(b" " * RESERVED_BYTES)


def write_status(workdir: Path, outcome: str, message: str = "", notes: list[str] = ()) -> None:
    """The child's report, written into its reserved room, then renamed: the parent never reads half of it.

    `notes`: things worth telling the learner even when the outcome is fine (they join the diagnostics).
    """
    report = json.dumps({"outcome": outcome, "message": message[: RESERVED_BYTES // 4],
                         "notes": [note[:1000] for note in notes[:5]]}).encode()
    temporary = workdir / (STATUS_FILE + ".tmp")
    mode = "r+b" if temporary.exists() else "wb"
    with open(temporary, mode) as file:  # r+b: overwrite in place, no truncation, no new blocks
        file.write(report + b" " * max(0, RESERVED_BYTES - len(report)))  # JSON allows trailing blanks
    temporary.replace(workdir / STATUS_FILE)


def read_status(workdir: Path, run, limits) -> dict:
    """The child's report (with the disk limit named when the disk ran full), or why there is none."""
    try:
        status = json.loads((workdir / STATUS_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return {"outcome": "failed", "message": _ended_without_report(run, limits)}
    if any(words in status.get("message", "") for words in DISK_FULL):
        status["message"] += (f"; a submission's working directory holds at most {limits.disk_mb} MB "
                              "(the task's limits.disk_mb, --disk-mb)")
    return status


def _ended_without_report(run, limits) -> str:
    """How a child that wrote no report ended, and the likely reason."""
    if run.exit_code is not None and run.exit_code < 0:
        name = signal.Signals(-run.exit_code).name
        if name == "SIGXCPU":
            return (f"stopped after using its {limits.cpu_limit} s of CPU time (SIGXCPU); "
                    "do less work, or raise the limit with --cpu-seconds")
        likely = f"often: more than the {limits.memory_mb} MB memory limit" if name == "SIGKILL" else "a crash"
        return f"the process was killed by {name} ({likely}); see the log above"
    return (f"the process ended without a result (exited with code {run.exit_code}; e.g. sys.exit(), a crash, "
            f"or more than the {limits.memory_mb} MB memory limit); see the log above")


def one_line(exc: BaseException) -> str:
    """'ValueError: what it said', whitespace collapsed to one line."""
    return f"{type(exc).__name__}: " + " ".join(str(exc).split())
