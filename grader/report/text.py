"""The plain-text score table of one grade, as `tfcert grade` prints it.

Example:
    print(format_result(result))
"""

import re
import textwrap

from grader.scoring.points import points_text
from grader.spec import METRICS


def value_text(value: float | None) -> str:
    """A metric value to 4 decimals, or 'n/a' when it was not finite."""
    return "n/a" if value is None else f"{value:.4f}"


def format_result(result) -> str:
    """The score table: metric, points with the ladder, PASS/FAIL, baselines and diagnostics."""
    op = "<=" if result.lower_is_better else ">="
    verdict = "PASS" if result.passed else "FAIL"
    lines = [
        f"{result.task} - {result.title}",
        f"submission  {result.submission} ({_mode_text(result)})",
        f"test split  {result.test_examples} hidden examples",
        "",
        f"{result.metric_label:<11} {value_text(result.value)}   "
        f"({'lower' if result.lower_is_better else 'higher'} is better)",
        f"{'points':<11} {result.points} / {result.max_points}   {verdict} (pass line: {result.pass_points} points)",
        "",
        f"  points  {result.metric_label} {op}",
    ]
    gaps = {gap.points: gap for gap in map(_as_gap, result.gaps)}
    for points in sorted(result.ladder, reverse=True):
        marker = "  <- you" if points == result.points else ""
        lines.append(f"  {points:>6}  {result.ladder[points]:<10g}{_distance(gaps.get(points)):<14}{marker}".rstrip())
    if result.points == 0:
        lines.append(f"  {0:>6}  {'otherwise':<10}{'':<14}  <- you")
    for requirement in result.requirements:
        lines.append(f"  and a pass needs {requirement_text(requirement)}")
    if result.baselines:
        width = max(44, *(len(baseline.label) for baseline in result.baselines))
        lines += ["", f"  {'baseline':<{width}} {result.metric_label:>8}  points"]
        for baseline in result.baselines:
            lines.append(f"  {baseline.label:<{width}} {baseline.value:>8.4f}  {baseline.points}")
    lines += ["", "why:"] + [f"  - {note}" for note in [*result.diagnostics, *gap_notes(result)]]
    return "\n".join(lines)


def _distance(gap) -> str:
    """A ladder row's distance from the result: '0.006 to go', '0.094 inside', or '' when unknown."""
    if gap is None:
        return ""
    return f"{gap.to_go:.3g} to go" if gap.to_go > 0 else f"{-gap.to_go:.3g} inside"


def gap_notes(result) -> list[str]:
    """How far the next rung, the pass line and full marks are, what usually closes each gap, and how.

    `result`: a GradeResult or its dict form (as results are stored). At full marks: the margin
    over the top rung. Nothing when the value is not finite (or for results stored without gaps).
    """
    field = result.get if isinstance(result, dict) else lambda name, default=None: getattr(result, name, default)
    gaps = [_as_gap(gap) for gap in field("gaps", None) or []]
    if not gaps:
        return []
    label, value, pass_points = field("metric_label"), field("value"), field("pass_points")
    op = "<=" if field("lower_is_better") else ">="
    top = gaps[0]
    if top.to_go <= 0:
        return [f"full marks: your {label} {value_text(value)} is {-top.to_go:.3g} inside the "
                f"{top.points}-point line ({label} {op} {top.threshold:g})"]
    above = [gap for gap in gaps if gap.to_go > 0]
    chosen = [above[-1]] + [gap for gap in above if gap.points == pass_points] + [top]
    notes, how = [], {}
    for gap in dict.fromkeys(chosen):  # next rung, pass line, full marks: each once, in that order
        name = "full marks" if gap is top else "the pass line" if gap.points == pass_points else "the next rung"
        usually = f": usually closed by {gap.technique}" if gap.technique else ""
        notes.append(f"{name} ({points_text(gap.points)}, {label} {op} {gap.threshold:g}) is "
                     f"{gap.to_go:.3g} away ({_rungs_text(gap.rungs)}){usually}")
        if gap.technique:
            how.setdefault(gap.technique, gap.how)
    return notes + [f"{name}: {text}" for name, text in how.items()]


def _rungs_text(rungs: float) -> str:
    """A gap in rungs, in words: 'a tenth of a rung', 'about 1.1 rungs'."""
    if rungs < 0.95:
        return f"{rungs:.0%} of a rung" if rungs >= 0.1 else "under a tenth of a rung"
    return f"about {rungs:.1f} rungs"


def _as_gap(gap):
    """A RungGap, from the dataclass or its dict form (results stored as JSON)."""
    if isinstance(gap, dict):
        from grader.scoring.gaps import RungGap

        return RungGap(**gap)
    return gap


def requirement_text(requirement) -> str:
    """'MSE <= 6 (yours 5.2: met)'."""
    op = "<=" if METRICS[requirement.metric][0] == "min" else ">="
    verdict = "met" if requirement.met else "NOT met"
    return f"{requirement.label} {op} {requirement.bound:g} (yours {value_text(requirement.value)}: {verdict})"


def _mode_text(result) -> str:
    if result.mode in ("train", "quick-check"):
        runtime = " under Keras 2 (tf_keras)" if result.keras_runtime == 2 else ""
        trained = f"{result.entry or 'solution_model'}() trained in {result.train_seconds:.0f} s{runtime}"
        if result.mode == "quick-check":
            return f"QUICK CHECK: {trained}; not a full run, never recorded as an attempt"
        return f"train mode: {trained}"
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


def format_table(rows: list[tuple[str, ...]], width: int | None = None) -> str:
    """Left-aligned columns two spaces apart; the first row is the header.

    `width`: the terminal's; a table wider than that has its long columns wrapped inside their
    cells (rich's table layout), the short ones (ids, numbers) kept whole. None: never wrapped.
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    if width is None or sum(widths) + 2 * (len(widths) - 1) <= width:
        return "\n".join("  ".join(cell.ljust(size) for cell, size in zip(row, widths, strict=True)).rstrip()
                         for row in rows)
    return _wrapped_table(rows, widths, width)


def _wrapped_table(rows: list[tuple[str, ...]], widths: list[int], width: int) -> str:
    """The table laid out by rich within `width` columns: cells wrap at words, long paths fold."""
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, padding=(0, 1), header_style="", show_edge=False)
    for header, size in zip(rows[0], widths, strict=True):
        short = size <= max(8, width // 5)  # ids, points, verdicts: kept on one line
        table.add_column(Text(header), no_wrap=short, overflow="fold", min_width=size if short else None)
    for row in rows[1:]:
        table.add_row(*(Text(cell) for cell in row))  # Text: brackets in a cell are not markup
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, highlight=False, emoji=False, soft_wrap=False,
            force_terminal=False).print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


# A bullet, or a label of one or two words near the margin followed by two or more spaces.
_HANGING = re.compile(r"^(\s*- |\s{0,4}\S+(?: \S+)?\s{2,})(?=\S)")


def wrap_lines(text: str, width: int | None) -> str:
    """Every line of `text` at most `width` wide (None: as it is), continued under its own text.

    A line's continuation starts where its text does after a bullet ('  - ') or a label
    ('  scaling   raw values...'), so wrapped contracts and notes still read as columns.
    """
    if width is None:
        return text
    out = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        hanging = _HANGING.match(line)
        leading = len(line) - len(line.lstrip())
        indent = len(hanging.group(1)) if hanging and len(hanging.group(1)) <= width // 2 else leading
        out += textwrap.wrap(line, width, subsequent_indent=" " * indent, break_on_hyphens=False,
                             drop_whitespace=True) or [""]
    return "\n".join(out)
