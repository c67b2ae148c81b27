"""Benchmark: the defences of issue 23, measured: the feeding order and check, and the seccomp filter.

Part 1, honest models (the 47 real exam-era files under ../shared/realworld-models, fed 1,100
inputs shaped as each input layer says): are the answers in the secret feeding order equal bit
for bit to in-order answers (the scores cannot move), how far do the re-fed answers drift from
the scored ones (the check's tolerance must cover it), and is any honest file refused.
Part 2, attacks: models that read their batch-mates, graded under 20 secret keys each: how
often they are refused. A partial cheat answers from the next window for a share of the task4
windows only and honestly for the rest; the escape rate should follow (1 - share) ** k, for the
k = 183 windows the check re-feeds.
Part 3, cost: one warm process predicting task4's hidden split as a worker does, today's way
(in order, no check) and issue 23's (planned order + one re-fed batch), interleaved, medians.
Part 4, the seccomp filter: a sandboxed child's start-up (`python -c pass`, `import tensorflow`)
under bubblewrap with and without the filter, and a train-mode grade of task4's reference.

Usage:
    python bench/batch_independence.py [GRADES]       # GRADES train-mode grades per variant (default 3)
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from predict_identity import MODELS, inputs_for  # noqa: E402  (bench/ is the script's own folder)
from results_table import publish  # noqa: E402

ROWS = 1100  # 4 full batches and a short one
KEYS = 20
REPEATS = 30


def honest_files() -> list[str]:
    """Part 1: per real file, bit identity in the feeding order, the check's drift, refusals."""
    import predict_identity

    from grader.data.examples import Examples
    from grader.errors import TfcertError
    from grader.models.feeding import RELATIVE_TOLERANCE, batch_dependence, feeding_plan, predict_planned
    from grader.models.predict import predict
    from grader.models.runtime import import_keras
    from grader.submission.load import load_model_file

    predict_identity.ROWS = ROWS
    keras = import_keras()
    rows, counts, drifts = [], {"files": 0, "identical": 0, "refused": 0}, []
    for path in sorted(MODELS.rglob("*.h5")):
        try:
            model = load_model_file(path, 50).model
            x = inputs_for(model, np.random.default_rng(0))
            in_order = predict(model, x)
        except (TfcertError, ValueError, TypeError):
            continue
        examples = Examples(x, np.zeros(len(x)))
        plan = feeding_plan(len(x), b"bench")
        scored, rechecked = predict_planned(model, examples, plan)
        first = scored[plan.checked].reshape(len(plan.checked), -1)
        drift = float(np.max(np.abs(rechecked.reshape(first.shape) - first) / np.maximum(1.0, np.abs(first))))
        counts["files"] += 1
        counts["identical"] += bool(np.array_equal(scored, in_order))
        counts["refused"] += batch_dependence(scored, rechecked, plan) is not None
        drifts.append(drift)
        rows.append(f"| {path.relative_to(MODELS)} | {'yes' if np.array_equal(scored, in_order) else '**NO**'} | "
                    f"{drift:.2g} |")
        keras.backend.clear_session(free_memory=False)
    lines = [
        "## 1. Honest models: the real exam-era files", "",
        f"{counts['identical']} of {counts['files']} files: every answer in the secret feeding order equal bit for "
        f"bit to in-order answers. Largest drift of a re-fed answer: {max(drifts):.2g} relative (the check "
        f"refuses above {RELATIVE_TOLERANCE:g}). Honest files refused: {counts['refused']}.", "",
        "| file | scored answers equal to in-order, bit for bit | re-fed drift (relative) |", "|---|---|---|",
        *rows, "",
    ]
    return lines


def attacks() -> list[str]:
    """Part 2: how often models that read their batch-mates are refused, over KEYS secret keys."""
    from grader.catalog import load_task
    from grader.data import hidden_test_split
    from grader.models.feeding import batch_dependence, checked_count, feeding_plan, predict_planned
    from grader.models.runtime import import_keras

    keras = import_keras()
    task4, task1 = load_task("task4"), load_task("task1")
    series, images = hidden_test_split(task4), hidden_test_split(task1)

    def next_window(share: float):
        inputs = keras.Input((30, 1))
        last = inputs[:, -1, :]
        following = keras.ops.roll(last, shift=-1, axis=0)
        # Cheat on windows whose last value's fractional part falls below `share` (a data-driven coin).
        cheat = keras.ops.cast(keras.ops.mod(keras.ops.abs(last) * 1000.0, 1.0) < share, "float32")
        return keras.Model(inputs, cheat * following + (1 - cheat) * last)

    def batch_centred():
        keras.utils.set_random_seed(0)
        inputs = keras.Input((64, 64, 3))
        logits = keras.layers.Dense(5)(keras.layers.GlobalAveragePooling2D()(inputs))
        return keras.Model(inputs, keras.layers.Softmax()(logits - keras.ops.mean(logits, axis=0, keepdims=True)))

    cases = [(f"next window, {share:.1%} of the task4 windows", next_window(share), series, share)
             for share in (1.0, 0.1, 0.035, 0.01)]
    cases.append(("batch-centred logits (task1)", batch_centred(), images, 1.0))
    lines = ["## 2. Attacks: models that read their batch-mates", "",
             f"Each graded under {KEYS} secret keys (a key decides the feeding order and the re-fed examples).", "",
             "| model | refused | expected escape rate |", "|---|---|---|"]
    for name, model, test, share in cases:
        refused = 0
        for key in range(KEYS):
            plan = feeding_plan(len(test), f"bench-{key}".encode())
            scored, rechecked = predict_planned(model, test, plan)
            refused += batch_dependence(scored, rechecked, plan) is not None
        lines.append(f"| {name} | {refused} of {KEYS} | {(1 - share) ** checked_count(len(test)):.2g} |")
    return [*lines, ""]


