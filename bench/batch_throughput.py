"""Benchmark: `tfcert batch --workers 2` against one `tfcert grade` process per submission.

For task4 (windows), sarcasm (text) and task1 (images) it grades N model files both ways in one
run (the per-submission way is how graders that start a process per submission work; half of
those processes run before the batch and half after, so both ways see the same load) and
reports wall times and the speed-up (target for task4: >= 15x). It measures the task4 workers'
peak memory for 10, N and 200 files (flat within 10%), and the per-file floor of a warm batch:
the marginal seconds a file adds between the 10- and 200-file batches. Then train mode: one
reference solution graded alone, and two in one batch on two workers, which is what bounds a
class of solution files. Writes the tables to bench/results/batch_throughput.md.

Usage:
    python bench/batch_throughput.py [--count 40] [--sample 40]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))  # after bench/ (the script's own folder): this tree's grader builds the files

from results_table import publish  # noqa: E402
from submissions import make_class  # noqa: E402

TFCERT = [sys.executable, "-m", "grader.cli"]
TASKS = ("task4", "sarcasm", "task1")
CLASS_SIZE = 100  # the class the train-mode plan is for


def timed(command: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout


def batch(task: str, folder: Path, scratch: Path, env: dict) -> tuple[float, list[float]]:
    """Wall seconds of `tfcert batch --workers 2`, and each worker's peak RSS (MiB)."""
    name = f"{task}-{folder.name}"
    seconds, output = timed([*TFCERT, "batch", task, str(folder), "--workers", "2", "--formats", "csv",
                             "--out", str(scratch / f"out-{name}"), "--db", str(scratch / f"{name}.db")], env)
    peaks = re.search(r"worker peak memory \(MB\): (.*)", output).group(1)
    return seconds, [float(value) for value in peaks.split(",")]


def sequential(task: str, files: list[Path], env: dict) -> float:
    """Wall seconds of one `tfcert grade` process per file, one after another."""
    return sum(timed([*TFCERT, "grade", task, str(path), "--json"], env)[0] for path in files)


def throughput_row(task: str, scratch: Path, count: int, sample: int, env: dict) -> tuple[list[str], float, list]:
    """One table row: sequential processes against one batch, for `count` files of `task`."""
    folder = make_class(task, scratch / f"{task}-{count}", count)
    files = sorted(folder.iterdir())
    timed_files = files[:: max(1, count // sample)][:sample]
    half = len(timed_files) // 2
    before = sequential(task, timed_files[:half], env)
    batch_seconds, peaks = batch(task, folder, scratch, env)
    per_process = (before + sequential(task, timed_files[half:], env)) / len(timed_files)
    one_by_one = per_process * count
    note = "" if len(timed_files) == count else f" ({len(timed_files)} timed, x{count / len(timed_files):g})"
    row = (f"| {task} | {count} | {one_by_one:.1f}{note} | {per_process:.2f} | {batch_seconds:.1f} | "
           f"{batch_seconds / count:.2f} | **{one_by_one / batch_seconds:.1f}x** |")
    return [row], batch_seconds, peaks


def train_mode(scratch: Path, env: dict) -> list[str]:
    """One reference solution graded alone, then two in one batch on two workers: the plan for a class."""
    solution = ROOT / "solutions" / "task4.py"
    alone, output = timed([*TFCERT, "grade", "task4", str(solution), "--json"], env)
    trained = float(re.search(r'"train_seconds": ([0-9.]+)', output).group(1))
    folder = scratch / "train-mode"
    folder.mkdir()
    for student in ("a", "b"):
        shutil.copyfile(solution, folder / f"student_{student}.py")
    pair, _ = batch("task4", folder, scratch, env)
    hours = CLASS_SIZE / 2 * pair / 3600
    return [
        "## train mode: solution files (task4's reference, 60 epochs)", "",
        "| way | wall s |", "|---|---|",
        f"| one `tfcert grade task4 solution.py` (training {trained:.1f} s of it) | {alone:.1f} |",
        f"| two solution files, `tfcert batch --workers 2` (two trainings at once on 2 cores) | {pair:.1f} |", "",
        "Training bounds a class of solution files, not the worker: each file trains in its own sandboxed "
        "child, a worker waits for it, and two workers train two at a time, sharing the two cores "
        f"(a pair took {pair / alone:.1f}x one alone). A class of {CLASS_SIZE} such files on 2 workers: "
        f"{CLASS_SIZE // 2} pairs x {pair:.0f} s = **{hours:.1f} h**. The worst case is each job's limit: the "
        "spec's `train_seconds` (task4: 300 s) plus `predict_seconds` plus 60 s, two at a time: "
        f"{CLASS_SIZE // 2} x 300 s = {CLASS_SIZE // 2 * 300 / 3600:.1f} h of training at most. More cores "
        "(`--workers` up to the cores) or a Ray cluster (`--executor ray`) divide it.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--sample", type=int, default=40,
                        help="how many of the sequential processes to time for sarcasm and task1 (task4: all)")
    parser.add_argument("--memory-counts", default="10,200", help="task4 batch sizes for peak memory, beside --count")
    parser.add_argument("--no-train", action="store_true", help="skip the train-mode measurement")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # this tree, whatever is installed
    if (ROOT.parent / "shared" / "data").is_dir():
        env.setdefault("TFCERT_DATASETS_DIR", str(ROOT.parent / "shared" / "data"))  # sarcasm's data
    load = os.getloadavg()[0]
    lines = [f"# batch throughput: {args.count} model files per task ({os.cpu_count()} CPUs, "
             f"load average {load:.1f} at the start)", "",
             "| task | files | sequential `tfcert grade` processes s | per process s | "
             "`tfcert batch --workers 2` s | per file s | speed-up |",
             "|---|---|---|---|---|---|---|"]
    peaks: dict[int, list[float]] = {}
    walls: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for task in TASKS:
            row, seconds, task_peaks = throughput_row(task, scratch, args.count,
                                                      args.count if task == "task4" else args.sample, env)
            lines += row
            if task == "task4":
                peaks[args.count], walls[args.count] = task_peaks, seconds
        memory_counts = [int(count) for count in args.memory_counts.split(",")]
        for count in memory_counts:
            walls[count], peaks[count] = batch("task4", make_class("task4", scratch / f"memory-{count}", count),
                                               scratch, env)
        train = [] if args.no_train else train_mode(scratch, env)
    low, high = min(memory_counts), max(memory_counts)
    floor = (walls[high] - walls[low]) / (high - low)
    flat = max(max(p) for p in peaks.values()) / min(min(p) for p in peaks.values()) - 1
    lines += [
        "", "speed-up target for task4: >= 15x", "",
        "| task4 files | `tfcert batch --workers 2` s | worker peak RSS MiB (each worker) |", "|---|---|---|",
        *(f"| {count} | {walls[count]:.1f} | {', '.join(f'{mb:.0f}' for mb in peaks[count])} |"
          for count in sorted(peaks)),
        "",
        f"worker peak RSS spread over {min(peaks)} to {max(peaks)} files: {flat:.1%} (target: within 10%)",
        f"warm per-file floor (task4): {floor:.3f} s a file for the batch of two workers "
        f"({floor * 2:.3f} s per file per worker), the marginal cost from {low} to {high} files",
        "", *train, "", f"load average at the end: {os.getloadavg()[0]:.1f}",
    ]
    publish("batch_throughput", lines)


if __name__ == "__main__":
    main()
