"""Timed practice sessions: a workspace of starter files, a wall-clock deadline, graded attempts.

The state lives in the results database (grader.store) and the deadline is an epoch time, not a
running timer, so a session survives closing the terminal or restarting the machine. The best
on-time attempt of each task counts; a submission after the deadline is still graded and
recorded, marked late, and never counts. Every function takes `now` (a clock) so tests can move
time.

Example:
    with open_store() as store:
        session = start(store, choose_tasks("task4"), minutes=60, workspace=Path("practice"))
        submitted = submit(store, "task4", Path("practice/task4.keras"))
        print(format_standings(standings(store, session), now=time.time()))
"""

import itertools
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from grader.api import grade
from grader.errors import SubmissionError, TfcertError
from grader.result import GradeResult
from grader.scoring import MAX_POINTS
from grader.show import format_contract
from grader.spec import TaskSpec, list_tasks, load_task
from grader.store import Attempt, Session, Store

Clock = Callable[[], float]
START_HINT = "start one with `tfcert practice start`"


class SessionError(TfcertError):
    """A practice command that does not fit the sessions' state (none active, task not in it...)."""


@dataclass(frozen=True)
class TaskStanding:
    """One task of a session: its attempts in submission order, and the one that counts."""

    task: str
    attempts: list[Attempt]

    @property
    def best(self) -> Attempt | None:
        return best_attempt(self.attempts)

    def summary(self) -> str:
        """'3' or '3 (1 late, 1 error)': how many attempts, and how many could not count."""
        late = sum(a.late for a in self.attempts)
        errors = sum(a.status == "error" for a in self.attempts)
        extras = []
        if late:
            extras.append(f"{late} late")
        if errors:
            extras.append(f"{errors} error" if errors == 1 else f"{errors} errors")
        return f"{len(self.attempts)} ({', '.join(extras)})" if extras else str(len(self.attempts))


@dataclass(frozen=True)
class Standings:
    """Where a session stands: per task, its attempts and best counted attempt."""

    session: Session
    tasks: list[TaskStanding]

    @property
    def total(self) -> int:
        return sum(standing.best.points for standing in self.tasks if standing.best)

    @property
    def max_total(self) -> int:
        return MAX_POINTS * len(self.tasks)


@dataclass(frozen=True)
class Submitted:
    """What `submit` recorded: the attempt, and either the grade or the error it holds."""

    session: Session  # as it was when the attempt was recorded
    attempt: Attempt
    result: GradeResult | None
    error: TfcertError | None
    standing: TaskStanding  # the task after this attempt was recorded

    @property
    def number(self) -> int:
        """The attempt's position among its task's attempts in the session, from 1."""
        return next(n for n, attempt in enumerate(self.standing.attempts, 1) if attempt.id == self.attempt.id)


def choose_tasks(task_list: str | None) -> list[TaskSpec]:
    """The specs named in a comma-separated list, in that order.

    When None: every task whose data is on this machine (`tfcert data list`), so a default
    session never holds a task that cannot be graded offline.
    """
    if task_list is None:
        from grader.datasets import status

        return [spec for spec in list_tasks() if status(spec).present]
    ids = list(dict.fromkeys(part.strip() for part in task_list.split(",") if part.strip()))
    if not ids:
        raise SessionError("--tasks is empty; give task ids such as task1,task4 (see `tfcert tasks`)")
    return [load_task(task_id) for task_id in ids]


def start(store: Store, specs: list[TaskSpec], minutes: float, workspace: Path | None = None,
          *, now: Clock = time.time) -> Session:
    """Open a session with a deadline `minutes` from now and write its workspace.

    The workspace (`workspace`, default `./tfcert-practice-DATE`) gets each task's starter file
    and a README.md of the contracts; it must be new or empty. Both happen in one transaction:
    if the folder cannot be written, no session is recorded.
    """
    if not specs:
        raise SessionError("no tasks to practise; add task specs or pass --tasks (see `tfcert tasks`)")
    started_at = now()
    target = Path(workspace) if workspace else default_workspace(Path.cwd(), started_at)
    with store.transaction():
        active = store.active_session()
        if active:
            raise SessionError(f"session {active.id} is still active (deadline {when(active.deadline)}); "
                               "close it with `tfcert practice end` first")
        session = store.insert_session(started_at, started_at + minutes * 60, str(target.resolve()),
                                       tuple(spec.id for spec in specs))
        write_workspace(target, session, specs)
    return session


def default_workspace(folder: Path, started_at: float) -> Path:
    """`folder/tfcert-practice-DATE`, or `-DATE-2`, `-DATE-3`... if that one is taken."""
    base = folder / f"tfcert-practice-{datetime.fromtimestamp(started_at):%Y-%m-%d}"
    candidates = itertools.chain([base], (folder / f"{base.name}-{n}" for n in itertools.count(2)))
    return next(path for path in candidates if _new_or_empty(path))