def prediction_cost() -> list[str]:
    """Part 3: a worker's prediction of task4's split, today's way and issue 23's, interleaved."""
    from grader.catalog import load_task
    from grader.data import hidden_test_split
    from grader.models.feeding import batch_dependence, feeding_plan, predict_planned
    from grader.models.predict import predict
    from grader.models.runtime import import_keras
    from grader.models.traces import TraceCache

    keras = import_keras()
    rows = ["## 3. Cost: one worker predicting a hidden split", "",
            f"Median of {REPEATS} interleaved runs on a warm trace (the predict stage of a batch worker's grade).", "",
            "| task | model | today: in order, no check (s) | issue 23: planned + re-fed batch (s) | ratio |",
            "|---|---|---|---|---|"]
    for task, build in (("task4", _forecaster), ("task1", _cnn)):
        spec = load_task(task)
        test = hidden_test_split(spec)
        model, traces = build(keras), TraceCache()
        plan = feeding_plan(len(test), b"bench")
        today, planned = [], []
        predict(model, test.x, traces)  # trace once, as the worker's first file does
        for _ in range(REPEATS):
            started = time.perf_counter()
            predict(model, test.x, traces)
            today.append(time.perf_counter() - started)
            started = time.perf_counter()
            batch_dependence(*predict_planned(model, test, plan, traces), plan)
            planned.append(time.perf_counter() - started)
        before, after = statistics.median(today), statistics.median(planned)
        rows.append(f"| {task} ({len(test)} examples) | {build.__doc__} | {before:.4f} | {after:.4f} | "
                    f"{after / before:.2f} |")
    return [*rows, ""]


def _forecaster(keras):
    """Conv1D + LSTM, 30-step windows"""
    return keras.Sequential([keras.Input((30, 1)), keras.layers.Conv1D(32, 5, padding="causal", activation="relu"),
                             keras.layers.LSTM(32), keras.layers.Dense(1)])


def _cnn(keras):
    """3 conv blocks, 64x64x3"""
    layers = [keras.Input((64, 64, 3)), keras.layers.Rescaling(1 / 255)]
    for filters in (16, 32, 64):
        layers += [keras.layers.Conv2D(filters, 3, activation="relu"), keras.layers.MaxPooling2D()]
    return keras.Sequential([*layers, keras.layers.Flatten(), keras.layers.Dense(5, activation="softmax")])


def seccomp_cost(grades: int) -> list[str]:
    """Part 4: child start-up and a train-mode grade under bubblewrap, with and without the filter."""
    import subprocess

    import grader
    from grader.sandbox import runner
    from grader.sandbox.runner import child_readonly_paths
    from grader.sandbox.seccomp import filter_program
    from grader.sandbox.view import wrap_command

    program = filter_program()

    def child(code: str, seccomp) -> float:
        with tempfile.TemporaryDirectory(prefix="tfcert-bench-") as folder:
            argv = wrap_command([sys.executable, "-c", code], workdir=Path(folder), readonly=child_readonly_paths(),
                                mechanism="bwrap", seccomp=seccomp)
            started = time.perf_counter()
            subprocess.run(argv, cwd=folder, env={"PATH": "/usr/bin:/bin", "HOME": folder, "TMPDIR": folder,
                                                  "TF_CPP_MIN_LOG_LEVEL": "3"}, check=True, capture_output=True)
            return time.perf_counter() - started

    lines = ["## 4. Cost: the seccomp filter", "",
             f"bubblewrap, medians of interleaved runs; the filter is {len(program) // 8} BPF instructions.", "",
             "| what | without the filter (s) | with it (s) | ratio |", "|---|---|---|---|"]
    children = (("child: python -c pass", "pass", 10), ("child: import tensorflow", "import tensorflow", 5))
    for name, code, runs in children:
        times = {False: [], True: []}
        for _ in range(runs):
            for filtered in (False, True):
                times[filtered].append(child(code, program if filtered else None))
        before, after = statistics.median(times[False]), statistics.median(times[True])
        lines.append(f"| {name} | {before:.3f} | {after:.3f} | {after / before:.2f} |")
    os.environ[runner.ISOLATION_ENV] = "bwrap"
    solution = ROOT / "solutions" / "task4.py"
    times, values = {False: [], True: []}, set()
    real = runner.filter_program
    for _ in range(grades):
        for filtered in (False, True):
            runner.filter_program = real if filtered else (lambda: None)
            started = time.perf_counter()
            values.add(grader.grade("task4", solution, log=lambda line: None).value)
            times[filtered].append(time.perf_counter() - started)
    runner.filter_program = real
    before, after = statistics.median(times[False]), statistics.median(times[True])
    lines.append(f"| train-mode grade of task4's reference ({grades} each) | {before:.1f} | {after:.1f} | "
                 f"{after / before:.2f} |")
    lines += ["", f"metric values with and without the filter: {'identical' if len(values) == 1 else 'DIFFERENT'}", ""]
    return lines


def main() -> None:
    grades = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    load = os.getloadavg()[0]
    lines = [f"# issue 23's defences, measured ({os.cpu_count()} CPUs, load average {load:.1f} at the start)", ""]
    lines += honest_files() + attacks() + prediction_cost() + seccomp_cost(grades)
    lines.append(f"load average at the end: {os.getloadavg()[0]:.1f}")
    publish("batch_independence", lines)


if __name__ == "__main__":
    main()
