"""Batch exports: gradebook CSV, per-student JSON, Gradescope results.json, HTML summary, feedback.

Rows are built by hand, so nothing here grades a model or imports TensorFlow.
"""

import csv
import json
import re
from datetime import datetime

import pytest
from conftest import check_gradescope_results

from grader.batch.gradebook import (
    CSV_COLUMNS,
    BatchRow,
    feedback_text,
    gradescope_results,
    points_histogram_png,
    safe_name,
    write_exports,
)
from grader.batch.student_table import SORT_SCRIPT
from grader.catalog import load_task

GRADED_AT = 1_700_000_000.0
# The hidden test targets and the model's forecasts: what must never reach a student.
FIGURE = {"kind": "forecast", "actual": [41.2871, 38.9135, 44.0172], "forecast": [40.5519, 39.7724, 43.1936]}
ALL_FORMATS = ("csv", "json", "gradescope", "html", "feedback")


@pytest.fixture(scope="module")
def spec():
    return load_task("task4")


def graded(student, value, points, diagnostics=()):
    result = {
        "task": "task4", "metric": "mae", "metric_label": "MAE", "lower_is_better": True,
        "value": value, "points": points, "max_points": 5, "passed": points >= 4, "pass_points": 4,
        "ladder": {"5": 2.9, "4": 3.0, "3": 3.1, "2": 3.2, "1": 3.3},
        "baselines": [{"name": "naive", "label": "naive", "value": 3.9876, "points": 0}],
        "diagnostics": list(diagnostics), "test_examples": 1825, "figure": FIGURE,
    }
    return BatchRow(student, f"{student}/model.keras", "ab" * 32, "graded", None, points, value,
                    points >= 4, result, GRADED_AT)


def not_graded(student, status, message, file="x/model.keras"):
    return BatchRow(student, file, "", status, message, 0, None, False, None, GRADED_AT + 1)


@pytest.fixture(scope="module")
def rows():
    return [
        graded("zoe", 2.8312, 5),
        graded("alice", 3.0512, 3, ["the 'naive' baseline scores better (MAE 2.99) than your model"]),
        graded("Bob Smith/2", 3.4101, 0),
        not_graded("carol", "error", "your model takes (None, 20, 1); task4 feeds (None, 30, 1)"),
        not_graded("dave", "crashed", "the worker exited with signal 9 (out of memory?)"),
        not_graded("erin", "timeout", "grading took longer than 120 s"),
        not_graded("frank", "missing", None, file=None),
        not_graded("gina", "ambiguous", "2 model files: a.keras, b.h5"),
    ]


@pytest.fixture(scope="module")
def exported(rows, spec, tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    return out, write_exports(rows, spec, out, ALL_FORMATS)


def by_student(rows):
    return {row.student: row for row in rows}


def test_every_format_is_written_and_listed(exported, rows):
    out, written = exported
    names = {safe_name(row.student) for row in rows}
    expected = {out / "gradebook.csv", out / "summary.html"}
    expected |= {out / "results" / f"{name}.json" for name in names}
    expected |= {out / "feedback" / f"{name}.txt" for name in names}
    expected |= {out / "gradescope" / name / "results.json" for name in names}
    assert set(written) == expected and len(written) == len(expected)
    assert {path for path in out.rglob("*") if path.is_file()} == expected  # no temporary file left behind


def test_csv_has_the_columns_and_one_sorted_row_per_student(exported, rows):
    out, _ = exported
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames) == CSV_COLUMNS
        records = list(reader)
    assert [r["student"] for r in records] == sorted((row.student for row in rows), key=str.casefold)
    alice, frank = (next(r for r in records if r["student"] == name) for name in ("alice", "frank"))
    assert alice == {"student": "alice", "file": "alice/model.keras", "sha256": "ab" * 32, "metric": "3.0512",
                     "points": "3", "pass": "false", "status": "graded", "message": "",
                     "graded_at": "2023-11-14T22:13:20+00:00", "submitted_at": "", "late_days": "",
                     "graded_points": "3", "override_points": "", "override_note": ""}
    assert (frank["file"], frank["metric"], frank["pass"], frank["status"]) == ("", "", "false", "missing")
    assert next(r for r in records if r["student"] == "zoe")["pass"] == "true"
    assert datetime.fromisoformat(alice["graded_at"]).timestamp() == GRADED_AT


