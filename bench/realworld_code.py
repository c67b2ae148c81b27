"""Benchmark: train every real learner's script of ../shared/realworld-code in full, as `tfcert grade` does.

Each script runs unchanged (its own entry function, its Keras, its own downloads answered offline)
with no quick-check cap, one after another (each gets both cores), under a wall-clock cap per
script (--cap, default 3600 s). The table: script, the Keras runtime chosen, the data it
downloads and where tfcert answered it from, training seconds, points, the metric, and the score
the author's own published .h5 gets where ../shared/realworld-models holds one. It is what the
tasks' default train budgets are set from. The machine's load (`uptime`) is written beside the
figures: the machine is shared. The table is rewritten after each script (bench/results/realworld_code.md).

Usage (the real data registered as the tests register it: TFCERT_DATASETS_DIR=../shared/data and
the url: files added with `tfcert data add`):
    python bench/realworld_code.py [--cap SECONDS] [FILE ...]     # FILEs: in this order
"""

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_table import publish  # noqa: E402  (bench/ is the script's own folder)

REAL_CODE = ROOT.parent / "shared" / "realworld-code"
TASK_OF_PROBLEM = {"exam-cat1": "linear", "exam-cat2": "fashion-mnist", "exam-cat3-rps": "rock-paper-scissors",
                   "exam-cat4": "sarcasm", "exam-cat5": "sunspots", "dicoding-C5-temps": "dicoding-c5"}
URL = re.compile(r"https?://[^\s'\"]+")
LIBRARY_DATA = {r"datasets\.fashion_mnist": "keras.datasets.fashion_mnist -> dicoding-b2 (idx files)",
                r"datasets\.mnist": "keras.datasets.mnist -> dicoding-c2 (idx files)",
                r"tfds\.load\(\s*['\"]imdb_reviews": "tfds imdb_reviews -> dicoding-a4 (aclImdb, tfds order)"}


def scripts_and_tasks() -> list[tuple[str, str]]:
    """(file, task) from the README's table of ../shared/realworld-code."""
    rows = []
    for line in (REAL_CODE / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 5 and cells[0].endswith(".py"):
            problem = cells[3]
            rows.append((cells[0], TASK_OF_PROBLEM.get(problem) or problem.lower()))
    return rows


def data_sources(source: str) -> str:
    """What the script downloads, and which of tfcert's data answers each (from the script's own text)."""
    from grader.data.urls import known_url

    found = []
    for url in dict.fromkeys(URL.findall(source)):
        entry = known_url(url)
        if entry is not None:
            found.append(f"{Path(url).name} -> {entry.task or 'registered copy'}")
    found += [words for pattern, words in LIBRARY_DATA.items() if re.search(pattern, source)]
    return "; ".join(found) or "none (in-script arrays)"


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cap", type=float, default=3600, help="wall-clock seconds per script")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    tasks = dict(scripts_and_tasks())
    pairs = [(file, tasks[file]) for file in args.files] if args.files else list(tasks.items())
    started_load = uptime()
    rows = []
    for file, task in pairs:
        path = REAL_CODE / file
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "grader.cli", "grade", task, str(path), "--json",
                               "--time-limit", str(args.cap)], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if done.returncode == 0:
            result = json.loads(done.stdout)
            outcome = (f"Keras {result['keras_runtime']}", f"{result['train_seconds']:.0f}", str(result["points"]),
                       f"{result['metric_label']} {result['value']}")
        else:
            error = next((line for line in done.stderr.splitlines() if line.startswith("error: ")), "no error line")
            outcome = ("-", f"stopped after {wall:.0f} s wall", "-", error.split(": ", 2)[-1][:160])
        rows.append((file, task, outcome[0], data_sources(path.read_text()), *outcome[1:], "none in ../shared"))
        lines = [
            "# Real learners' scripts trained in full by train mode (../shared/realworld-code)",
            "",
            f"Load at the start: `{started_load}`; after the last script: `{uptime()}` (2 CPU cores, shared).",
            f"Per-script cap: {args.cap:g} s wall.",
            "",
            "| script | task | Keras | data (address -> tfcert's copy) | train s | points | metric / outcome "
            "| author's published .h5 |",
            "|---|---|---|---|---|---|---|---|",
            *[f"| {' | '.join(row)} |" for row in rows],
        ]
        publish("realworld_code", lines)


if __name__ == "__main__":
    main()
