"""Benchmark: `tfcert batch --workers 2` against one `tfcert grade` process per submission.

Grades N task4 model files both ways in one run (the per-submission way is how graders that
start a process per submission work) and reports wall times, the speed-up (target >= 6x), and
the batch workers' peak memory for 10 and for 40 submissions (it must not grow with the count).
Writes the table to bench/results/batch_throughput.md.

Usage:
    python bench/batch_throughput.py [--count 40]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_table import publish  # noqa: E402  (bench/ is the script's own folder)

TFCERT = [sys.executable, "-m", "grader.cli"]


def make_submissions(folder: Path, count: int) -> None:
    """`count` distinct models with the reference's architecture (untrained: timing only)."""
    from grader.models.runtime import import_keras

    keras = import_keras()
    folder.mkdir()
    for index in range(count):
        keras.utils.set_random_seed(index)
        keras.Sequential([
            keras.Input((30, 1)), keras.layers.Rescaling(1 / 50),
            keras.layers.Conv1D(32, 5, padding="causal", activation="relu"),
            keras.layers.LSTM(64, return_sequences=True), keras.layers.LSTM(32),
            keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1), keras.layers.Rescaling(50),
        ]).save(folder / f"student{index:03d}.keras")


def timed(command: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout


def batch(folder: Path, scratch: Path, name: str, env: dict) -> tuple[float, list[float]]:
    seconds, output = timed([*TFCERT, "batch", "task4", str(folder), "--workers", "2",
                             "--out", str(scratch / f"out-{name}"), "--formats", "csv",
                             "--db", str(scratch / f"{name}.db")], env)
    peaks = re.search(r"worker peak memory \(MB\): (.*)", output).group(1)
    return seconds, [float(value) for value in peaks.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    args = parser.parse_args()
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        many, few = scratch / "many", scratch / "few"
        make_submissions(many, args.count)
        make_submissions(few, 10)
        batch_seconds, many_peaks = batch(many, scratch, "many", env)
        _, few_peaks = batch(few, scratch, "few", env)
        sequential = 0.0
        for path in sorted(many.iterdir()):
            seconds, _ = timed([*TFCERT, "grade", "task4", str(path), "--json"], env)
            sequential += seconds
    lines = [
        f"# batch throughput: {args.count} task4 model files ({os.cpu_count()} CPUs)",
        "",
        "| way | wall s | per submission s |",
        "|---|---|---|",
        f"| {args.count} sequential `tfcert grade` processes | {sequential:.1f} | {sequential / args.count:.2f} |",
        f"| `tfcert batch --workers 2` | {batch_seconds:.1f} | {batch_seconds / args.count:.2f} |",
        "",
        f"speed-up: {sequential / batch_seconds:.1f}x (target >= 6x)",
        "",
        "| submissions | worker peak RSS MiB (each worker) |",
        "|---|---|",
        f"| 10 | {', '.join(f'{mb:.0f}' for mb in few_peaks)} |",
        f"| {args.count} | {', '.join(f'{mb:.0f}' for mb in many_peaks)} |",
    ]
    publish("batch_throughput", lines)


if __name__ == "__main__":
    main()
