"""Benchmark: what the sandbox's private file-system view costs a child, and a whole train-mode grade.

Part 1 starts a child N times (interleaved) under each way tfcert can run one, and reports the
median wall time of `python -c pass` and of `python -c "import tensorflow"`:
- plain: no sandbox (TFCERT_ISOLATION=none);
- previous: the sandbox before the view (unshare --user --net --pid, no mount namespace);
- bwrap / unshare: the private view (grader.sandbox.view), built by bubblewrap or by unshare and
  the supervisor.
Part 2 grades task4's reference solution in train mode (`tfcert grade task4 solutions/task4.py`)
GRADES times under each of none, bwrap and unshare, interleaved, and reports the median wall
time and its ratio to none. The promise: the view makes a train-mode grade at most 10% slower.

Usage:
    python bench/sandbox_startup.py [RUNS [GRADES]]   # RUNS of part 1 (default 5), GRADES of part 2 (default 3)
"""

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

PREVIOUS = ["unshare", "--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child", "--mount-proc"]
PROGRAMS = {"python -c pass": "pass", "import tensorflow": "import tensorflow"}


def _argv(mode: str, code: str, workdir: Path, descriptor: int) -> list[str]:
    from grader.sandbox.runner import child_readonly_paths
    from grader.sandbox.view import wrap_command

    command = [sys.executable, "-c", code]
    if mode == "plain":
        return command
    if mode == "previous":
        return [*PREVIOUS, *command]
    return wrap_command(command, workdir=workdir, readonly=child_readonly_paths(), mechanism=mode,
                        workdir_fd=descriptor)


def _time_child(mode: str, code: str) -> float:
    with tempfile.TemporaryDirectory(prefix="tfcert-bench-") as folder:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            argv = _argv(mode, code, Path(folder), descriptor)
            env = {"PATH": "/usr/bin:/bin", "HOME": folder, "TMPDIR": folder, "TF_CPP_MIN_LOG_LEVEL": "3"}
            started = time.perf_counter()
            subprocess.run(argv, cwd=folder, env=env, pass_fds=(descriptor,), check=True, capture_output=True)
            return time.perf_counter() - started
        finally:
            os.close(descriptor)


def _time_grade(mechanism: str) -> float:
    env = {**os.environ, "TFCERT_ISOLATION": mechanism}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader.cli", "grade", "task4", "solutions/task4.py", "--json"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    from grader.sandbox.view import available_mechanisms

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    grade_runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    mechanisms = available_mechanisms()
    modes = ["plain", "previous", *mechanisms]
    samples = {(mode, name): [] for mode in modes for name in PROGRAMS}
    for _ in range(runs):  # interleaved, so a change in the machine's load hits every mode alike
        for mode in modes:
            for name, code in PROGRAMS.items():
                samples[(mode, name)].append(_time_child(mode, code))
    lines = [f"Child start-up, median of {runs} interleaved runs (wall seconds; {os.cpu_count()} CPUs, "
             f"load average {os.getloadavg()[0]:.2f} at the end)", "",
             "| child | " + " | ".join(PROGRAMS) + " |", "|---|" + "---|" * len(PROGRAMS)]
    for mode in modes:
        cells = [f"{statistics.median(samples[(mode, name)]):.3f}" for name in PROGRAMS]
        lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    grade_samples = {mechanism: [] for mechanism in ["none", *mechanisms]}
    for _ in range(grade_runs):  # interleaved too
        for mechanism, samples_of in grade_samples.items():
            samples_of.append(_time_grade(mechanism))
    grades = {mechanism: statistics.median(values) for mechanism, values in grade_samples.items()}
    lines += ["", f"Train-mode grade of task4's reference (tfcert grade task4 solutions/task4.py), median of "
              f"{grade_runs} interleaved runs (load average {os.getloadavg()[0]:.2f} at the end)", "",
              "| sandbox | wall seconds (each run) | median | ratio to none |", "|---|---|---|---|"]
    lines += [f"| {name} | {', '.join(f'{value:.1f}' for value in grade_samples[name])} | {seconds:.1f} | "
              f"{seconds / grades['none']:.3f} |" for name, seconds in grades.items()]
    publish("sandbox_startup", lines)


if __name__ == "__main__":
    main()
