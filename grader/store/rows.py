"""The rows the results database holds, as plain dataclasses: sessions, attempts, batch results.

Owned here, beneath practice and batch grading, so both stages share them without importing
each other.

Example:
    attempt.counted            # graded and on time
    BatchRow(...).status       # a key of STATUSES
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Session:
    """One timed practice session."""

    id: int
    started_at: float
    deadline: float
    ended_at: float | None
    workspace: str
    tasks: tuple[str, ...]
    # A mock exam's plan: {"id", "title", "pass_percent", "problems": [{"label", "task", "weight",
    # "stands_in_for", "note"}]}, the task being the one graded here; None for a plain session.
    exam: dict | None = None
    data_dir: str | None = None  # the datasets dir (--data-dir) in effect at the start: later commands use it

    @property
    def active(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class Attempt:
    """One recorded submission: graded (points, value, result) or failed (message)."""

    id: int
    session_id: int | None
    task: str
    submission: str
    submitted_at: float
    status: str  # "graded" or "error"
    late: bool
    points: int | None
    value: float | None
    message: str | None
    result: dict | None  # GradeResult.to_dict(): reports read the figure here and never regrade
    source: str

    @property
    def counted(self) -> bool:
        return self.status == "graded" and not self.late


# What a batch row's status means; "graded" is the only one with a score from the model.
STATUSES = {
    "graded": "graded (any score)",
    "error": "refused: the submission is unusable (bad file, contract mismatch, training failed)",
    "crashed": "the grading worker died on this submission",
    "timeout": "grading took longer than the limit",
    "missing": "on the roster, but nothing was submitted",
    "ambiguous": "the student's folder holds more than one model or solution file",
}


@dataclass(frozen=True)
class Override:
    """An instructor's manual grade for one student of a batch run, with the note that explains it."""

    student: str
    points: int
    note: str
    sha256: str  # the file graded when the override was made ('' if none)
    created_at: float


@dataclass(frozen=True)
class Adjustment:
    """What turned a row's ladder points into its gradebook points: lateness, an override (grader.batch.adjust)."""

    graded_points: int  # what the submission earned on the ladder (0 when it was not graded)
    late_days: int | None  # days started after the deadline; None when on time or without a deadline
    late_points_off: int  # what the late rule took
    override: Override | None


@dataclass(frozen=True)
class BatchRow:
    """One student's outcome in a batch run (one row of the gradebook)."""

    student: str
    file: str | None  # relative to the submissions root; None when missing
    sha256: str  # of the file's content; "" when there is no single file
    status: str  # a key of STATUSES
    message: str | None  # why, when status is not "graded"
    points: int  # 0 unless graded; in the exports, after any adjustment
    value: float | None  # the metric, when graded and finite
    passed: bool
    result: dict | None  # GradeResult.to_dict() when graded
    graded_at: float  # epoch seconds
    submitted_at: float | None = None  # the file's time (its modification time, or its zip entry's)
    # Attached for the exports, never stored with the row: the late rule's and an override's effect
    # (grader.batch.adjust), and the student's identifiers from the roster (LMS exports).
    adjustment: Adjustment | None = None
    identity: dict = field(default_factory=dict)
