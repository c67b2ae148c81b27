"""Gradebooks as LMSs take them: Canvas and Moodle CSVs read by parsers of their documented import
formats, the late rule from the files' times, and overrides kept in the database through --resume.

No grading happens here: a previous run's rows are stored by hand (as workers would), so a
`--resume` finds everything graded and only exports.
"""

import csv
import io
import json
import os
import time
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from grader import cli
from grader.batch.adjust import LateRule
from grader.batch.run import BatchOptions, file_time, run_batch, sha256_of
from grader.catalog import load_task
from grader.store.db import open_store
from grader.store.rows import BatchRow

DEADLINE = 1_700_000_000.0
DAY = 86400
ROSTER = """student,name,email,username,canvas id,sis user id,section
alice,"Lovelace, Ada",ada@example.edu,alovelace,1001,S-01,Section A
bob,Bob Marley,bob@example.edu,bmarley,1002,S-02,Section B
carol,Carol Shaw,carol@example.edu,cshaw,1003,S-03,Section A
dave,Dave Cutler,dave@example.edu,dcutler,1004,S-04,Section B
"""


@dataclass(frozen=True)
class User:
    id: str
    sis_user_id: str
    login: str
    name: str
    email: str
    idnumber: str = ""


COURSE = [User("1001", "S-01", "alovelace", "Lovelace, Ada", "ada@example.edu"),
          User("1002", "S-02", "bmarley", "Bob Marley", "bob@example.edu"),
          User("1003", "S-03", "cshaw", "Carol Shaw", "carol@example.edu"),
          User("1004", "S-04", "dcutler", "Dave Cutler", "dave@example.edu")]


def canvas_import(text: str, course: list[User]) -> tuple[dict[str, float], dict[str, float]]:
    """Canvas's gradebook CSV import, as its GradebookImporter reads a file: (grades by user id, points possible).

    The header's first columns are Student and ID, then optionally SIS User ID and SIS Login ID,
    and the last student column is Section; the other columns are assignments. A row whose first
    cell holds 'Points Possible' gives the assignments' points. A student is the course's user with
    that ID, else that SIS User ID, else that SIS Login ID, else that name; anyone else is refused.
    """
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1], "invalid header row"
    student_columns = 3
    sis_user = sis_login = None
    if "SIS Login ID" in header[2]:
        sis_login, student_columns = 2, 4
    elif "SIS User ID" in header[2] and "SIS Login ID" in header[3]:
        sis_user, sis_login, student_columns = 2, 3, 5
    assert "Section" in header[student_columns - 1], "invalid header row"
    assignments = header[student_columns:]
    possible, grades = {}, {}
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            possible = {title: float(row[student_columns + i]) for i, title in enumerate(assignments)}
            continue
        user = next((u for u in course if u.id == row[1]), None)
        if user is None and sis_user is not None and row[sis_user]:
            user = next((u for u in course if u.sis_user_id == row[sis_user]), None)
        if user is None and sis_login is not None and row[sis_login]:
            user = next((u for u in course if u.login == row[sis_login]), None)
        if user is None:
            user = next((u for u in course if u.name == row[0]), None)
        assert user is not None, f"no such student: {row[:student_columns]}"
        for i, title in enumerate(assignments):
            grades.setdefault(title, {})[user.id] = float(row[student_columns + i])
    return grades, possible


def moodle_import(text: str, map_from: str, map_to: str, grade_column: str, feedback_column: str,
                  course: list[User]) -> dict[str, tuple[float | None, str]]:
    """Moodle's CSV grade import (gradeimport_csv): the header row names the columns, "Map from" a column
    and "Map to" a user field (userid, useridnumber, useremail, username); a row with that cell empty is
    skipped; a grade of '' or '-' is no grade, else a number (a decimal comma is read too); a column
    mapped to "feedback" gives the feedback text. Returns user id -> (grade, feedback)."""
    rows = list(csv.reader(io.StringIO(text)))
    header = [cell.strip() for cell in rows[0]]
    field = {"userid": "id", "useridnumber": "idnumber", "useremail": "email", "username": "login"}[map_to]
    source, grade_at, feedback_at = header.index(map_from), header.index(grade_column), header.index(feedback_column)
    imported = {}
    for row in rows[1:]:
        key = row[source].strip()
        if not key:
            continue
        user = next((u for u in course if getattr(u, field) == key), None)
        assert user is not None, f"{map_from} {key!r}: no such user"
        raw = row[grade_at].strip()
        grade = None if raw in ("", "-") else float(raw.replace(",", "."))
        imported[user.id] = (grade, row[feedback_at])
    return imported


def result_dict(points: int, value: float) -> dict:
    return {"task": "task4", "metric": "mae", "metric_label": "MAE", "lower_is_better": True, "value": value,
            "points": points, "max_points": 5, "passed": points >= 4, "pass_points": 4,
            "ladder": {"5": 2.9, "4": 3.0, "3": 3.1, "2": 3.2, "1": 3.3}, "baselines": [],
            "diagnostics": [], "test_examples": 1825, "figure": {}}