def test_json_files_hold_the_rows_and_the_whole_result(exported, rows):
    out, _ = exported
    for row in rows:
        data = json.loads((out / "results" / f"{safe_name(row.student)}.json").read_text(encoding="utf-8"))
        assert data == {"task": "task4", "student": row.student, "file": row.file, "sha256": row.sha256,
                        "metric": row.value, "points": row.points, "pass": row.passed, "status": row.status,
                        "message": row.message, "graded_at": data["graded_at"], "result": row.result,
                        "submitted_at": None, "late_days": None, "graded_points": row.points,
                        "override_points": None, "override_note": None}
        assert datetime.fromisoformat(data["graded_at"]).timestamp() == row.graded_at


def test_gradescope_results_follow_the_spec(exported, rows, spec):
    out, _ = exported
    for row in rows:
        data = json.loads((out / "gradescope" / safe_name(row.student) / "results.json").read_text(encoding="utf-8"))
        assert data == gradescope_results(row, spec)  # one object: the autograder writes it too
        check_gradescope_results(data)
        assert (data["score"], data["max_score"]) == (row.points, 5)
        assert data["output"].startswith("task4 - ")
        rungs = [test for test in data["tests"] if "max_score" in test]
        assert [test["max_score"] for test in rungs] == [1, 1, 1, 1, 1]
        for test in rungs:
            assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
            assert test["visibility"] == "visible"
        assert sum(test["score"] for test in rungs) == row.points


def test_gradescope_shows_the_exact_metric_only_once_grades_are_published(exported, rows, spec):
    out, _ = exported
    for row in rows:
        data = json.loads((out / "gradescope" / safe_name(row.student) / "results.json").read_text(encoding="utf-8"))
        later = [test for test in data["tests"] if test["visibility"] != "visible"]
        at_once = json.dumps({**data, "tests": [test for test in data["tests"] if test not in later]})
        if row.status == "graded":
            assert [test["visibility"] for test in later] == ["after_published"]
            assert f"{row.value:.4f}" in later[0]["output"] and "score" not in later[0]
            assert f"{row.value:.4f}" not in at_once
        else:
            assert later == [] and row.status in data["output"]
        assert data["stdout_visibility"] == "hidden"  # the autograder's log is for the instructor


def test_feedback_says_what_the_next_point_needs(rows, spec):
    text = feedback_text(by_student(rows)["alice"], spec)
    assert "3.0512" in text and "3 / 5" in text and "FAIL" in text
    assert "next rung   4 points: MAE <= 3\n" in text
    assert "the 'naive' baseline scores better" in text
    assert "full marks" in feedback_text(by_student(rows)["zoe"], spec)
    assert "1 point: MAE <= 3.3" in feedback_text(by_student(rows)["Bob Smith/2"], spec)


def test_feedback_for_predictions_that_are_not_finite(spec):
    text = feedback_text(graded("nan", None, 0, ["12 predictions are NaN or infinite, so the score is 0"]), spec)
    assert "MAE         n/a (the predictions were not finite numbers)" in text and "12 predictions are NaN" in text


def test_feedback_for_rows_not_graded_gives_the_status_and_message(rows, spec):
    for row in rows[3:]:
        text = feedback_text(row, spec)
        assert f"not graded ({row.status})" in text and "0 / 5" in text
        assert row.message is None or row.message in text


def test_no_hidden_test_data_reaches_students(exported, rows):
    out, _ = exported
    student_files = list((out / "feedback").iterdir()) + list((out / "gradescope").rglob("results.json"))
    secrets = [f"{number:g}" for series in (FIGURE["actual"], FIGURE["forecast"]) for number in series]
    secrets.append("3.9876")  # a baseline value measured on the hidden test set
    for path in student_files:
        text = path.read_text(encoding="utf-8")
        assert not [secret for secret in secrets if secret in text], path
        assert "figure" not in text and "actual" not in text


