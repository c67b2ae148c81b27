"""Benchmark: where a warm batch worker spends its time per file, stage by stage, before and after.

For each class of files (task4 with one architecture and with every file different, sarcasm,
task1) it grades the files in a warm process exactly as a worker does (the worker's own grading
function on the memory-mapped hidden test split) with a timer on each stage of the pipeline,
and measures what the parent adds per file (the queue round trip through a real worker, the
results database commit, the progress bar). It runs this tree and a baseline revision
(`git archive`, default: the commit before issue 19) in turns, so both see the same machine
load, and writes the table to bench/results/batch_profile.md.

Usage:
    python bench/batch_profile.py [--count 20] [--baseline-rev bdc8755]
"""

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from results_table import publish  # bench/ is the script's own folder: first on sys.path
from submissions import make_class

ROOT = Path(__file__).resolve().parent.parent

BASELINE_REV = "bdc8755"  # the commit before issue 19
BASELINE_NOTE = " (the commit before issue 19)"
CLASSES = (("task4", False), ("task4", True), ("sarcasm", False), ("task1", False))
# Stage -> the functions timed for it (exclusive of the stages nested inside them). A function
# is wrapped in every grader module that imported it, a "Class.method" in every grader class of
# that name, so the same names serve both trees.
STAGES = {
    "load the file": ("load_model_file",),
    "contract + size": ("check_contract", "_check_size"),
    "predict": ("model_inputs", "predict", "predict_planned", "batch_dependence"),  # the last two: issue 23
    "evaluate (metric)": ("evaluate_predictions",),
    "baselines": ("predict_baseline",),
    "diagnostics": ("diagnose",),
    "figure data": ("figure_data",),
    "result dict": ("GradeResult.to_dict",),
    "grade(): the rest": ("grade",),
    "worker: after the job (session, gc)": ("grade_job", "WorkerGrader.grade_submission"),
}
PARENT_STAGES = ("queue round trip", "store commit", "progress bar")
QUEUE_JOBS = 20


class StageClock:
    """Exclusive wall time per stage: a nested stage's time is not counted in its caller's."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._stack: list[list[float]] = []

    def wrap(self, stage: str, function):
        def timed(*args, **kwargs):
            self._stack.append([0.0])
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                nested = self._stack.pop()[0]
                self.seconds[stage] = self.seconds.get(stage, 0.0) + elapsed - nested
                if self._stack:
                    self._stack[-1][0] += elapsed

        return timed

    def install(self) -> None:
        """Wrap every stage function wherever a grader module (or class) holds it."""
        import grader.api  # noqa: F401  (loads the pipeline's modules)
        import grader.batch.workers  # noqa: F401

        modules = [module for name, module in list(sys.modules.items()) if name.startswith("grader")]
        classes = {value for module in modules for value in vars(module).values()
                   if isinstance(value, type) and value.__module__.startswith("grader")}
        wrapped: dict[int, object] = {}
        for stage, names in STAGES.items():
            for name in names:
                owner_name, _, attribute = name.rpartition(".")
                owners = [cls for cls in classes if cls.__name__ == owner_name] if owner_name else modules
                for owner in owners:
                    function = vars(owner).get(attribute)
                    if callable(function) and not isinstance(function, type):
                        setattr(owner, attribute, wrapped.setdefault(id(function), self.wrap(stage, function)))


def _warm_grader(spec, test):
    """The worker's own per-file grading, whichever tree is on the path: path -> result dict."""
    from grader.batch import workers

    if hasattr(workers, "WorkerGrader"):  # issue 19 and after
        worker = workers.WorkerGrader(spec, test, trust=False)
        return lambda path: worker.grade_submission(path, path.name)[1]
    return lambda path: workers.grade_job(spec, test, path, False, path.name)[1]


def _parent_costs(spec, grade, test_dir: Path, split, results: list[tuple[Path, dict]]) -> dict[str, float]:
    """Per file: the executor's round trip beyond grading, the store commit, the progress bar.

    The round trip is timed on jobs that fail at once (a missing file), through one real worker
    and in this process, so what differs is the parent's part: queues, polling, pickling.
    """
    from grader.batch.progress import Progress
    from grader.batch.run import sha256_of
    from grader.batch.workers import Job, LocalExecutor
    from grader.store.db import open_store
    from grader.store.rows import BatchRow

    missing = [test_dir / f"missing{index:02d}.keras" for index in range(QUEUE_JOBS)]
    arrivals = []
    with LocalExecutor(spec, split, workers=1) as executor:
        for _ in executor.run([Job(path.stem, path) for path in missing], lambda job: 600):
            arrivals.append(time.perf_counter())
    started = time.perf_counter()
    for path in missing:
        grade(path)
    in_process = (time.perf_counter() - started) / len(missing)
    round_trip = statistics.mean(b - a for a, b in zip(arrivals, arrivals[1:], strict=False)) - in_process
    rows = [BatchRow(path.stem, path.name, sha256_of(path), "graded", None, result["points"], result["value"],
                     result["passed"], result, time.time()) for path, result in results]
    with tempfile.TemporaryDirectory() as scratch, open_store(Path(scratch) / "bench.db") as store:
        run_id = store.batch_run(spec.id, str(test_dir), time.time(), False)
        started = time.perf_counter()
        for (path, _), row in zip(results, rows, strict=True):
            sha256_of(path)
            with store.transaction():
                store.insert_batch_row(run_id, row)
        commit = (time.perf_counter() - started) / len(rows)
    with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull), Progress() as progress:
        progress.start(len(rows))
        started = time.perf_counter()
        for row in rows:
            progress.update(row)
        bar = (time.perf_counter() - started) / len(rows)
    return {"queue round trip": round_trip, "store commit": commit, "progress bar": bar}


