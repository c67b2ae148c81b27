"""A sandboxed child's last word: status.json, {"outcome": ..., "message": ..., "notes": [...]}, read as data.

Everything in that file is the child's, and the child runs submitted code, which can rewrite the
file at any moment. So the parent reads it as untrusted data: at most 64 KB, a regular file,
JSON of the expected types, an outcome the caller expects; the child's words (its message and
any note the parent does not know) are at most 16 KB, stripped of control characters, and
shown quoted as "your code said: ...", never as the grader's own words. A missing or malformed
report becomes the grader's message on how the child ended (a signal, an exit code).

The child reserves the file's room before any submitted code runs, so it can still report when
that code filled the working directory.

Example (in a child):
    reserve_status(workdir)
    ...
    write_status(workdir, "saved", notes=["not_compiled"])
Example (in the parent):
    report = read_status(workdir, run, limits, expected=("saved",))
    report.outcome, report.message      # "failed", "your code said: solution_model() raised ..."
"""

import json
import os
import signal
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

STATUS_FILE = "status.json"
RESERVED_BYTES = 64 * 1024  # a report's room, taken before the submission can fill the disk
MAX_SAID_CHARACTERS = 16 * 1024  # the child's words kept: a 300 MB message must not reach the gradebook
MAX_NOTES = 5
DISK_FULL = ("No space left on device", "File too large")  # ENOSPC (the tmpfs is full), EFBIG (RLIMIT_FSIZE)


@dataclass(frozen=True)
class ChildReport:
    """What a child reported, as data: its outcome, its own words, its notes; or the grader's words on its end."""

    outcome: str  # one the caller expected, or "failed"
    said: str = ""  # the child's message (quoted when shown)
    notes: tuple[str, ...] = ()  # the child's notes: codes the caller may know, else more of its words
    ended: str = ""  # the grader's words when there is no usable report

    @property
    def message(self) -> str:
        """Why the child failed, for the learner: the grader's words, or the child's quoted as its own."""
        if self.ended:
            return self.ended
        return f"your code said: {self.said}" if self.said else "the process reported a failure and said nothing"


def reserve_status(workdir: Path) -> None:
    """Take the report's room now (blank bytes), so write_status needs no new disk space later."""
    with open(workdir / (STATUS_FILE + ".tmp"), "wb") as file:
        file.write(b" " * RESERVED_BYTES)


def write_status(workdir: Path, outcome: str, message: str = "", notes: list[str] = ()) -> None:
    """The child's report, written into its reserved room, then renamed: the parent never reads half of it.

    `notes`: things worth telling the learner even when the outcome is fine, as codes the parent knows.
    """
    report = json.dumps({"outcome": outcome, "message": message[:MAX_SAID_CHARACTERS // 2],
                         "notes": [note[:1000] for note in notes[:MAX_NOTES]]}).encode()
    temporary = workdir / (STATUS_FILE + ".tmp")
    mode = "r+b" if temporary.exists() else "wb"
    with open(temporary, mode) as file:  # r+b: overwrite in place, no truncation, no new blocks
        file.write(report + b" " * max(0, RESERVED_BYTES - len(report)))  # JSON allows trailing blanks
    temporary.replace(workdir / STATUS_FILE)


def read_status(workdir: Path, run, limits, expected: tuple[str, ...]) -> ChildReport:
    """The child's report checked as data (see the module doc), or the grader's words on why there is none."""
    try:
        raw = _read_capped(workdir / STATUS_FILE)
    except FileNotFoundError:
        return ChildReport("failed", ended=_ended_without_report(run, limits))
    except OSError as exc:
        return ChildReport("failed", ended=f"the process left an unreadable report (status.json: {exc.strerror}); "
                                           "see the log above")
    if raw is None:
        return ChildReport("failed", ended=f"the process wrote a report over {RESERVED_BYTES // 1024} KB "
                                           "(status.json), which the grader does not read")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ChildReport("failed", ended="the process wrote a report that is not JSON (status.json); "
                                           "see the log above")
    problem = _type_problem(data, expected)
    if problem:
        return ChildReport("failed", ended=f"the process wrote a malformed report (status.json: {problem})")
    said = plain_text(data.get("message", ""))
    if any(words in said for words in DISK_FULL):
        said += (f" [a submission's working directory holds at most {limits.disk_mb} MB "
                 "(the task's limits.disk_mb, --disk-mb)]")
    notes = tuple(plain_text(note, 1000) for note in data.get("notes", [])[:MAX_NOTES])
    return ChildReport(data["outcome"], said, notes)


def plain_text(text: str, limit: int = MAX_SAID_CHARACTERS) -> str:
    """`text` cut to `limit` characters, without control characters (no terminal escapes) but newlines."""
    text = text[:limit]
    return "".join(c if c == "\n" or unicodedata.category(c) != "Cc" else " " for c in text)


def _read_capped(path: Path) -> bytes | None:
    """The file's bytes, never following a link and never more than RESERVED_BYTES; None when it is larger."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(0, "not a regular file")
        raw = file.read(RESERVED_BYTES + 1)
    return None if len(raw) > RESERVED_BYTES else raw


def _type_problem(data, expected: tuple[str, ...]) -> str:
    """What is wrong with a decoded report's types or values, or ''."""
    if not isinstance(data, dict):
        return f"a JSON {type(data).__name__}, not an object"
    outcome = data.get("outcome")
    if outcome not in (*expected, "failed"):
        return f"outcome {str(outcome)[:40]!r} is not one of {', '.join((*expected, 'failed'))}"
    if not isinstance(data.get("message", ""), str):
        return "message is not a string"
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(note, str) for note in notes):
        return "notes is not a list of strings"
    return ""


def _ended_without_report(run, limits) -> str:
    """How a child that wrote no report ended, and the likely reason."""
    if run.exit_code is not None and run.exit_code < 0:
        try:
            name = signal.Signals(-run.exit_code).name
        except ValueError:  # a real-time signal has no name
            name = f"signal {-run.exit_code}"
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
