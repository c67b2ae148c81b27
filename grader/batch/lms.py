"""Gradebooks as Canvas and Moodle import them: their documented CSV layouts, filled from the roster.

Canvas (Grades > Import): a header `Student, ID, SIS User ID, SIS Login ID, Section, <assignment>`,
then a `Points Possible` row, then one row per student. Canvas finds a student by the ID (its
user id), else the SIS User ID, else the SIS Login ID, else the name; a header `Title (123)`
targets assignment 123, any other title makes a new assignment. Moodle (Gradebook > Import > CSV
file): a header row, one column that identifies the user (Moodle maps it to the email address,
ID number or username), the grade column (mapped to a grade item, or a new one) and a feedback
column. The roster's columns fill these (`name`, `email`, `id number`, `username`, `canvas id`,
`sis user id`, `sis login id`, `section`, in any case, with spaces or underscores); where the
roster has no login, the student's name in the submissions (the gradebook's `student`) is used
as the SIS Login ID and the username. Points are the gradebook's, after the late rule and any
override; the feedback never holds the metric on the hidden test split (students see it at once).

The CSV text is made by the gradebook's own writer (passed in as `write_csv`), so every CSV
tfcert writes goes through one function.

Example:
    canvas_files(rows, spec, write_csv)    # [(Path("canvas.csv"), "Student,ID,...")]
"""

from collections.abc import Callable
from pathlib import Path

from grader.batch.adjust import adjustment_text
from grader.scoring.points import MAX_POINTS
from grader.store.rows import STATUSES, BatchRow

WriteCsv = Callable[[tuple[str, ...], list[dict]], str]
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_USER_COLUMNS = ("Full name", "Email address", "ID number", "Username")
# identity field -> the roster column names that give it (compared lower-case, '_' read as ' ')
ROSTER_FIELDS = {
    "name": ("name", "full name", "student name"),
    "email": ("email", "email address", "e-mail"),
    "idnumber": ("id number", "idnumber", "student number"),
    "username": ("username", "login", "user name"),
    "canvas_id": ("canvas id", "canvas user id", "canvas_id"),
    "sis_user_id": ("sis user id",),
    "sis_login_id": ("sis login id",),
    "section": ("section",),
}


def identity(roster_row: dict[str, str]) -> dict[str, str]:
    """The LMS identifiers a roster row gives (its own column names are free, see ROSTER_FIELDS)."""
    columns = {" ".join(name.replace("_", " ").lower().split()): value for name, value in roster_row.items() if name}
    found = {}
    for field, names in ROSTER_FIELDS.items():
        value = next((columns[name].strip() for name in names if (columns.get(name) or "").strip()), None)
        if value:
            found[field] = value
    return found


def assignment_title(spec) -> str:
    """The grade column's header: `tfcert <task>` (a new Canvas assignment / Moodle grade item by that name)."""
    return f"tfcert {spec.id}"


def canvas_files(rows: list[BatchRow], spec, write_csv: WriteCsv) -> list[tuple[Path, str]]:
    """canvas.csv in Canvas's gradebook import layout."""
    title = assignment_title(spec)
    columns = (*CANVAS_STUDENT_COLUMNS, title)
    records = [dict.fromkeys(columns, "") | {"Student": "    Points Possible", title: MAX_POINTS}]
    for row in rows:
        who = row.identity
        records.append({
            "Student": who.get("name", row.student),
            "ID": who.get("canvas_id", ""),
            "SIS User ID": who.get("sis_user_id", ""),
            "SIS Login ID": who.get("sis_login_id") or who.get("username") or row.student,
            "Section": who.get("section", ""),
            title: row.points,
        })
    return [(Path("canvas.csv"), write_csv(columns, records))]


def moodle_files(rows: list[BatchRow], spec, write_csv: WriteCsv) -> list[tuple[Path, str]]:
    """moodle.csv for Moodle's CSV grade import: user columns, the grade, the feedback."""
    title = assignment_title(spec)
    columns = (*MOODLE_USER_COLUMNS, title, "Feedback")
    records = []
    for row in rows:
        who = row.identity
        records.append({
            "Full name": who.get("name", row.student),
            "Email address": who.get("email", ""),
            "ID number": who.get("idnumber", ""),
            "Username": who.get("username") or who.get("sis_login_id") or row.student,
            title: row.points,
            "Feedback": feedback_line(row, spec),
        })
    return [(Path("moodle.csv"), write_csv(columns, records))]


def feedback_line(row: BatchRow, spec) -> str:
    """One line a student may read: points, verdict or why not graded, and any late rule or override."""
    if row.status == "graded":
        verdict = "PASS" if row.passed else "FAIL"
        text = f"{row.points} of {MAX_POINTS} points, {verdict} (the pass line is {spec.metric.pass_points})"
    else:
        text = (f"{row.points} of {MAX_POINTS} points: not graded ({row.status}): "
                f"{row.message or STATUSES[row.status]}")
    change = adjustment_text(row)
    return f"{text}; {change}" if change else text