def _shared_split(test, folder: Path):
    """(what LocalExecutor takes, the split as a worker loads it), in the tree being measured.

    Trees before issue 23 kept the split in a folder; later ones in memfds (grader.batch.shared_split).
    """
    try:
        from grader.batch.shared_split import SharedSplit
    except ImportError:
        from grader.batch.workers import load_test_split, save_test_split

        save_test_split(test, folder)
        return folder, load_test_split(folder)
    split = SharedSplit()
    split.fill(test)
    return split, split.load()


def measure(task: str, folder: Path) -> dict:
    """Run in a child on one tree: per-file seconds by stage for the files in `folder`."""
    from grader.catalog import load_task
    from grader.data import hidden_test_split
    from grader.models.runtime import import_keras

    import_keras()
    spec = load_task(task)
    with tempfile.TemporaryDirectory() as test_dir:
        split, test = _shared_split(hidden_test_split(spec), Path(test_dir))
        grade = _warm_grader(spec, test)
        files = sorted(folder.iterdir())
        started = time.perf_counter()
        results = [grade(files[0])]  # the first file pays one-off costs: reported apart
        first = time.perf_counter() - started
        clock = StageClock()
        clock.install()
        started = time.perf_counter()
        results += [grade(path) for path in files[1:]]
        per_file = (time.perf_counter() - started) / (len(files) - 1)
        assert all(result is not None for result in results), "a bench file failed to grade"
        stages = {stage: seconds / (len(files) - 1) for stage, seconds in clock.seconds.items()}
        stages.update(_parent_costs(spec, grade, Path(test_dir), split, list(zip(files, results, strict=True))))
    return {"stages": stages, "worker per file": per_file, "first file": first,
            "per file, all stages": sum(stages.values()), "values": [r["value"] for r in results]}


def _baseline_tree(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _run_tree(tree: Path, task: str, folder: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run([sys.executable, __file__, "--measure", task, str(folder)], cwd=tree, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"measuring {task} in {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(name: str, before: dict, after: dict) -> list[str]:
    stages = [*STAGES, *PARENT_STAGES]
    lines = [f"### {name}", "", "| stage | before s/file | after s/file |", "|---|---|---|"]
    for stage in stages:
        lines.append(f"| {stage} | {before['stages'].get(stage, 0.0):.4f} | {after['stages'].get(stage, 0.0):.4f} |")
    for key in ("per file, all stages", "first file"):
        lines.append(f"| **{key}** | **{before[key]:.3f}** | **{after[key]:.3f}** |")
    same = "identical" if before["values"] == after["values"] else "DIFFERENT"
    lines += ["", f"metric values of all files, before vs after: {same}", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    parser.add_argument("--measure", nargs=2, metavar=("TASK", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return
    load = os.getloadavg()
    lines = [f"# a warm batch worker's time per file, by stage ({os.cpu_count()} CPUs, "
             f"load average {load[0]:.1f} at the start)", "",
             f"before: {args.baseline_rev}{BASELINE_NOTE if args.baseline_rev == BASELINE_REV else ''}"
             "; after: this tree. "
             f"{args.count} files per class, the first one not counted (its one-off costs are the last row).",
             "Worker stages: one warm process grading file after file as a worker does. Parent stages: "
             "the executor's round trip beyond grading (one real worker; a difference of two timings, so "
             "a few ms either side of 0 is noise), the results database commit, the progress bar.", ""]
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        baseline = _baseline_tree(args.baseline_rev, scratch / "baseline")
        for task, varied in CLASSES:
            folder = make_class(task, scratch / f"{task}-{'varied' if varied else 'same'}", args.count, varied)
            before = _run_tree(baseline, task, folder)
            after = _run_tree(ROOT, task, folder)
            kind = "every file another architecture" if varied else "one architecture"
            lines += _table(f"{task}, {args.count} files, {kind}", before, after)
    lines.append(f"load average at the end: {os.getloadavg()[0]:.1f}")
    publish("batch_profile", lines)


if __name__ == "__main__":
    main()
