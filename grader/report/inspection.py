"""`tfcert inspect`: a model file's report (grader.submission.inspect) as the terminal shows it.

Example:
    print(format_report(inspect_file(Path("model.h5")), width=80))
"""

from grader.models.structure import format_shape
from grader.report.text import format_table, wrap_lines
from grader.submission.compat import SHIMS
from grader.submission.inspect import LayerLine, ModelReport, TaskFit


def format_report(report: ModelReport, width: int | None = None) -> str:
    """The report as the terminal shows it, within `width` columns (None: unbounded)."""
    saved_by = report.saved_by or "an unrecorded Keras version"
    backend = f", {report.backend} backend" if report.backend else ""
    lines = [f"{report.path}: {report.model_class} saved by {saved_by}{backend} ({report.format} file)",
             "layers:", *_layer_table(report.layers)]
    if not report.loads:
        lines += [f"loads in safe mode: no: {report.problem}", "tasks: not checked (the model must load first)"]
        return "\n".join(lines)
    shapes = " + ".join(map(format_shape, report.inputs)) + " -> " + " + ".join(map(format_shape, report.outputs))
    lines += [f"input -> output: {shapes}", f"parameters: {report.params:,}", *_shim_lines(report.shims)]
    return wrap_lines("\n".join(lines + _task_lines(report.tasks, width)), width)


def _task_lines(fits: list[TaskFit], width: int | None) -> list[str]:
    """The tasks it fits, each with its contract; the others summed up by the contract they have.

    A model fits a few tasks at most, so the others are not listed one by one: grouped by what
    they feed and expect, they say which shapes the model would need instead.
    """
    fitting = [fit for fit in fits if fit.fits]
    others = [fit for fit in fits if not fit.fits]
    lines = ["tasks: fits " + (", ".join(fit.task_id for fit in fitting) if fitting else f"none of the {len(fits)}")]
    lines += [f"  {fit.task_id}: {fit.reason}" for fit in fitting]
    if not others:
        return lines
    lines.append(f"{'the other ' + str(len(others)) if fitting else 'the ' + str(len(others))} tasks take -> give "
                 "(`tfcert inspect --json` has each task's reason; `tfcert show TASK` its contract):")
    groups: dict[tuple[str, str], list[str]] = {}
    for fit in others:
        groups.setdefault((fit.feeds, fit.expects), []).append(fit.task_id)
    rows = [("input", "output", "tasks")]
    rows += [(feeds, expects, ", ".join(ids)) for (feeds, expects), ids in groups.items()]
    return lines + ["  " + line for line in format_table(rows, width and width - 2).splitlines()]


def _layer_table(layers: list[LayerLine]) -> list[str]:
    """Class and name columns; a nested layer is indented under the layer that holds it."""
    width = max((2 * layer.depth + len(layer.class_name) for layer in layers), default=0)
    return [f"  {('  ' * layer.depth + layer.class_name).ljust(width)}  {layer.name}" for layer in layers]


def _shim_lines(applied: list[str]) -> list[str]:
    """Whether the model loads as saved, or with which shims and whose files each serves."""
    if not applied:
        return ["loads in safe mode: yes, as saved"]
    serves = {shim.name: shim.serves for shim in SHIMS}
    return ["loads in safe mode: yes, with shims:"] + [f"  {name}: for {serves[name]}" for name in applied]
