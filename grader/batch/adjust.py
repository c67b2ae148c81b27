"""From the ladder's points to the gradebook's: the late rule and the instructor's overrides.

A batch run may carry a late rule, as practice sessions count late attempts: a submission whose
file time is after the deadline is graded and shown, and by default counts 0; with a penalty it
loses that many points per day started after the deadline instead. An override (`tfcert batch
override RUN STUDENT POINTS --note ...`) sets a student's points by hand, whatever the ladder or
the late rule said, and its note travels with the row into every export. Both are kept in the
results database with the run, so a `--resume` and a later override keep them.

Example:
    rule = LateRule(deadline=parse_deadline("2025-05-01 23:59"), penalty_per_day=1)
    rows = adjusted_rows(rows, rule, store.overrides(run_id), spec.metric.pass_points)
"""

import dataclasses
import math
from dataclasses import dataclass
from datetime import datetime

from grader.errors import TfcertError
from grader.scoring.points import MAX_POINTS
from grader.store.rows import Adjustment, BatchRow, Override

DAY_SECONDS = 86400


class AdjustError(TfcertError):
    """A late rule or an override that cannot apply (a deadline that is not a time, points off the scale)."""


@dataclass(frozen=True)
class LateRule:
    """A deadline, and what a late submission loses: all its points (None), or `penalty_per_day` per day started."""

    deadline: float  # epoch seconds
    penalty_per_day: int | None = None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "LateRule | None":
        return None if data is None else cls(**data)

    def describe(self) -> str:
        """'late after 2025-05-01 23:59: counts 0' or '...: -1 point per day started'."""
        after = datetime.fromtimestamp(self.deadline).astimezone().strftime("%Y-%m-%d %H:%M %Z")
        loses = "counts 0" if self.penalty_per_day is None else f"-{self.penalty_per_day} per day started"
        return f"late after {after}: {loses}"


def parse_deadline(text: str) -> float:
    """'2025-05-01 23:59' (local time) or an ISO 8601 time with its offset, as epoch seconds."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise AdjustError(f"--deadline {text!r}: not a time; write it as YYYY-MM-DD HH:MM (local time) "
                          "or with an offset, e.g. 2025-05-01T23:59+02:00") from None
    return moment.timestamp()  # a naive time is local time


def check_override_points(points: int) -> int:
    if not 0 <= points <= MAX_POINTS:
        raise AdjustError(f"POINTS {points}: an override is between 0 and {MAX_POINTS} points")
    return points


def late_days(row: BatchRow, rule: LateRule | None) -> int | None:
    """Days started after the deadline (1 for a minute late); None when on time, unknown or without a rule."""
    if rule is None or row.submitted_at is None or row.submitted_at <= rule.deadline:
        return None
    return math.ceil((row.submitted_at - rule.deadline) / DAY_SECONDS)


def adjusted(row: BatchRow, rule: LateRule | None, override: Override | None, pass_points: int) -> BatchRow:
    """The row as the gradebook shows it: points and pass after the late rule, then the override."""
    days = late_days(row, rule)
    points, passed, off = row.points, row.passed, 0
    if days is not None:
        off = points if rule.penalty_per_day is None else min(points, rule.penalty_per_day * days)
        points -= off
        passed = passed and points >= pass_points
    if override is not None:
        points, passed = override.points, override.points >= pass_points
    if days is None and override is None:
        return row
    return dataclasses.replace(row, points=points, passed=passed,
                               adjustment=Adjustment(row.points, days, off, override))


def adjusted_rows(rows: list[BatchRow], rule: LateRule | None, overrides: dict[str, Override],
                  pass_points: int) -> list[BatchRow]:
    """Every row adjusted (those without lateness or an override stay as they are)."""
    return [adjusted(row, rule, overrides.get(row.student), pass_points) for row in rows]


def adjustment_text(row: BatchRow) -> str:
    """What changed the row's points, in words ('' when nothing): for notes, feedback and LMS comments."""
    change = row.adjustment
    if change is None:
        return ""
    parts = []
    if change.late_days is not None:
        days = "1 day" if change.late_days == 1 else f"{change.late_days} days"
        parts.append(f"submitted late ({days} after the deadline): -{change.late_points_off} of "
                     f"{change.graded_points} points")
    if change.override is not None:
        earlier = " (made for an earlier file)" if change.override.sha256 not in ("", row.sha256) else ""
        parts.append(f"set to {change.override.points} points by the instructor{earlier}: {change.override.note}")
    return "; ".join(parts)
