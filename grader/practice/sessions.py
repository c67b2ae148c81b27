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

import contextlib
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
from grader.catalog import list_tasks, load_task
from grader.data.files import DATASETS_DIR_ENV, datasets_dir
from grader.errors import SubmissionError, TfcertError
from grader.practice.starter import starter_name, starter_text
from grader.practice.text import START_HINT, exam_readme, problem_contract, problem_folder, when, workspace_readme
from grader.report.result import GradeResult
from grader.scoring.points import MAX_POINTS
from grader.spec import TaskSpec
from grader.store.db import Store
from grader.store.rows import Attempt, Session

Clock = Callable[[], float]


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

    @property
    def weighted_percent(self) -> float | None:
        """A mock exam's weighted total in percent (each problem's best points over 5, by weight); else None."""
        if not self.session.exam:
            return None
        weights = {problem["task"]: problem["weight"] for problem in self.session.exam["problems"]}
        earned = sum(weights[standing.task] * (standing.best.points if standing.best else 0) / MAX_POINTS
                     for standing in self.tasks)
        return 100 * earned / sum(weights.values())


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
        from grader.data.status import status

        return [spec for spec in list_tasks() if status(spec).present]
    ids = list(dict.fromkeys(part.strip() for part in task_list.split(",") if part.strip()))
    if not ids:
        raise SessionError("--tasks is empty; give task ids such as task1,task4 (see `tfcert tasks`)")
    return [load_task(task_id) for task_id in ids]


def start(store: Store, specs: list[TaskSpec], minutes: float, workspace: Path | None = None,
          *, now: Clock = time.time, exam: dict | None = None) -> Session:
    """Open a session with a deadline `minutes` from now and write its workspace.

    The workspace (`workspace`, default `./tfcert-practice-DATE`) gets each task's starter file
    and a README.md of the contracts; it must be new or empty. Both happen in one transaction:
    if the folder cannot be written, no session is recorded. `exam`: a mock exam's plan
    (grader.practice.exam), kept with the session; its workspace has a folder per problem.
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
        data_dir = datasets_dir()
        session = store.insert_session(started_at, started_at + minutes * 60, str(target.resolve()),
                                       tuple(spec.id for spec in specs), exam,
                                       None if data_dir is None else str(data_dir.resolve()))
        write_workspace(target, session, specs)
    return session


def default_workspace(folder: Path, started_at: float, prefix: str = "tfcert-practice") -> Path:
    """`folder/PREFIX-DATE`, or `-DATE-2`, `-DATE-3`... if that one is taken."""
    base = folder / f"{prefix}-{datetime.fromtimestamp(started_at):%Y-%m-%d}"
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
        problems = session.exam["problems"] if session.exam else [None] * len(specs)
        for problem, spec in zip(problems, specs, strict=True):
            folder = staging / problem_folder(problem["label"]) if problem else staging
            folder.mkdir(exist_ok=True)
            (folder / starter_name(spec)).write_text(starter_text(spec), encoding="utf-8")
            if problem:
                (folder / "CONTRACT.md").write_text(problem_contract(problem, spec), encoding="utf-8")
        readme = exam_readme(session, specs) if session.exam else workspace_readme(session, specs)
        (staging / "README.md").write_text(readme, encoding="utf-8")
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


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
           time_limit: float | None = None, limits: dict | None = None, log=None) -> Submitted:
    """Grade `submission` for `task_id` and record the attempt in one transaction.

    The submission time is taken before grading, so a long train-mode grade that starts before
    the deadline still counts. A submission the grader refuses (bad file, contract mismatch,
    training failed) is recorded as an `error` attempt and returned in `Submitted.error`.
    """
    session = check_submission(store, task_id, submission)
    submitted_at = now()
    try:
        with session_datasets_dir(session):
            result, error = grade(task_id, submission, time_limit=time_limit, limits=limits, log=log), None
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


@contextlib.contextmanager
def session_datasets_dir(session: Session):
    """Within: the datasets dir the session started with, unless one is given now (--data-dir or the env)."""
    if session.data_dir is None or datasets_dir() is not None:
        yield
        return
    os.environ[DATASETS_DIR_ENV] = session.data_dir  # train-mode children inherit it
    try:
        yield
    finally:
        os.environ.pop(DATASETS_DIR_ENV, None)


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