def _new_or_empty(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def write_workspace(target: Path, session: Session, specs: list[TaskSpec]) -> None:
    """Fill `target` (new or empty) with the starter files and README.md, all or nothing."""
    if not _new_or_empty(target):
        raise SessionError(f"{target}: already exists and is not an empty folder; pass --dir with a new or empty one")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a workspace is an ordinary folder
        for spec in specs:
            shutil.copyfile(spec.project_path(spec.starter), staging / Path(spec.starter).name)
        (staging / "README.md").write_text(workspace_readme(session, specs), encoding="utf-8")
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def workspace_readme(session: Session, specs: list[TaskSpec]) -> str:
    """The workspace's README.md: the rules, the commands, and every task's contract."""
    example = specs[0].id
    lines = [
        f"# tfcert practice session {session.id}",
        "",
        f"Started {when(session.started_at)}, deadline {when(session.deadline)} "
        f"({duration(session.deadline - session.started_at)}). The best attempt before the deadline counts "
        "for each task; later attempts are graded but marked late and do not count.",
        "",
        "```text",
        *(f"{command:<44} # {comment}" for command, comment in [
            ("tfcert practice status", "time left; best score and attempts per task"),
            (f"python {example}.py", f"runs solution_model(), saves {example}.keras here"),
            (f"tfcert practice submit {example} {example}.keras", "grade a saved model (.keras or .h5)"),
            (f"tfcert practice submit {example} {example}.py", "or let the grader train solution_model()"),
            ("tfcert practice end", "close the session: final table and total"),
        ]),
        "```",
    ]
    for spec in specs:
        lines += ["", f"## {spec.id} - {spec.title}", "", "```text", format_contract(spec), "```"]
    return "\n".join(lines) + "\n"


def require_active(store: Store) -> Session:
    """The active session, or a SessionError that says how to start one."""
    session = store.active_session()
    if session is None:
        raise SessionError(f"no active practice session; {START_HINT} (`tfcert history` lists past ones)")
    return session


def check_submission(store: Store, task_id: str, submission: Path) -> Session:
    """The active session, if `task_id` is one of its tasks and `submission` exists; else say what to fix.

    Nothing is recorded for these mistakes: a typo is not an attempt.
    """
    session = require_active(store)
    if task_id not in session.tasks:
        raise SessionError(f"{task_id} is not a task of session {session.id} ({', '.join(session.tasks)}); "
                           "submit one of those")
    if not Path(submission).exists():
        raise SubmissionError(f"{submission}: no such file or folder; check the path")
    return session


def pick_session(store: Store, session_id: int | None) -> Session:
    """Session `session_id`; by default the active one, else the most recent."""
    sessions = store.sessions()
    if not sessions:
        raise SessionError(f"no practice sessions yet; {START_HINT}")
    if session_id is None:
        return next((s for s in sessions if s.active), sessions[-1])
    session = store.session(session_id)
    if session is None:
        raise SessionError(f"no session {session_id}; `tfcert history` lists the sessions")
    return session


def submit(store: Store, task_id: str, submission: Path, *, now: Clock = time.time,
           time_limit: float | None = None, log=None) -> Submitted:
    """Grade `submission` for `task_id` and record the attempt in one transaction.

    The submission time is taken before grading, so a long train-mode grade that starts before
    the deadline still counts. A submission the grader refuses (bad file, contract mismatch,
    training failed) is recorded as an `error` attempt and returned in `Submitted.error`.
    """
    session = check_submission(store, task_id, submission)
    submitted_at = now()
    try:
        result, error = grade(task_id, submission, time_limit=time_limit, log=log), None
    except TfcertError as exc:
        result, error = None, exc
    with store.transaction():
        current = store.session(session.id)
        # Ended while this one was grading: the final table is out, so it cannot count either.
        late = submitted_at > current.deadline or not current.active
        attempt = store.insert_attempt(
            session_id=session.id, task=task_id, submission=str(submission), submitted_at=submitted_at, late=late,
            result=None if result is None else result.to_dict(), message=None if error is None else str(error),
        )
    standing = standings(store, current).tasks[current.tasks.index(task_id)]
    return Submitted(current, attempt, result, error, standing)


def end(store: Store, *, now: Clock = time.time) -> Standings:
    """Close the active session; return its final standings."""
    with store.transaction():
        session = require_active(store)
        store.end_session(session.id, now())
    return standings(store, store.session(session.id))


def standings(store: Store, session: Session) -> Standings:
    """Per task of `session`: its attempts and the best counted one."""
    attempts = store.attempts(session.id)
    return Standings(session, [TaskStanding(task, [a for a in attempts if a.task == task]) for task in session.tasks])


def best_attempt(attempts: list[Attempt]) -> Attempt | None:
    """The counted attempt with the most points; ties go to the better metric value, then the earlier."""

    def rank(attempt: Attempt):
        if attempt.value is None:
            quality = float("-inf")
        else:
            quality = -attempt.value if attempt.result["lower_is_better"] else attempt.value
        return attempt.points, quality, -attempt.submitted_at

    return max((a for a in attempts if a.counted), key=rank, default=None)


def format_submitted(submitted: Submitted, now: float) -> str:
    """One line after the score table: counted or late, the best so far, the time left."""
    session, attempt, best = submitted.session, submitted.attempt, submitted.standing.best
    head = f"{attempt.task} attempt {submitted.number} (session {session.id})"
    best_text = f"{best.points}/{MAX_POINTS}" if best else "nothing yet"
    if attempt.status == "error":
        return f"{head} recorded as an error: it scores nothing; best so far {best_text}"
    if attempt.late:
        lateness = (f"{duration(attempt.submitted_at - session.deadline)} after the deadline"
                    if attempt.submitted_at > session.deadline else "after the session ended")
        return (f"{head}: {attempt.points}/{MAX_POINTS}, LATE: submitted {lateness}; it is graded but does not count "
                f"(best stays {best_text}); `tfcert practice end` closes the session")
    return f"{head}: {attempt.points}/{MAX_POINTS}, counted; best so far {best_text}; {session_state(session, now)}"


def format_started(session: Session) -> str:
    """What `practice start` prints: the deadline, the workspace, what to do next."""
    return "\n".join([
        f"practice session {session.id} started: {', '.join(session.tasks)}; "
        f"{duration(session.deadline - session.started_at)} allowed",
        f"deadline   {when(session.deadline)}",
        f"workspace  {session.workspace}   (README.md: the contracts; one starter file per task)",
        "next       fill in a starter, then `tfcert practice submit TASK FILE`; `tfcert practice status` shows the time left",
    ])


def format_standings(standings: Standings, now: float) -> str:
    """The session header (times, workspace) and the per-task table with the total."""
    session = standings.session
    return "\n".join([
        f"practice session {session.id}: started {when(session.started_at)}, deadline {when(session.deadline)}, "
        f"{session_state(session, now)}",
        f"workspace  {session.workspace}",
        "",
        format_table(standings_rows(standings)),
    ])


def standings_rows(standings: Standings) -> list[tuple[str, ...]]:
    """The per-task table: a header row, one row per task (its best counted attempt), the total."""
    rows = [("task", "best", "metric", "verdict", "attempts")]
    for standing in standings.tasks:
        best = standing.best
        if best is None:
            rows.append((standing.task, "-", "-", "-", standing.summary()))
            continue
        value = "n/a" if best.value is None else f"{best.value:.4f}"
        rows.append((standing.task, f"{best.points}/{MAX_POINTS}", f"{best.result['metric_label']} {value}",
                     "PASS" if best.result["passed"] else "FAIL", standing.summary()))
    rows.append(("total", f"{standings.total}/{standings.max_total}", "", "", ""))
    return rows


def format_history(all_standings: list[Standings], now: float) -> str:
    """Sessions, newest first; per task its scores over time (h:mm after the start)."""
    if not all_standings:
        return f"no practice sessions yet; {START_HINT}"
    blocks = []
    for standings in reversed(all_standings):
        session = standings.session
        lines = [f"session {session.id}  started {when(session.started_at)}, "
                 f"{duration(session.deadline - session.started_at)} allowed, {session_state(session, now)}; "
                 f"total {standings.total}/{standings.max_total}"]
        for standing in standings.tasks:
            scores = [f"{elapsed(a, session)} {score_text(a)}" for a in standing.attempts] or ["no attempts"]
            lines.append(f"  {standing.task:<8} " + ", ".join(scores))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def format_table(rows: list[tuple[str, ...]]) -> str:
    """Left-aligned columns two spaces apart; the first row is the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def score_text(attempt: Attempt) -> str:
    """'4/5', '4/5 late' or 'error'."""
    if attempt.status == "error":
        return "error"
    return f"{attempt.points}/{MAX_POINTS}" + (" late" if attempt.late else "")


def elapsed(attempt: Attempt, session: Session) -> str:
    """When the attempt was submitted, as h:mm after the session started."""
    minutes = int(attempt.submitted_at - session.started_at) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def session_state(session: Session, now: float) -> str:
    """'time left 0:42:10', 'deadline passed ... ago: ...' or 'ended 2024-05-01 14:10'."""
    if not session.active:
        return f"ended {when(session.ended_at)}"
    left = session.deadline - now
    if left >= 0:
        return f"time left {duration(left)}"
    return f"deadline passed {duration(-left)} ago: submissions are marked late"


def when(epoch: float) -> str:
    """Local wall-clock time, to the minute."""
    return f"{datetime.fromtimestamp(epoch):%Y-%m-%d %H:%M}"


def duration(seconds: float) -> str:
    """h:mm:ss"""
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
