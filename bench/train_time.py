"""Benchmark: train each task's reference solution the way a learner does, and time it.

Runs `tfcert grade TASK <its reference solution> --json` for every task whose data is on this
machine (`tfcert data list`; set TFCERT_DATASETS_DIR for the real datasets), one after another
(each gets both cores), and reports training seconds (inside the child), the whole command's wall
time, the metric and the points. The promise: every reference reaches 5 points in at most 120 s of training
on 2 CPU cores. Writes the table to bench/results/train_time.md.

Usage:
    python bench/train_time.py [TASK ...]
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_table import publish  # noqa: E402  (bench/ is the script's own folder)

TARGET_SECONDS = 120


def main() -> None:
    from grader.catalog import list_tasks, load_task
    from grader.data.status import status

    wanted = sys.argv[1:] or [spec.id for spec in list_tasks() if status(spec).present]
    rows = []
    for task in wanted:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "grader.cli", "grade", task, load_task(task).solution, "--json"],
            cwd=ROOT, capture_output=True, text=True,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{task}: grading failed:\n{done.stderr[-2000:]}")
        result = json.loads(done.stdout)
        rows.append((task, result["train_seconds"], wall, result["metric_label"], result["value"], result["points"]))
    lines = [
        f"# reference training time ({os.cpu_count()} CPUs; target: 5 points within {TARGET_SECONDS} s of training)",
        "",
        "| task | train s | wall s (whole grade) | metric | value | points | within target |",
        "|---|---|---|---|---|---|---|",
    ]
    for task, train, wall, label, value, points in rows:
        ok = "yes" if points == 5 and train <= TARGET_SECONDS else "NO"
        lines.append(f"| {task} | {train:.1f} | {wall:.1f} | {label} | {value:.4g} | {points} | {ok} |")
    publish("train_time", lines)


if __name__ == "__main__":
    main()
