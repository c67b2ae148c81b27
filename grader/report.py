"""Render results for people: the plain-text score table of one grade.

Example:
    print(format_result(result))
"""

from grader.result import GradeResult


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
    if result.baselines:
        lines += ["", f"  {'baseline':<44} {result.metric_label:>8}  points"]
        for baseline in result.baselines:
            lines.append(f"  {baseline.label:<44} {baseline.value:>8.4f}  {baseline.points}")
    if result.diagnostics:
        lines += ["", "why:"] + [f"  - {note}" for note in result.diagnostics]
    return "\n".join(lines)


def _mode_text(result: GradeResult) -> str:
    if result.mode == "train":
        return f"train mode: solution_model() trained in {result.train_seconds:.0f} s"
    if result.mode == "in-memory":
        return "in-memory model"
    details = [result.saved_by or "saved by an unknown Keras version"]
    if result.shims:
        details.append("shims: " + ", ".join(result.shims))
    return "model file, " + "; ".join(details)
