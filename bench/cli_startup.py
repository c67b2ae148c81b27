"""Benchmark: the instant commands (`tfcert --help`, `tfcert tasks`) of this tree against a baseline tree.

Output fitted to the terminal imports rich, and only when a table must wrap (COLUMNS=80 makes
`tfcert tasks` wrap; a pipe without COLUMNS does not). Each command runs REPEATS times for each
tree, interleaved so machine noise hits both alike; the table gives the median and best wall time
and the ratio to the baseline, and is printed and written to bench/results/cli_startup.md.

Usage:
    python bench/cli_startup.py --baseline /path/to/main/checkout [--repeats 9]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from results_table import publish  # noqa: E402  (bench/ is the script's own folder)

COMMANDS = [(["--help"], None), (["tasks"], None), (["tasks"], "80"), (["show", "sunspots"], "80")]


def run_once(tree: Path, args: list[str], columns: str | None) -> float:
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "PYTHONPATH")}
    env["PYTHONPATH"] = str(tree)
    if columns:
        env["COLUMNS"] = columns
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader.cli", *args], env=env, cwd=tree, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the baseline (e.g. main)")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    trees = {"baseline": args.baseline.resolve(), "this tree": ROOT}
    lines = [f"load average before: {os.getloadavg()[0]:.2f} (2 cores)", "",
             "| command | COLUMNS | baseline median (best) s | this tree median (best) s | ratio of medians |",
             "|---|---|---|---|---|"]
    for command, columns in COMMANDS:
        times = {name: [] for name in trees}
        for _ in range(args.repeats):
            for name, tree in trees.items():
                times[name].append(run_once(tree, command, columns))
        base, this = (statistics.median(times[name]) for name in trees)
        lines.append(f"| `tfcert {' '.join(command)}` | {columns or 'unset (a pipe)'} | {base:.3f} "
                     f"({min(times['baseline']):.3f}) | {this:.3f} ({min(times['this tree']):.3f}) | "
                     f"{this / base:.2f} |")
    lines += ["", f"load average after: {os.getloadavg()[0]:.2f}"]
    publish("cli_startup", lines)


if __name__ == "__main__":
    main()
