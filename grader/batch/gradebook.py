"""Batch grading results as rows, and their exports (CSV, JSON, Gradescope, HTML, feedback, Canvas, Moodle).

Example:
    write_exports(rows, spec, Path("out"), ("csv", "json", "gradescope", "html"))
    gradescope_results(row, spec)     # one student's results.json (also what the autograder writes)
"""

import hashlib
import io
import json
import re
import statistics
import time
import unicodedata
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from grader.batch import lms
from grader.batch.adjust import adjustment_text
from grader.batch.student_table import student_table_html
from grader.paths import atomic_write
from grader.report.html import escape, page
from grader.report.plots import COUNTED, png_img_tag
from grader.report.spreadsheet import csv_text
from grader.report.text import gap_notes
from grader.scoring.points import MAX_POINTS, points_text
from grader.store.rows import STATUSES, BatchRow

CSV_COLUMNS = ("student", "file", "sha256", "metric", "points", "pass", "status", "message", "graded_at",
               "submitted_at", "late_days", "graded_points", "override_points", "override_note")
_UNSAFE_CHARACTER = re.compile(r"^\.|[^A-Za-z0-9._-]")  # a leading dot would hide the file
_HASH_SUFFIX = re.compile(r"_[0-9a-f]{10}$")
_LONGEST_NAME = 100  # characters kept of a student's name; file systems refuse names over 255 bytes


def write_exports(rows: list[BatchRow], spec, out_dir: Path, formats: tuple[str, ...],
                  sections: tuple[str, ...] = ()) -> list[Path]:
    """Write the chosen exports of a batch run under `out_dir`, each file atomically; return their paths.

    Formats: "csv" (gradebook.csv), "json" (results/<student>.json), "gradescope"
    (gradescope/<student>/results.json), "html" (summary.html), "feedback" (feedback/<student>.txt),
    "canvas" (canvas.csv) and "moodle" (moodle.csv), the LMSs' import layouts (grader.batch.lms).
    Rows carry their points after the late rule and overrides (grader.batch.adjust). `sections` are
    further HTML sections for the end of summary.html (e.g. similar submissions).
    """
    unknown = [name for name in formats if name not in EXPORTERS]
    if unknown:
        raise ValueError(f"unknown export format '{unknown[0]}' (known formats: {', '.join(EXPORTERS)})")
    repeated = sorted(student for student, count in Counter(row.student for row in rows).items() if count > 1)
    if repeated:
        raise ValueError(f"each student needs exactly one row; these have several: {', '.join(repeated)}")
    ordered = sorted(rows, key=lambda row: (row.student.casefold(), row.student))
    written = []
    for name in dict.fromkeys(formats):  # a format asked for twice is written once
        files = _html_files(ordered, spec, sections) if name == "html" else EXPORTERS[name](ordered, spec)
        for relative, content in files:
            written.append(write_export(out_dir / relative, content))
    return written


def submission_row(student: str, file: str | None, sha256: str, status: str, result: dict | None,
                   message: str | None, submitted_at: float | None = None) -> BatchRow:
    """The gradebook row of one submission: points, metric and pass come from its result, if graded.

    Example:
        submission_row("alice", "alice/model.keras", digest, "graded", result.to_dict(), None)
    """
    return BatchRow(student=student, file=file, sha256=sha256, status=status, message=message,
                    points=result["points"] if result else 0, value=result["value"] if result else None,
                    passed=bool(result and result["passed"]), result=result, graded_at=time.time(),
                    submitted_at=submitted_at)


def feedback_text(row: BatchRow, spec, hidden_values: bool = True) -> str:
    """What a student may read about their grade: the score, the next rung, and why points were lost.

    Built only from the score and the shareable diagnostics: never from the hidden test targets or
    the model's predictions (a result's "figure" holds both). `hidden_values=False` leaves out
    everything computed from the hidden test split: the exact metric, and the diagnostics' values
    (Gradescope shows those once grades are published).
    """
    header = [f"{spec.id} - {spec.title}", f"student     {_on_one_line(row.student)}",
              f"submission  {_on_one_line(row.file or 'none')}", ""]
    body = _graded_lines(row, spec, hidden_values) if row.status == "graded" else _not_graded_lines(row)
    change = adjustment_text(row)
    return "\n".join(header + body + (["", f"{'adjusted':<11} {change}"] if change else [])) + "\n"