@pytest.fixture
def class_run(tmp_path):
    """A class's submissions (file times around the deadline), a roster, and a run graded earlier."""
    folder = tmp_path / "submissions"
    folder.mkdir()
    graded = {"alice": (5, 2.8, -3600), "bob": (4, 2.95, 1.5 * DAY), "carol": (3, 3.05, -60)}  # bob: 2 days late
    for student, (_, _, offset) in graded.items():
        path = folder / f"{student}.keras"
        path.write_bytes(student.encode() * 100)
        os.utime(path, (DEADLINE + offset, DEADLINE + offset))
    (tmp_path / "roster.csv").write_text(ROSTER)
    database = tmp_path / "results.db"
    with open_store(database) as store, store.transaction():
        run_id = store.batch_run("task4", str(folder.resolve()), time.time(), resume=False)
        for student, (points, value, _) in graded.items():
            path = folder / f"{student}.keras"
            store.insert_batch_row(run_id, BatchRow(student, path.name, sha256_of(path), "graded", None, points,
                                                    value, points >= 4, result_dict(points, value), time.time(),
                                                    file_time(path)))
    options = BatchOptions(out=tmp_path / "out", roster=tmp_path / "roster.csv", resume=True, db=database,
                           formats=("csv", "json", "gradescope", "html", "feedback", "canvas", "moodle"))
    return folder, options, run_id


def test_canvas_and_moodle_import_the_gradebook_with_the_late_rule_and_an_override(class_run):
    folder, options, run_id = class_run
    spec = load_task("task4")
    rule = LateRule(DEADLINE, penalty_per_day=1)  # bob, 2 days late: 4 - 2 = 2 points
    summary = run_batch(spec, folder, BatchOptions(**{**options.__dict__, "late_rule": rule}))
    assert summary.graded_now == 0 and summary.run_id == run_id

    result = CliRunner().invoke(cli.main, ["batch", "override", str(run_id), "carol", "5", "--db", str(options.db),
                                           "--note", "regraded by hand: her saved model was the wrong file"])
    assert result.exit_code == 0, result.output
    assert "carol set to 5 points" in result.stdout and "rewrote" in result.stdout

    out = options.out
    grades, possible = canvas_import((out / "canvas.csv").read_text(encoding="utf-8"), COURSE)
    assert possible == {"tfcert task4": 5.0}
    assert grades["tfcert task4"] == {"1001": 5.0, "1002": 2.0, "1003": 5.0, "1004": 0.0}  # dave: missing
    for map_from, map_to in (("Email address", "useremail"), ("Username", "username")):
        moodle = moodle_import((out / "moodle.csv").read_text(encoding="utf-8"), map_from, map_to,
                               "tfcert task4", "Feedback", COURSE)
        assert {user: grade for user, (grade, _) in moodle.items()} == {"1001": 5, "1002": 2, "1003": 5, "1004": 0}
    bob_feedback, carol_feedback = moodle["1002"][1], moodle["1003"][1]
    assert "submitted late (2 days after the deadline): -2 of 4 points" in bob_feedback and "2.95" not in bob_feedback
    assert "set to 5 points by the instructor: regraded by hand" in carol_feedback

    gradebook = {row["student"]: row for row in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    assert (gradebook["bob"]["points"], gradebook["bob"]["graded_points"], gradebook["bob"]["late_days"]) == \
        ("2", "4", "2")
    assert (gradebook["carol"]["points"], gradebook["carol"]["override_points"]) == ("5", "5")
    assert gradebook["carol"]["override_note"].startswith("regraded by hand")
    assert json.loads((out / "results" / "carol.json").read_text())["override_note"].startswith("regraded")
    gradescope = json.loads((out / "gradescope" / "carol" / "results.json").read_text())
    assert gradescope["score"] == 5 == sum(test.get("score", 0) for test in gradescope["tests"])
    assert "regraded by hand" in (out / "feedback" / "carol.txt").read_text()
    assert "regraded by hand" in (out / "summary.html").read_text()

    again = run_batch(spec, folder, options)  # --resume without --deadline: the rule and the override stay
    rows = {row.student: row for row in again.rows}
    assert (rows["bob"].points, rows["carol"].points, rows["alice"].points) == (2, 5, 5)


def test_by_default_a_late_file_counts_0_as_in_practice_sessions(class_run):
    folder, options, _ = class_run
    run_batch(load_task("task4"), folder, BatchOptions(**{**options.__dict__, "late_rule": LateRule(DEADLINE)}))
    gradebook = {row["student"]: row for row in csv.DictReader(io.StringIO((options.out / "gradebook.csv").read_text()))}
    assert (gradebook["bob"]["points"], gradebook["bob"]["pass"], gradebook["bob"]["late_days"]) == ("0", "false", "2")
    assert gradebook["alice"]["late_days"] == "" and gradebook["alice"]["points"] == "5"


def test_override_mistakes_are_one_line(class_run):
    folder, options, run_id = class_run
    run_batch(load_task("task4"), folder, options)

    def override(*args):
        return CliRunner().invoke(cli.main, ["batch", "override", *map(str, args), "--db", str(options.db)])

    assert "between 0 and 5 points" in override(run_id, "bob", 7, "--note", "x").stderr
    assert "has no student 'zed'" in override(run_id, "zed", 3, "--note", "x").stderr
    assert "no batch run 99" in override(99, "bob", 3, "--note", "x").stderr
    assert "Missing option '--note'" in override(run_id, "bob", 3).stderr
    with open_store(options.db) as store:
        assert store.overrides(run_id) == {}


def test_a_zip_keeps_each_files_time_for_the_late_rule(tmp_path):
    import zipfile

    from grader.batch.run import discover, unpack

    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as opened:  # as an LMS download stores them: local times
        opened.writestr(zipfile.ZipInfo("class/alice.keras", (2023, 11, 14, 21, 0, 0)), b"a")
        opened.writestr(zipfile.ZipInfo("class/bob/model.keras", (2023, 11, 16, 9, 30, 0)), b"b")
    found = {item.student: item for item in discover(unpack(archive, tmp_path / "unpacked"))}
    assert found["alice"].submitted_at == time.mktime((2023, 11, 14, 21, 0, 0, 0, 0, -1))
    assert found["bob"].submitted_at == time.mktime((2023, 11, 16, 9, 30, 0, 0, 0, -1))
