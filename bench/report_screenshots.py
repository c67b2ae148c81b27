"""Screenshots of the two HTML reports, as a reader's browser shows them: headless Chromium.

Builds a practice session (task4 attempts that span the ladder and beyond, a line task, an image
classifier) and a class's batch summary from real grades of small models, renders both reports
with whichever tfcert `grader` is importable (PYTHONPATH picks the tree, so the same script
takes the "before" and "after" pictures), and photographs each page with headless Chromium.

Usage:
    PYTHONPATH=/path/to/tree python bench/report_screenshots.py --label after
    # -> bench/results/screens/after-session-report.png, after-class-summary.png (and the .html)
"""

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ROOT / "bench" / "results" / "screens"
START = 1_700_000_000.0
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


def task4_models(keras, folder: Path) -> list[Path]:
    """Forecasters from far off to near the top rung: untrained, naive, moving average, linear fits."""
    import grader

    series = np.concatenate([grader.load_data("task4", "train"), grader.load_data("task4", "valid")])
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], 30)
    paths = []

    def save(model, name):
        paths.append(folder / f"{name}.keras")
        model.save(paths[-1])

    keras.utils.set_random_seed(0)
    save(keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]), "untrained")
    save(keras.Sequential([keras.Input((30, 1)), keras.layers.Cropping1D((29, 0)), keras.layers.Reshape((1,))]),
         "naive")
    for name, lags in (("average7", 7), ("linear10", 10), ("linear30", 30)):
        x = np.c_[windows[:, -lags:], np.ones(len(windows))]
        if name == "average7":
            weights = np.r_[np.full(lags, 1 / lags), 0.0]
        else:
            weights, *_ = np.linalg.lstsq(x, series[30:], rcond=None)
        full = np.r_[np.zeros(30 - lags), weights[:-1]]
        model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
        model.layers[-1].set_weights([full[:, None].astype("float32"), weights[-1:].astype("float32")])
        save(model, name)
    return paths


def line_model(keras, folder: Path) -> Path:
    """A line task's model a little off the task's line (y = x + 1)."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.layers[-1].set_weights([np.array([[0.93]], "float32"), np.array([1.2], "float32")])
    path = folder / "line.keras"
    model.save(path)
    return path


def image_model(keras, folder: Path) -> Path:
    """task1's contract, untrained: a confusion matrix to show."""
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Rescaling(1 / 255),
                              keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(5, activation="softmax")])
    path = folder / "shapes.keras"
    model.save(path)
    return path


def session_report(work: Path, models: list[Path], line: Path, image: Path, out: Path) -> None:
    from grader.catalog import load_task
    from grader.practice import sessions as practice
    from grader.practice.report import write_report
    from grader.store.db import open_store

    clock = Clock()
    with open_store(work / "results.db") as store:
        # fashion-mnist and dicoding-c5-power get no attempt (their data may be absent): their ids show in the table
        specs = [load_task(task) for task in ("task4", "fashion-mnist", "linear", "task1", "dicoding-c5-power")]
        practice.start(store, specs, 120, work / "workspace", now=clock)
        for path in [*models, line, image]:
            clock.now += 9 * 60
            task = {line: "linear", image: "task1"}.get(path, "task4")
            practice.submit(store, task, path, now=clock)
        standings = practice.standings(store, store.active_session())
    write_report(standings, out, clock())


def class_summary(models: list[Path], out_dir: Path) -> None:
    from grader import grade
    from grader.batch.gradebook import submission_row, write_exports
    from grader.catalog import load_task

    spec = load_task("task4")
    students = ["ada", "björn", "chidi", "dana-marie", "eun-ji", "femi"]
    rows = []
    for student, path in zip(students, models, strict=False):
        result = grade(spec, path)
        rows.append(submission_row(student, f"{student}/{path.name}", "0" * 64, "graded", result.to_dict(), None))
    rows.append(submission_row("femi", None, "", "missing", None, "on the roster, nothing submitted"))
    rows.append(submission_row("gao", "gao/model.h5", "1" * 64, "error", None,
                               "gao/model.h5: not an HDF5 file; save with model.save('model.keras')"))
    try:  # a tree with late rules and overrides shows one of each
        import dataclasses

        from grader.batch.adjust import LateRule, adjusted_rows
        from grader.store.rows import Override
    except ImportError:
        pass
    else:
        rows[4] = dataclasses.replace(rows[4], submitted_at=START + 1.5 * 86400)
        override = Override("gao", 3, "graded by hand: the model was saved as .h5 by Keras 2 and re-saved", "", START)
        rows = adjusted_rows(rows, LateRule(START, penalty_per_day=1), {"gao": override}, spec.metric.pass_points)
    write_exports(rows, spec, out_dir, ("html", "feedback"))


def screenshot(html: Path, png: Path, height: int) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="tfcert-chromium-") as profile:
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size=1100,{height}",
                        f"--screenshot={png}", html.as_uri()], check=True, capture_output=True, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="before / after: the screenshots' name prefix")
    args = parser.parse_args()
    from grader.models.runtime import import_keras

    keras = import_keras()
    SCREENS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tfcert-screens-") as scratch:
        work = Path(scratch)
        models = task4_models(keras, work)
        report = SCREENS / f"{args.label}-session-report.html"
        session_report(work, models, line_model(keras, work), image_model(keras, work), report)
        class_summary(models, work / "batch")
        summary = SCREENS / f"{args.label}-class-summary.html"
        shutil.copyfile(work / "batch" / "summary.html", summary)
    screenshot(report, SCREENS / f"{args.label}-session-report.png", 4200)
    screenshot(summary, SCREENS / f"{args.label}-class-summary.png", 1700)
    print(f"wrote {SCREENS}/{args.label}-session-report.png and {args.label}-class-summary.png")


if __name__ == "__main__":
    main()
