"""Render results for people: the plain-text score table of one grade, and its HTML form.

Example:
    print(format_result(result))
    format_result_html(result)   # what a notebook shows for a GradeResult
"""

import html

from grader.result import GradeResult
from grader.spec import METRICS


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def format_result(result: GradeResult) -> str:
    """The score table: metric, points with the ladder, PASS/FAIL, baselines and diagnostics."""
    op = "<=" if result.lower_is_better else ">="
    verdict = "PASS" if result.passed else "FAIL"
    lines = [
        f"{result.task} - {result.title}",
        f"submission  {result.submission} ({_mode_text(result)})",
        f"test split  {result.test_examples} hidden examples",
        "",
        f"{result.metric_label:<11} {_fmt(result.value)}   ({'lower' if result.lower_is_better else 'higher'} is better)",
        f"{'points':<11} {result.points} / {result.max_points}   {verdict} (pass line: {result.pass_points} points)",
        "",
        f"  points  {result.metric_label} {op}",
    ]
    for points in sorted(result.ladder, reverse=True):
        marker = "  <- you" if points == result.points else ""
        lines.append(f"  {points:>6}  {result.ladder[points]:<10g}{marker}")
    if result.points == 0:
        lines.append(f"  {0:>6}  {'otherwise':<10}  <- you")
    for requirement in result.requirements:
        lines.append(f"  and a pass needs {_requirement_text(requirement)}")
    if result.baselines:
        width = max(44, *(len(baseline.label) for baseline in result.baselines))
        lines += ["", f"  {'baseline':<{width}} {result.metric_label:>8}  points"]
        for baseline in result.baselines:
            lines.append(f"  {baseline.label:<{width}} {baseline.value:>8.4f}  {baseline.points}")
    if result.diagnostics:
        lines += ["", "why:"] + [f"  - {note}" for note in result.diagnostics]
    return "\n".join(lines)


def _requirement_text(requirement) -> str:
    """'MSE <= 6 (yours 5.2: met)'."""
    op = "<=" if METRICS[requirement.metric][0] == "min" else ">="
    verdict = "met" if requirement.met else "NOT met"
    return f"{requirement.label} {op} {requirement.bound:g} (yours {_fmt(requirement.value)}: {verdict})"


def _mode_text(result: GradeResult) -> str:
    if result.mode == "train":
        return f"train mode: solution_model() trained in {result.train_seconds:.0f} s"
    if result.mode == "in-memory":
        return "in-memory model"
    if result.mode == "savedmodel":
        return "SavedModel directory, loaded in a sandboxed child"
    if result.mode == "trusted":
        return "trusted model file (--trust), loaded in a sandboxed child"
    details = [result.saved_by or "saved by an unknown Keras version"]
    if result.shims:
        details.append("shims: " + ", ".join(result.shims))
    return "model file, " + "; ".join(details)


def format_result_html(result: GradeResult) -> str:
    """Notebook HTML: score and verdict, the ladder with the reached rung marked, baselines,
    diagnostics, and the plot that explains the result (an embedded PNG)."""
    from grader.plots import explain_png, png_img_tag

    e = html.escape
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
    notes = "".join(f"<li>{e(note)}</li>" for note in result.diagnostics)
    value = "n/a" if result.value is None else f"{result.value:.4f}"
    parts = [
        f"<div><h3>{e(result.task)} - {e(result.title)}</h3>",
        f"<p><b>{e(result.metric_label)} {value}</b> &middot; <b>{result.points} / {result.max_points}</b> points "
        f"&middot; <b style='color:{colour}'>{verdict}</b> (pass line: {result.pass_points} points) "
        f"&middot; {result.test_examples} hidden test examples &middot; {e(result.submission)}</p>",
        f"<table><tr><th>points</th><th>needs</th><th></th></tr>{rungs}</table>",
    ]
    parts += [f"<p>and a pass needs {e(_requirement_text(r))}</p>" for r in result.requirements]
    if baselines:
        parts.append(f"<table><tr><th>baseline</th><th>{e(result.metric_label)}</th><th>points</th></tr>{baselines}</table>")
    if notes:
        parts.append(f"<p>Why:</p><ul>{notes}</ul>")
    if result.figure:
        parts.append(png_img_tag(explain_png(result.figure), f"{result.task}: what the model predicted"))
    return "\n".join(parts) + "</div>"