def test_html_is_self_contained_with_the_histogram_and_each_failure_reason(exported, rows):
    out, _ = exported
    page = (out / "summary.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", page, re.IGNORECASE)
    assert page.lower().count("<script") == 1 and SORT_SCRIPT in page  # only the table's own sorting, inline
    assert '<img alt="task4: how many students scored each number of points" src="data:image/png;base64,' in page
    for row in rows[3:]:
        assert f"{row.status}: {row.message or 'on the roster, but nothing was submitted'}"[:40] in page
    assert "below the pass line of 4 points" in page and "alice, Bob Smith/2" in page
    assert "Pass rate 12% (1 of 8)" in page and "Mean 1.00 points, median 0" in page


def test_html_escapes_what_students_control(spec, tmp_path):
    row = not_graded("<b>mallory</b>", "error", "<script>alert(1)</script>")
    write_exports([row], spec, tmp_path, ("html",))
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;b&gt;mallory&lt;/b&gt;" in page
    assert page.count("<script") == 1  # the sorting script, nothing a student wrote


def test_histogram_is_a_png():
    assert points_histogram_png([0, 0, 3, 5, 5, 5]).startswith(b"\x89PNG\r\n\x1a\n")


def test_an_empty_batch_still_exports(spec, tmp_path):
    written = write_exports([], spec, tmp_path, ALL_FORMATS)
    assert written == [tmp_path / "gradebook.csv", tmp_path / "summary.html"]
    assert "Nothing to summarize" in (tmp_path / "summary.html").read_text(encoding="utf-8")


def test_unknown_format_is_refused_before_anything_is_written(rows, spec, tmp_path):
    with pytest.raises(ValueError, match=r"'pdf'.*csv, json, gradescope, html, feedback"):
        write_exports(rows, spec, tmp_path, ("csv", "pdf"))
    assert not any(tmp_path.iterdir())


def test_duplicate_students_are_refused(rows, spec, tmp_path):
    with pytest.raises(ValueError, match="alice"):
        write_exports([rows[1], rows[1]], spec, tmp_path, ("csv",))


def test_a_failed_write_leaves_no_temporary_file(rows, spec, tmp_path, monkeypatch):
    import grader.batch.gradebook

    unwritable = object()  # has no .encode(): the write fails after the temporary file exists
    monkeypatch.setitem(grader.batch.gradebook.EXPORTERS, "csv", lambda rows, spec: [("gradebook.csv", unwritable)])
    with pytest.raises(AttributeError):
        write_exports(rows, spec, tmp_path, ("csv",))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("student", ["alice", "a.b-c_9", "Bob Smith/2", "../../etc/passwd", "..", "", "é",
                                     "x" * 300, "carol_0123456789"])
def test_safe_names_are_plain_file_names(student):
    name = safe_name(student)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", name) and not name.startswith(".") and len(name) <= 111
    assert (name == student) == (student in ("alice", "a.b-c_9"))


def test_safe_names_never_collide():
    students = ["a b", "a/b", "a_b", "a?b", "A b", "a b_" + safe_name("a b")[-10:], safe_name("a b")]
    names = [safe_name(student) for student in students]
    assert len(set(names)) == len(names)


def test_html_has_a_sortable_row_per_student_with_a_link_to_the_feedback(exported, rows):
    out, _ = exported
    page = (out / "summary.html").read_text(encoding="utf-8")
    table = page[page.index('<table class="sortable">'):]
    body = table[:table.index("</table>")]
    rendered = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1])
    assert len(rendered) == len(rows)
    alice = next(row for row in rendered if ">alice<" in row)
    assert 'data-sort="3">3<' in alice and 'data-sort="3.0512">3.0512<' in alice and "below the pass line" in alice
    links = re.findall(r'<a href="(feedback/[^"]+)">feedback</a>', body)
    assert len(links) == len(rows) and all((out / link).is_file() for link in links)
    carol = next(row for row in rendered if ">carol<" in row)
    assert "your model takes (None, 20, 1)" in carol and ">error<" in carol
