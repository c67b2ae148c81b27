"""HTML for people: the notebook view of one grade, and the page parts every tfcert report shares.

Pages are self-contained: the style sheet is inline and plots are embedded PNGs, so a file can
be mailed or archived and still opens.

Example:
    format_result_html(result)                     # what a notebook shows for a GradeResult
    page("title", ["<h1>title</h1>", table(rows)]) # a whole document
"""

import html

from grader.report.plots import explain_png, png_img_tag
from grader.report.text import gap_notes, requirement_text

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.8em; text-align: left; }
th { background: #f3f3f3; }
img { max-width: 100%; display: block; margin: 0.5em 0; }
.late { color: #b22; } .error { color: #b22; font-style: italic; }
section { border-top: 2px solid #ccc; margin-top: 2em; }
.word { white-space: nowrap; }  /* a one-word cell (a task id, 4/5) never breaks at its hyphen */
.path { overflow-wrap: anywhere; }  /* a long path breaks anywhere rather than stretch the table */
"""


def escape(text) -> str:
    """Any value as HTML-escaped text."""
    return html.escape(str(text))


def page(title: str, body: list[str]) -> str:
    """A whole HTML document with the shared inline style."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{STYLE}</style></head>\n<body>\n{chr(10).join(body)}\n</body></html>\n")


def table(rows: list[tuple[str, ...]]) -> str:
    """An HTML table; the first row is the header."""
    header, *body = rows
    lines = ["<table><tr>" + "".join(f"<th>{escape(cell)}</th>" for cell in header) + "</tr>"]
    lines += ["<tr>" + "".join(cell_html(cell) for cell in row) + "</tr>" for row in body]
    return "\n".join(lines) + "</table>"


def cell_html(cell) -> str:
    """A <td>; a cell of one word (a task id like fashion-mnist, '4/5') is kept on one line."""
    text = str(cell)
    return f'<td class="word">{escape(text)}</td>' if text and " " not in text else f"<td>{escape(text)}</td>"


def format_result_html(result) -> str:
    """Notebook HTML: score and verdict, the ladder with the reached rung marked, baselines,
    diagnostics, and the plot that explains the result (an embedded PNG)."""
    e = escape
    op = "&le;" if result.lower_is_better else "&ge;"
    verdict = "PASS" if result.passed else "FAIL"
    colour = "#1a7f37" if result.passed else "#b42318"
    reached = ' style="font-weight:bold;background:#fff3bf"'
    rungs = "".join(
        f"<tr{reached if points == result.points else ''}><td>{points}</td>"
        f"<td>{result.metric_label} {op} {threshold:g}</td>"
        f"<td>{'&larr; you' if points == result.points else ''}</td></tr>"
        for points, threshold in sorted(result.ladder.items(), reverse=True)
    )
    baselines = "".join(
        f"<tr><td>{e(b.label)}</td><td>{b.value:.4f}</td><td>{b.points}</td></tr>" for b in result.baselines
    )
    notes = "".join(f"<li>{e(note)}</li>" for note in [*result.diagnostics, *gap_notes(result)])
    value = "n/a" if result.value is None else f"{result.value:.4f}"
    parts = [
        f"<div><h3>{e(result.task)} - {e(result.title)}</h3>",
        f"<p><b>{e(result.metric_label)} {value}</b> &middot; <b>{result.points} / {result.max_points}</b> points "
        f"&middot; <b style='color:{colour}'>{verdict}</b> (pass line: {result.pass_points} points) "
        f"&middot; {result.test_examples} hidden test examples &middot; {e(result.submission)}</p>",
        f"<table><tr><th>points</th><th>needs</th><th></th></tr>{rungs}</table>",
    ]
    parts += [f"<p>and a pass needs {e(requirement_text(r))}</p>" for r in result.requirements]
    if baselines:
        parts.append(f"<table><tr><th>baseline</th><th>{e(result.metric_label)}</th><th>points</th></tr>{baselines}</table>")
    if notes:
        parts.append(f"<p>Why:</p><ul>{notes}</ul>")
    if result.figure:
        parts.append(png_img_tag(explain_png(result.figure), f"{result.task}: what the model predicted"))
    return "\n".join(parts) + "</div>"
