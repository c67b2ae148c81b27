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
    return _png(scores_figure(attempts, metric_label, lower_is_better, ladder, pass_points))


def scores_figure(attempts: list[PlottedAttempt], metric_label: str, lower_is_better: bool,
                  ladder: dict[int, float], pass_points: int) -> Figure:
    """scores_png's figure, before it becomes a PNG."""
    figure = Figure(figsize=(6, 3.2), layout="constrained")
    FigureCanvasAgg(figure)  # the labels below are placed from the laid-out axes
    axes = figure.add_subplot()
    for points, threshold in sorted(ladder.items()):
        passing = points == pass_points
        axes.axhline(threshold, color=PASS_LINE if passing else RUNG, linewidth=1.5 if passing else 0.8,
                     linestyle="-" if passing else "--", zorder=0)
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
    _rung_labels(figure, axes, ladder, pass_points)
    return figure


RUNG_LABEL_POINTS = 7  # font size of the rung labels
RUNG_LABEL_GAP = 9  # points between two labels' centres: closer rungs get their labels spread apart


def _rung_labels(figure: Figure, axes, ladder: dict[int, float], pass_points: int) -> None:
    """'5 pts', '4 pts (pass)'... at the right of their rungs, spread apart where rungs lie close.

    Rungs a tenth of a unit apart on an axis that spans several units (an early attempt far off)
    are a few points apart on the page: each label keeps its rung's order and moves just enough
    not to overlap its neighbours, with a thin leader line back to its rung.
    """
    figure.draw_without_rendering()  # the final y limits and the axes' height
    low, high = axes.get_ylim()
    height = axes.get_window_extent().height * 72 / figure.dpi
    rungs = sorted(ladder.items(), key=lambda item: item[1])  # bottom to top on the page
    wanted = [(threshold - low) / (high - low) * height for _, threshold in rungs]
    placed = list(wanted)
    for i in range(1, len(placed)):  # upwards: at least a gap above the label below
        placed[i] = max(placed[i], placed[i - 1] + RUNG_LABEL_GAP)
    shift = max(0.0, placed[-1] - max(height, wanted[-1]))  # the stack went past the top: move it all down
    placed = [position - shift for position in placed]
    for i in range(len(placed) - 2, -1, -1):  # and keep the gap from above
        placed[i] = min(placed[i], placed[i + 1] - RUNG_LABEL_GAP)
    for (points, threshold), at, moved in zip(rungs, wanted, placed, strict=True):
        passing = points == pass_points
        leader = {"arrowstyle": "-", "color": RUNG, "linewidth": 0.5} if abs(moved - at) > 1 else None
        axes.annotate(f"{points} pts" + (" (pass)" if passing else ""), (1, threshold),
                      xycoords=("axes fraction", "data"), xytext=(8, moved - at), textcoords="offset points",
                      va="center", fontsize=RUNG_LABEL_POINTS, color="#555555", arrowprops=leader,
                      annotation_clip=False)


def explain_png(figure_data: dict) -> bytes:
    """The picture behind a grade (grader.scoring.figure.figure_data): a confusion matrix, forecast vs
    actual, or a line task's answers against x."""
    if figure_data["kind"] == "confusion":
        return _confusion_png(figure_data["classes"], figure_data["matrix"])
    if figure_data["kind"] == "line":
        return _line_png(figure_data["x"], figure_data["actual"], figure_data["forecast"])
    return _forecast_png(figure_data["actual"], figure_data["forecast"])


def _line_png(x: list[float], actual: list[float], predicted: list[float]) -> bytes:
    """A line task: the hidden points (x, y) and the model's answers at the same x, against x."""
    figure = Figure(figsize=(6, 3.2), layout="constrained")
    axes = figure.add_subplot()
    order = sorted(range(len(x)), key=x.__getitem__)
    axes.plot([x[i] for i in order], [actual[i] for i in order], color="#555555", linewidth=1, marker=".",
              markersize=4, label="the task's line (hidden points)")
    axes.plot([x[i] for i in order], [predicted[i] for i in order], color=COUNTED, linewidth=1.5,
              label="your model's answers")
    axes.set_xlabel("x")
    axes.set_ylabel("y")
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=2, frameon=False, fontsize=8)
    return _png(figure)


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
