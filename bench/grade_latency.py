"""Benchmark: `tfcert grade task4 model.keras` against the floor of any grader, in one run.

The floor is a bare Python process that imports TensorFlow, loads the same model and predicts
the same hidden test windows: what grading cannot avoid. The target is tfcert <= 1.3x the floor.
Each command runs REPEATS times, interleaved so machine noise hits both alike; the table gives
median and best wall time and peak RSS, and is printed and written to bench/results/.

Usage:
    python bench/grade_latency.py [--repeats 5]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_table import publish  # noqa: E402  (bench/ is the script's own folder)

FLOOR_CODE = """
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
import keras
model = keras.saving.load_model(sys.argv[1], compile=False)
model.predict(np.load(sys.argv[2]), batch_size=256, verbose=0)
"""


def reference_shaped_model(path: Path) -> None:
    """Save a model with the reference solution's architecture (latency does not depend on weights)."""
    from grader.models.runtime import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(0)
    keras.Sequential([
        keras.Input((30, 1)),
        keras.layers.Rescaling(1 / 50),
        keras.layers.Conv1D(32, 5, padding="causal", activation="relu"),
        keras.layers.LSTM(64, return_sequences=True),
        keras.layers.LSTM(32),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1),
        keras.layers.Rescaling(50),
    ]).save(path)


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import numpy as np

    from grader.catalog import load_task
    from grader.data import hidden_test_split

    with tempfile.TemporaryDirectory() as tmp:
        model_path, windows_path = Path(tmp) / "model.keras", Path(tmp) / "windows.npy"
        reference_shaped_model(model_path)
        np.save(windows_path, hidden_test_split(load_task("task4")).x)
        tfcert = [sys.executable, "-m", "grader.cli", "grade", "task4", str(model_path)]
        commands = {
            "floor: python + import TF + load + predict": [sys.executable, "-c", FLOOR_CODE, str(model_path),
                                                           str(windows_path)],
            "tfcert grade task4 model.keras": tfcert,
        }
        samples = {name: [] for name in commands}
        for command in commands.values():  # warm the page cache before measuring
            timed(command)
        for _ in range(args.repeats):
            for name, command in commands.items():
                samples[name].append(timed(command))

    rows = []
    for name, runs in samples.items():
        walls = [wall for wall, _ in runs]
        rows.append((name, statistics.median(walls), min(walls), max(rss for _, rss in runs)))
    floor_median = rows[0][1]
    lines = [
        f"# grade latency ({args.repeats} runs each, interleaved; {os.cpu_count()} CPUs)",
        "",
        "| command | median s | best s | peak RSS MiB | ratio to floor (median) |",
        "|---|---|---|---|---|",
    ]
    for name, median, best, rss in rows:
        lines.append(f"| {name} | {median:.2f} | {best:.2f} | {rss:.0f} | {median / floor_median:.2f}x |")
    lines += ["", "target: tfcert <= 1.30x the floor"]
    publish("grade_latency", lines)


if __name__ == "__main__":
    main()
