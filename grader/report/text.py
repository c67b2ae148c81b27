"""The plain-text score table of one grade, as `tfcert grade` prints it.

Example:
    print(format_result(result))
"""

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
    for points in sorted(result.ladder, reverse=True):
        marker = "  <- you" if points == result.points else ""
        lines.append(f"  {points:>6}  {result.ladder[points]:<10g}{marker}")
    if result.points == 0:
        lines.append(f"  {0:>6}  {'otherwise':<10}  <- you")
    for requirement in result.requirements:
        lines.append(f"  and a pass needs {requirement_text(requirement)}")
    if result.baselines:
        width = max(44, *(len(baseline.label) for baseline in result.baselines))
        lines += ["", f"  {'baseline':<{width}} {result.metric_label:>8}  points"]
        for baseline in result.baselines:
            lines.append(f"  {baseline.label:<{width}} {baseline.value:>8.4f}  {baseline.points}")
    if result.diagnostics:
        lines += ["", "why:"] + [f"  - {note}" for note in result.diagnostics]
    return "\n".join(lines)


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


def format_table(rows: list[tuple[str, ...]]) -> str:
    """Left-aligned columns two spaces apart; the first row is the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
                     for row in rows)