def _on_one_line(name: str) -> str:
    """A student's or file's name with its control characters written out (a newline in a file name
    must not start a line of its own in the feedback, such as a forged "points 5 / 5")."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) == "Cc" else c for c in name)


def safe_name(student: str) -> str:
    """A file name for `student`: the name itself when it is safe, else a cleaned name plus a hash of it.

    Example:
        safe_name("alice")        # "alice"
        safe_name("Bob Smith/2")  # "Bob_Smith_2_" followed by 10 hex digits
    """
    cleaned = _UNSAFE_CHARACTER.sub("_", student)[:_LONGEST_NAME]
    # Names that only look hashed get a hash too, so a kept name can never equal another's hashed one.
    if cleaned == student and student and not _HASH_SUFFIX.search(student):
        return student
    return f"{cleaned}_{hashlib.sha256(student.encode('utf-8')).hexdigest()[:10]}"


def points_histogram_png(points: list[int]) -> bytes:
    """Bars of how many students scored each number of points, 0 to MAX_POINTS."""
    scores = range(MAX_POINTS + 1)
    figure = Figure(figsize=(5, 2.8), layout="constrained")
    axes = figure.add_subplot()
    bars = axes.bar(scores, [points.count(score) for score in scores], color=COUNTED)
    axes.bar_label(bars, fontsize=8)
    axes.set_xticks(scores)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(y=0.15)  # room for the counts written above the bars
    axes.set_xlabel("points")
    axes.set_ylabel("students")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _row_record(row: BatchRow) -> dict:
    """A row as the gradebook shows it (the CSV's columns), with JSON-ready values."""
    change = row.adjustment
    override = change.override if change else None
    return {
        "student": row.student,
        "file": row.file,
        "sha256": row.sha256,
        "metric": row.value,
        "points": row.points,
        "pass": row.passed,
        "status": row.status,
        "message": row.message,
        "graded_at": _iso(row.graded_at),
        "submitted_at": None if row.submitted_at is None else _iso(row.submitted_at),
        "late_days": change.late_days if change else None,
        "graded_points": change.graded_points if change else row.points,  # on the ladder, before adjustments
        "override_points": override.points if override else None,
        "override_note": override.note if override else None,
    }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


def _csv_files(rows: list[BatchRow], spec) -> list[tuple[Path, str]]:
    return [(Path("gradebook.csv"), csv_text(CSV_COLUMNS, [_row_record(row) for row in rows]))]


def _json_files(rows: list[BatchRow], spec) -> list[tuple[Path, str]]:
    """One file per student, for the instructor: the row and the whole grade result."""
    return [(Path("results", f"{safe_name(row.student)}.json"),
             json.dumps({"task": spec.id, **_row_record(row), "result": row.result}, indent=2) + "\n")
            for row in rows]


def _gradescope_files(rows: list[BatchRow], spec) -> list[tuple[Path, str]]:
    """Gradescope grades one student per container, so each student gets a results.json of their own."""
    return [(Path("gradescope", safe_name(row.student), "results.json"),
             json.dumps(gradescope_results(row, spec), indent=2) + "\n")
            for row in rows]


def gradescope_results(row: BatchRow, spec) -> dict:
    """Gradescope's results.json for one student: the points, a test per rung, and the feedback text.

    What students see, and when (Gradescope's `visibility`): the score, the rungs reached and the
    feedback (verdict, next rung, why points were lost) at once; their exact metric on the hidden
    test split only once grades are published (`after_published`), so that many submissions cannot
    tune a model against the hidden data; the autograder's log never (`stdout_visibility: hidden`).

    Example:
        gradescope_results(row, spec)["score"]    # row.points, out of 5
    """
    return {
        "score": row.points,
        "max_score": MAX_POINTS,
        "output": feedback_text(row, spec, hidden_values=False),
        "output_format": "text",
        "test_output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": _rung_tests(row, spec.metric) + _adjustment_tests(row) + _metric_tests(row, spec.metric),
    }


def _adjustment_tests(row: BatchRow) -> list[dict]:
    """The late rule's or the instructor's change, as a test worth nothing (the rungs already count it)."""
    change = adjustment_text(row)
    return [{"name": "adjusted", "output": change, "visibility": "visible"}] if change else []


def _rung_tests(row: BatchRow, metric) -> list[dict]:
    """A test per rung, worth the points it adds over the rung below, so the tests sum to the score.

    A rung counts as reached from the row's points after any late rule or override.
    """
    tests, below = [], 0
    for points, threshold in sorted(metric.ladder.items()):
        reached = row.points >= points
        tests.append({
            "name": f"{points_text(points)}: {metric.label} {_op(metric)} {threshold:g}",
            "score": points - below if reached else 0,
            "max_score": points - below,
            "status": "passed" if reached else "failed",
            "output": ("reached" if reached else "not reached") if row.status == "graded" or reached
            else f"not graded ({row.status})",
            "visibility": "visible",
        })
        below = points
    return tests


def _metric_tests(row: BatchRow, metric) -> list[dict]:
    """The exact metric on the hidden test split, shown once grades are published; worth no points."""
    if row.status != "graded":
        return []
    why = "".join(f"\n  - {note}" for note in row.result["diagnostics"])
    return [{
        "name": f"your {metric.label} on the hidden test split",
        "status": "passed" if row.passed else "failed",
        "output": f"{metric.label} {_value_text(row.value)} ({'lower' if metric.lower_is_better else 'higher'} "
                  f"is better): {points_text(_ladder_points(row))}" + (f"\nwhy:{why}" if why else ""),
        "visibility": "after_published",
    }]


def _feedback_files(rows: list[BatchRow], spec) -> list[tuple[Path, str]]:
    return [(Path("feedback", f"{safe_name(row.student)}.txt"), feedback_text(row, spec)) for row in rows]


def _graded_lines(row: BatchRow, spec, hidden_values: bool) -> list[str]:
    metric = spec.metric
    verdict = "PASS" if row.passed else "FAIL"
    value = [f"{metric.label:<11} {_value_text(row.value)}   ({'lower' if metric.lower_is_better else 'higher'} "
             "is better)"] if hidden_values else []
    lines = value + [
        f"{'points':<11} {row.points} / {MAX_POINTS}   {verdict} (pass line: {metric.pass_points} points)",
        f"{'next rung':<11} {_next_rung(_ladder_points(row), metric)}",
    ]
    # The metric, the diagnostics' values and the distances to the rungs all come from the hidden
    # split: only where the metric is shown. A result stored before public diagnostics existed has
    # none to show before publication.
    if hidden_values:
        notes = [*row.result["diagnostics"], *gap_notes(row.result)]
    else:
        notes = row.result.get("public_diagnostics", [])
    if notes:
        lines += ["", "why:"] + [f"  - {note}" for note in notes]
    return lines


def _not_graded_lines(row: BatchRow) -> list[str]:
    lines = [f"{'points':<11} {row.points} / {MAX_POINTS}   not graded ({row.status}): {STATUSES[row.status]}"]
    if row.message:
        lines += ["", row.message]
    return lines


def _ladder_points(row: BatchRow) -> int:
    """The points the submission earned on the ladder, before any late rule or override."""
    return row.adjustment.graded_points if row.adjustment else row.points


def _next_rung(points: int, metric) -> str:
    higher = [rung for rung in sorted(metric.ladder) if rung > points]
    if not higher:
        return "none: full marks"
    return f"{points_text(higher[0])}: {metric.label} {_op(metric)} {metric.ladder[higher[0]]:g}"


def _value_text(value: float | None) -> str:
    return "n/a (the predictions were not finite numbers)" if value is None else f"{value:.4f}"


def _op(metric) -> str:
    return "<=" if metric.lower_is_better else ">="


def _html_files(rows: list[BatchRow], spec, sections: tuple[str, ...] = ()) -> list[tuple[Path, str]]:
    return [(Path("summary.html"), _summary_html(rows, spec, sections))]


def _summary_html(rows: list[BatchRow], spec, sections: tuple[str, ...] = ()) -> str:
    """One self-contained page: counts by status, points statistics, the histogram, failures by reason,
    every student's row (grader.batch.student_table), then any further `sections`."""
    title = f"tfcert batch grading: {spec.id} - {spec.title}"
    points = [row.points for row in rows]
    body = [
        f"<h1>{escape(title)}</h1>",
        f"<p>{len(rows)} students. {_points_statistics(rows)}</p>",
        _status_table(rows),
        "<h2>Points</h2>",
        png_img_tag(points_histogram_png(points), f"{spec.id}: how many students scored each number of points"),
        _failures_section(rows, spec),
        student_table_html(rows, spec, feedback_href=lambda row: f"feedback/{safe_name(row.student)}.txt"),
        *sections,
    ]
    return page(title, body)


def _points_statistics(rows: list[BatchRow]) -> str:
    if not rows:
        return "Nothing to summarize."
    points = [row.points for row in rows]
    passed = sum(row.passed for row in rows)
    return (f"Mean {statistics.mean(points):.2f} points, median {statistics.median(points):g} "
            f"(students not graded count as 0). Pass rate {passed / len(rows):.0%} ({passed} of {len(rows)}).")


def _status_table(rows: list[BatchRow]) -> str:
    counts = Counter(row.status for row in rows)
    lines = ["<table><tr><th>status</th><th>meaning</th><th>students</th></tr>"]
    lines += [f"<tr><td>{status}</td><td>{escape(meaning)}</td><td>{counts[status]}</td></tr>"
              for status, meaning in STATUSES.items()]
    return "\n".join(lines) + "</table>"


def _failures_section(rows: list[BatchRow], spec) -> str:
    """Students who did not pass, grouped by the reason, the most common reason first."""
    groups = defaultdict(list)
    for row in rows:
        if not row.passed:
            groups[_failure_reason(row, spec)].append(row.student)
    if not groups:
        return "<h2>Failures</h2><p>None: every student passed.</p>"
    items = [f"<li><strong>{escape(reason)}</strong> ({len(students)}): {escape(', '.join(students))}</li>"
             for reason, students in sorted(groups.items(), key=lambda group: (-len(group[1]), group[0]))]
    return "<h2>Failures by reason</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>"


def _failure_reason(row: BatchRow, spec) -> str:
    change = row.adjustment
    if change is not None and change.override is not None:
        return f"set below the pass line of {spec.metric.pass_points} points by the instructor"
    if change is not None and change.late_days is not None:
        return "submitted after the deadline: the late rule took its points"
    if row.status == "graded":
        return f"graded: below the pass line of {spec.metric.pass_points} points"
    return f"{row.status}: {row.message or STATUSES[row.status]}"


def write_export(target: Path, content: str) -> Path:
    """Write one export file atomically, readable by others (exports are meant to be shared)."""

    def write(temporary: Path) -> None:
        temporary.write_bytes(content.encode("utf-8"))  # bytes: the CSV's \r\n line ends stay as they are
        temporary.chmod(0o644)  # the temporary file is private; exports are meant to be shared

    atomic_write(target, write)
    return target


EXPORTERS = {
    "csv": _csv_files,
    "json": _json_files,
    "gradescope": _gradescope_files,
    "html": _html_files,
    "feedback": _feedback_files,
    "canvas": lambda rows, spec: lms.canvas_files(rows, spec, csv_text),
    "moodle": lambda rows, spec: lms.moodle_files(rows, spec, csv_text),
}
