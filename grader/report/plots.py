"""Report pictures as PNG bytes, drawn with matplotlib off-screen (the Agg canvas, no display).

Each picture is its own `matplotlib.figure.Figure`, not pyplot, so nothing global is touched and
no window can open.

Example:
    png = explain_png({"kind": "forecast", "actual": [1.0, 2.0], "forecast": [1.1, 1.9]})
    open("forecast.png", "wb").write(png)
"""

import base64
import html
import io
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

COUNTED, LATE, PASS_LINE, RUNG = "#1f77b4", "#d62728", "#2ca02c", "#bbbbbb"


@dataclass(frozen=True)
class PlottedAttempt:
    """One graded attempt as the score plot shows it."""

    number: int  # 1-based, among the task's attempts
    value: float
    points: int
    late: bool


def scores_png(attempts: list[PlottedAttempt], metric_label: str, lower_is_better: bool,
               ladder: dict[int, float], pass_points: int) -> bytes:
    """The metric over attempts, with the ladder's rungs behind: how far from the next point."""
    figure = Figure(figsize=(6, 3.2), layout="constrained")
    axes = figure.add_subplot()
    for points, threshold in sorted(ladder.items()):
        passing = points == pass_points
        axes.axhline(threshold, color=PASS_LINE if passing else RUNG, linewidth=1.5 if passing else 0.8,
                     linestyle="-" if passing else "--", zorder=0)
        axes.annotate(f"{points} pts" + (" (pass)" if passing else ""), (1, threshold),
                      xycoords=("axes fraction", "data"), xytext=(3, 0), textcoords="offset points", va="center",
                      fontsize=7, color="#555555")
    numbers = [a.number for a in attempts]
    axes.plot(numbers, [a.value for a in attempts], color=COUNTED, linewidth=1, zorder=1)
    for attempt in attempts:
        axes.scatter([attempt.number], [attempt.value], zorder=2, s=36, edgecolors=LATE if attempt.late else COUNTED,
                     facecolors="white" if attempt.late else COUNTED)
        axes.annotate(f"{attempt.points}", (attempt.number, attempt.value), xytext=(0, 6),
                      textcoords="offset points", ha="center", fontsize=8)
    axes.margins(x=0.08, y=0.15)  # room for the points written above the markers
    axes.set_xticks(numbers)
    axes.set_xlabel("attempt (hollow red: late, not counted; number above: points)")
    axes.set_ylabel(f"{metric_label} ({'lower' if lower_is_better else 'higher'} is better)")
    return _png(figure)


def explain_png(figure_data: dict) -> bytes:
    """The picture behind a grade (grader.scoring.figure.figure_data): confusion matrix or forecast vs actual."""
    if figure_data["kind"] == "confusion":
        return _confusion_png(figure_data["classes"], figure_data["matrix"])
    return _forecast_png(figure_data["actual"], figure_data["forecast"])


def _confusion_png(classes: list[str], matrix: list[list[int]]) -> bytes:
    size = 2.5 + 0.45 * len(classes)
    figure = Figure(figsize=(size + 1, size), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axes, shrink=0.8)
    peak = max(max(row) for row in matrix) or 1
    for actual, row in enumerate(matrix):
        for predicted, count in enumerate(row):
            axes.text(predicted, actual, str(count), ha="center", va="center", fontsize=8,
                      color="white" if count > peak / 2 else "black")
    ticks = range(len(classes))
    axes.set_xticks(ticks, classes, rotation=45, ha="right")
    axes.set_yticks(ticks, classes)
    axes.set_xlabel("predicted")
    axes.set_ylabel("actual")
    return _png(figure)


def _forecast_png(actual: list[float], forecast: list[float]) -> bytes:
    figure = Figure(figsize=(7, 3.2), layout="constrained")
    axes = figure.add_subplot()
    steps = range(len(actual))
    axes.plot(steps, actual, color="#555555", linewidth=1, label="actual")
    axes.plot(steps, forecast, color=COUNTED, linewidth=1, label="forecast")
    axes.set_xlabel("hidden test step")
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=2, frameon=False, fontsize=8)
    return _png(figure)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def png_img_tag(png: bytes, alt: str) -> str:
    """An <img> that carries its PNG inline, so the HTML needs no other file."""
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'
