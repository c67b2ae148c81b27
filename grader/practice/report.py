"""`tfcert report`: one self-contained HTML file for a practice session.

Plots are PNGs embedded as base64 and the style sheet is inline: no external CSS, script or
image, so the file can be mailed or archived and still opens. Everything comes from the stored
attempts (their GradeResult dicts hold the figure data); nothing is regraded.

Example:
    with open_store() as store:
        report = render_report(standings(store, pick_session(store, None)), now=time.time())
    Path("report.html").write_text(report.html)
"""

from dataclasses import dataclass
from pathlib import Path

from grader.paths import atomic_write
from grader.practice.sessions import Standings, TaskStanding
from grader.practice.text import (
    duration,
    elapsed,
    exam_verdict,
    score_text,
    session_state,
    standings_rows,
    time_used,
    when,
)
from grader.report.html import escape, page, table
from grader.report.plots import PlottedAttempt, explain_png, png_img_tag, scores_png
from grader.report.text import gap_notes
from grader.store.rows import Attempt, Session


@dataclass(frozen=True)
class Report:
    """A rendered report: the HTML text and how many plots it embeds."""

    html: str
    plots: int


def write_report(standings: Standings, out: Path, now: float) -> Report:
    """Render the session's report and write it to `out` atomically."""
    report = render_report(standings, now)

    def write(temporary: Path) -> None:
        temporary.write_text(report.html, encoding="utf-8")
        temporary.chmod(0o644)  # the temporary file is private; a report is meant to be shared

    atomic_write(out, write)
    return report


def render_report(standings: Standings, now: float) -> Report:
    """The whole HTML page: the summary table, then per task its score plot and latest picture."""
    session = standings.session
    sections = [_task_section(standing, session) for standing in standings.tasks]
    title = f"{session.exam['title']}: mock exam, session {session.id}" if session.exam else \
        f"tfcert practice session {session.id}"
    total = (escape(exam_verdict(standings)) + f" ({standings.total} / {standings.max_total} points)"
             if session.exam else f"Total: {standings.total} / {standings.max_total} points")
    body = [
        f"<h1>{escape(title)}</h1>",
        f"<p>Started {escape(when(session.started_at))}, deadline {escape(when(session.deadline))}, "
        f"{escape(session_state(session, now))}; time used {duration(time_used(session, now))}. "
        f"Workspace <code>{escape(session.workspace)}</code>.</p>",
        f"<p><strong>{total}</strong> (per problem, the best attempt before the deadline).</p>",
        table(standings_rows(standings)),
        *(text for text, _ in sections),
    ]
    return Report(page(title, body), sum(plots for _, plots in sections))


def _task_section(standing: TaskStanding, session: Session) -> tuple[str, int]:
    """A task's HTML section and the number of plots in it."""
    graded = [(number, a) for number, a in enumerate(standing.attempts, 1) if a.status == "graded"]
    if not graded:
        return (f"<section><h2>{escape(standing.task)}</h2><p>No graded attempt.</p>"
                f"{_attempts_table(standing, session)}</section>"), 0
    number, latest = graded[-1]
    result = latest.result
    parts, plots = [f"<section><h2>{escape(standing.task)} - {escape(result['title'])}</h2>"], 0
    plotted = [PlottedAttempt(n, a.value, a.points, a.late) for n, a in graded if a.value is not None]
    if plotted:
        ladder = {int(points): threshold for points, threshold in result["ladder"].items()}
        png = scores_png(plotted, result["metric_label"], result["lower_is_better"], ladder, result["pass_points"])
        parts += ["<h3>Score over attempts</h3>",
                  png_img_tag(png, f"{standing.task}: {result['metric_label']} per attempt")]
        plots += 1
    value = "n/a" if latest.value is None else f"{latest.value:.4f}"
    parts.append(f"<h3>Latest graded attempt: #{number}, {escape(latest.submission)}: "
                 f"{escape(result['metric_label'])} {value}, {latest.points}/{result['max_points']}</h3>")
    if result.get("figure"):  # results stored before figures existed have none
        parts.append(png_img_tag(explain_png(result["figure"]), f"{standing.task}: what attempt {number} predicted"))
        plots += 1
    notes = [*result["diagnostics"], *gap_notes(result)]
    if notes:
        parts.append("<ul>" + "".join(f"<li>{escape(note)}</li>" for note in notes) + "</ul>")
    parts += [_attempts_table(standing, session), "</section>"]
    return "\n".join(parts), plots


def _attempts_table(standing: TaskStanding, session: Session) -> str:
    rows = ["<table><tr><th>#</th><th>submitted</th><th>file</th><th>score</th><th>value</th><th>note</th></tr>"]
    for number, attempt in enumerate(standing.attempts, 1):
        rows.append(f'<tr class="{_row_class(attempt)}"><td>{number}</td><td>{elapsed(attempt, session)}</td>'
                    f'<td class="path">{escape(attempt.submission)}</td>'
                    f'<td class="word">{escape(score_text(attempt))}</td>'
                    f"<td>{'' if attempt.value is None else f'{attempt.value:.4f}'}</td>"
                    f"<td>{escape(attempt.message or '')}</td></tr>")
    return "\n".join(rows) + "</table>"


def _row_class(attempt: Attempt) -> str:
    return "error" if attempt.status == "error" else "late" if attempt.late else ""
