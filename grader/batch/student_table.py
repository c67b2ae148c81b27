"""summary.html's table of every student: name, points, metric, status, note, and a link to the feedback.

Sortable by any column with a click on its header (a few lines of inline script: the page stays
one self-contained file); numbers sort as numbers. A student's name, file and messages come from
submissions and are escaped like every other cell.

Example:
    student_table_html(rows, spec, feedback_href=lambda row: f"feedback/{row.student}.txt")
"""

from collections.abc import Callable

from grader.batch.adjust import adjustment_text
from grader.report.html import escape
from grader.store.rows import BatchRow

SORT_SCRIPT = """<script>
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var body = table.tBodies[0], rows = Array.from(body.rows), up = th.dataset.order !== "up";
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.sort, y = b.cells[column].dataset.sort;
        var nx = parseFloat(x), ny = parseFloat(y);
        var order = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
        return up ? order : -order;
      });
      table.querySelectorAll("th").forEach(function (other) { delete other.dataset.order; });
      th.dataset.order = up ? "up" : "down";
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
</script>"""
STYLE = """<style>
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[data-order="up"]::after { content: " \\25B2"; }
table.sortable th[data-order="down"]::after { content: " \\25BC"; }
</style>"""


def student_table_html(rows: list[BatchRow], spec, feedback_href: Callable[[BatchRow], str] | None) -> str:
    """The section: a heading, the sortable table (one row per student), and its script.

    `feedback_href(row)`: the feedback file's path relative to summary.html; None when no
    feedback files are written (no link column then).
    """
    metric = spec.metric
    headers = ["student", "points", f"{metric.label} ({'lower' if metric.lower_is_better else 'higher'} is better)",
               "status", "note"] + (["feedback"] if feedback_href else [])
    lines = [STYLE, "<h2>Students</h2>", "<p>Click a column's header to sort by it.</p>",
             '<table class="sortable"><thead><tr>' + "".join(f"<th>{escape(h)}</th>" for h in headers)
             + "</tr></thead><tbody>"]
    for row in rows:
        value = "" if row.value is None else f"{row.value:.4f}"
        cells = [
            _cell(row.student, row.student.casefold(), "word"),
            _cell(str(row.points), str(row.points)),
            _cell(value or ("n/a" if row.status == "graded" else ""), value),
            _cell(row.status, row.status, "word"),
            _cell(_note(row), _note(row)),
        ]
        if feedback_href:
            href = feedback_href(row)
            cells.append(f'<td data-sort="{escape(href)}"><a href="{escape(href)}">feedback</a></td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(lines) + "</tbody></table>\n" + SORT_SCRIPT


def _cell(text: str, sort_key: str, css: str = "") -> str:
    style = f' class="{css}"' if css else ""
    return f'<td{style} data-sort="{escape(sort_key)}">{escape(text)}</td>'


def _note(row: BatchRow) -> str:
    """Why a student has these points, in a few words: the refusal, the late rule, the instructor's note."""
    change = adjustment_text(row)
    if row.status != "graded":
        why = row.message or ""
    else:
        why = "" if row.passed or change else "below the pass line"
    return "; ".join(part for part in (why, change) if part)
