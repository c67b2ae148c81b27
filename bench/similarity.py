"""Benchmark: similar submissions. Detection and false-positive rates, and the time it adds to a batch.

1. Generated classes (task3: a classifier, task4: a forecaster): six independent students trained
   from other seeds, and four copies of student0 (re-saved as .h5, fine-tuned 2 epochs, 1% noise
   on every weight, distilled into another architecture), through `tfcert similar`'s workers.
2. Real files (../shared/realworld-models, graded in process): every pair of different people
   who answered the same problem (none should be flagged), and copies made of one file per
   problem (re-saved as .keras, 1% noise).
3. Code (../shared/realworld-code and tfcert's solutions): every pair of different files
   (independent), and each file against a copy with its names renamed, its functions reordered
   and its comments gone; tfcert's tokenizer winnowing against the `copydetect` package.
4. Time: `tfcert batch` of 40 and 200 task4 model files before this feature (the tree at
   --baseline, default /work/main) against `tfcert batch --similarity` of this tree.

Writes bench/results/similarity.md. Usage: python bench/similarity.py [--baseline /work/main]
"""

import argparse
import ast
import io
import itertools
import os
import re
import subprocess
import sys
import tempfile
import time
import tokenize
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(1, str(ROOT))
SHARED = ROOT.parent / "shared"

from results_table import publish  # noqa: E402
from similarity_models import COPY_KINDS, make_class_with_copies  # noqa: E402
from similarity_real import real_subjects  # noqa: E402
from submissions import make_class  # noqa: E402

COPY_PAIRS = set(COPY_KINDS) | {"student0"}


def generated(scratch: Path) -> list[str]:
    from grader.batch.similar import similar_in_folder
    from grader.catalog import load_task

    lines = ["## Generated classes: 6 independent students, 4 copies of student0", "",
             "| task | copy | flagged | by | evidence |", "|---|---|---|---|---|"]
    false_positives, independent_pairs = [], 0
    for task in ("task3", "task4"):
        folder, _ = make_class_with_copies(task, scratch / task)
        report = similar_in_folder(load_task(task), folder)
        flagged = {frozenset((pair.a, pair.b)): pair for pair in report.pairs}
        for kind in COPY_KINDS:
            pair = flagged.get(frozenset((kind, "student0")))
            by = " ".join(pair.flagged) if pair else ""
            lines.append(f"| {task} | {kind} | {'yes' if pair else '**no**'} | {by} "
                         f"| {pair.reason if pair else _closest(report, kind)} |")
        names = sorted(report.subjects)
        for a, b in itertools.combinations(names, 2):
            if not {a, b} <= COPY_PAIRS:
                independent_pairs += 1
                if frozenset((a, b)) in flagged:
                    false_positives.append(f"{task}: {a} ~ {b}")
    lines += ["", f"independent pairs flagged: {len(false_positives)} of {independent_pairs} "
              f"{'(' + '; '.join(false_positives) + ')' if false_positives else ''}", ""]
    return lines


def _closest(report, kind: str) -> str:
    from grader.batch.similarity.predictions import compare_answers
    from grader.batch.similarity.weights import compare_weights

    subjects = {n: s for n, s in report.subjects.items() if n in (kind, "student0") and s.evidence}
    weights, _ = compare_weights({n: s.evidence.weights for n, s in subjects.items()})
    answers, _ = compare_answers({n: s.evidence.answers for n, s in report.subjects.items() if s.evidence})
    key = tuple(sorted((kind, "student0")))
    near = weights.get(key, {}).get("near", {}).get("correlation", "n/a (other architecture)")
    prediction = answers.get(key, {}).get("predictions", {})
    return (f"not reached: weight correlation {near}, prediction z {prediction.get('z')} "
            f"(share {prediction.get('share')})")


def real(scratch: Path) -> list[str]:
    from similarity_real import graded_subject

    from grader.batch.similarity.compare import compare_class
    from grader.submission.load import load_model_file

    groups = real_subjects(SHARED / "realworld-models")
    lines = ["## Real files: different people, same problem; and copies of one file per problem", "",
             "| task | files | independent pairs | flagged | copies flagged | notes |", "|---|---|---|---|---|---|"]
    totals = [0, 0, 0, 0]
    for task, subjects in sorted(groups.items()):
        if len(subjects) < 2:
            continue
        source = SHARED / "realworld-models" / next(
            name for name in _real_paths() if name.startswith(subjects[0].name) and _real_paths()[name] == task)
        copies = []
        model = load_model_file(source, 50).model
        model.save(scratch / f"{task}-resaved.keras")
        copies.append(graded_subject(task, scratch / f"{task}-resaved.keras", "copy-resaved"))
        rng = np.random.default_rng(0)
        model.set_weights([w * (1 + 0.01 * rng.standard_normal(w.shape)).astype(np.float32)
                           for w in model.get_weights()])
        model.save(scratch / f"{task}-noise.keras")
        copies.append(graded_subject(task, scratch / f"{task}-noise.keras", "copy-noise"))
        report = compare_class(task, subjects + [c for c in copies if c is not None])
        flagged = {frozenset((p.a, p.b)) for p in report.pairs}
        people = [s.name for s in subjects]
        independent = [frozenset(pair) for pair in itertools.combinations(people, 2)]
        wrong = sum(pair in flagged for pair in independent)
        caught = sum(frozenset((subjects[0].name, c.name)) in flagged for c in copies if c is not None)
        totals = [totals[0] + len(independent), totals[1] + wrong, totals[2] + 2, totals[3] + caught]
        lines.append(f"| {task} | {len(subjects)} | {len(independent)} | {wrong} | {caught} of 2 | "
                     f"{'; '.join(report.notes)[:160]} |")
    lines += ["", f"independent real pairs flagged: {totals[1]} of {totals[0]}; copies flagged: {totals[3]} of "
              f"{totals[2]} (a copy of a line fit is not flagged by design: its weights are the line's)", ""]
    return lines


def _real_paths() -> dict[str, str]:
    from similarity_real import real_files

    return real_files(SHARED / "realworld-models")


def disguised(source: str) -> str:
    """The same program with other names, its functions in reverse order and no comments."""
    from grader.batch.similarity.code import _KEPT_NAMES

    tokens, previous = [], ""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            continue
        text = token.string
        if token.type == tokenize.NAME and text not in _KEPT_NAMES and previous != "." and not _imported(text, source):
            text = f"my_{text}"
        tokens.append((token.type, text))
        previous = token.string
    renamed = tokenize.untokenize(tokens)
    try:
        tree = ast.parse(renamed)
    except SyntaxError:
        return renamed
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    others = [node for node in tree.body if not isinstance(node, ast.FunctionDef)]
    tree.body = others[:1] + list(reversed(functions)) + others[1:]
    return ast.unparse(tree)


def _imported(name: str, source: str) -> bool:
    return f"import {name}" in source or f"as {name}" in source


def problem_type(path: Path) -> str:
    """The exam category a real script answers (1 line ... 5 series): one category, one template."""
    found = re.search(r"(?:Problem_[ABC]|[Cc]ategory|spreTF|starter)(\d)", path.name)
    return found.group(1) if found else path.name


def code(scratch: Path) -> list[str]:
    from grader.batch.similarity.code import MIN_FINGERPRINTS, code_print, shared_fraction, without_distribution
    from grader.batch.similarity.compare import CODE_SHARE

    real_scripts = sorted((SHARED / "realworld-code").glob("*.py"))
    sources = real_scripts + sorted((ROOT / "solutions").glob("*.py"))
    folder = scratch / "code"
    folder.mkdir()
    copies = {}
    for path in sources:
        target = folder / f"copy-{path.parent.name}-{path.name}"
        target.write_text(disguised(path.read_text(errors="replace")))
        copies[path] = target
    started = time.perf_counter()
    prints = {str(path): code_print(path) for path in [*sources, *copies.values()]}
    own = without_distribution(prints, None)
    own_seconds = time.perf_counter() - started
    long_enough = [path for path in sources if len(own[str(path)]) >= MIN_FINGERPRINTS]
    try:
        import copydetect  # measured against, not a dependency: pip install copydetect
    except ImportError:
        copydetect = None
    if copydetect is not None:
        started = time.perf_counter()
        theirs = {path: copydetect.CodeFingerprint(str(path), 25, 1) for path in [*sources, *copies.values()]}
        their_seconds = time.perf_counter() - started

    def own_score(a, b):
        return shared_fraction(own[str(a)], own[str(b)])

    def their_score(a, b):
        return max(copydetect.compare_files(theirs[a], theirs[b])[1])

    pairs = list(itertools.combinations(real_scripts, 2))
    other = [(a, b) for a, b in pairs if problem_type(a) != problem_type(b)]
    template = [(a, b) for a, b in pairs if problem_type(a) == problem_type(b)]
    lines = ["## Code: tfcert's tokenizer winnowing against the copydetect package", "",
             f"Copies: each of {len(long_enough)} files (the {len(real_scripts)} real solution scripts of "
             f"../shared/realworld-code and tfcert's solutions long enough to compare: "
             f"{len(sources) - len(long_enough)} are 3-line wrappers) with every name renamed, its functions in "
             "reverse order and no comments. Independent: pairs of real scripts by different people, of different "
             f"exam categories ({len(other)}), and of the same category ({len(template)}: they start from one "
             "problem template, which is not here to give as starter code, as an instructor would).", "",
             "| method | threshold | copies flagged | other categories flagged | same template flagged | "
             "highest other | lowest copy | fingerprinting s |", "|---|---|---|---|---|---|---|---|"]
    methods = [("tfcert (tokenize, K=12, W=8)", own_score, own_seconds)]
    if copydetect is not None:
        methods.append(("copydetect 0.5 (k=25, win=1)", their_score, their_seconds))
    else:
        lines.insert(0, "(copydetect is not installed here: pip install copydetect to measure it too)")
    for name, score, seconds in methods:
        copy_scores = [score(path, copies[path]) for path in long_enough]
        other_scores = [score(a, b) for a, b in other]
        template_scores = [score(a, b) for a, b in template]
        lines.append(f"| {name} | {CODE_SHARE} | {sum(s >= CODE_SHARE for s in copy_scores)} of {len(copy_scores)} | "
                     f"{sum(s >= CODE_SHARE for s in other_scores)} of {len(other)} | "
                     f"{sum(s >= CODE_SHARE for s in template_scores)} of {len(template)} | {max(other_scores):.2f} | "
                     f"{min(copy_scores):.2f} | {seconds:.2f} |")
    return lines + [""]


def timing(scratch: Path, baseline: Path) -> list[str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    lines = ["## Time added to a batch (task4 model files, 2 workers)", "",
             f"baseline: `tfcert batch` of the tree at {baseline} ({_commit(baseline)}); this tree: "
             "`tfcert batch --similarity` (its workers also fingerprint every model and store it).", "",
             "| files | baseline s | with --similarity s | added | fingerprints in workers s | comparison s | "
             "both, of the baseline |", "|---|---|---|---|---|---|---|"]
    for count in (40, 200):
        folder = make_class("task4", scratch / f"timing-{count}", count)
        seconds = []
        for tree, extra in ((baseline, []), (ROOT, ["--similarity"])):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "grader.cli", "batch", "task4", str(folder), "--workers", "2",
                                   "--formats", "csv", "--out", str(scratch / f"out-{count}-{tree.name}"), "--db",
                                   str(scratch / f"{count}-{tree.name}.db"), *extra],
                                  cwd=tree, env={**env, "PYTHONPATH": str(tree)}, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(done.stderr[-2000:])
            seconds.append(time.perf_counter() - started)
        compare = _comparison_seconds(scratch / f"{count}-{ROOT.name}.db", folder)
        evidence = _evidence_seconds(folder) * count / 2  # two workers share the files
        lines.append(f"| {count} | {seconds[0]:.1f} | {seconds[1]:.1f} | **{(seconds[1] / seconds[0] - 1):+.1%}** | "
                     f"{evidence:.2f} | {compare:.2f} | **{(evidence + compare) / seconds[0]:.1%}** |")
    return lines + ["", "target: at most +10% for 200 files. The whole-batch times are one run each on a shared "
                    "machine (see the load below); the last three columns are measured alone: what the workers' "
                    "fingerprinting adds (its per-file cost over 20 files, times the files, over 2 workers) and "
                    "the comparison in the parent, as a share of the baseline batch.", ""]


def _evidence_seconds(folder: Path) -> float:
    """A worker's added seconds per file: the fingerprint of a loaded model and its answers, as bytes."""
    from grader.batch.similarity.fingerprint import evidence_of
    from grader.catalog import load_task
    from grader.data import hidden_test_split
    from grader.scoring.evaluate import evaluate_predictions
    from grader.submission.load import load_model_file

    spec = load_task("task4")
    test = hidden_test_split(spec)
    evaluation = evaluate_predictions(np.zeros((len(test), 1)), spec, test)
    files = sorted(folder.iterdir())[:20]
    models = [load_model_file(path, 50).model for path in files]
    started = time.perf_counter()
    for model in models:
        evidence_of(model, evaluation, spec)
    return (time.perf_counter() - started) / len(models)


def _comparison_seconds(db: Path, folder: Path) -> float:
    """The comparison of a finished run from its stored evidence (what --resume --similarity does)."""
    from grader.batch.similarity.assemble import compare_subjects, subject
    from grader.catalog import load_task
    from grader.store.db import open_store

    with open_store(db) as store:
        run = store.connection.execute("SELECT max(id) FROM batch_runs").fetchone()[0]
        rows, evidence = store.batch_rows(run), store.batch_evidence(run)
    started = time.perf_counter()
    subjects = [subject(r.student, folder / r.file, r.file, evidence.get((r.student, r.sha256))) for r in rows]
    compare_subjects(load_task("task4"), subjects)
    return time.perf_counter() - started


def _commit(tree: Path) -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True)
    return done.stdout.strip()


def _data_env(scratch: Path) -> None:
    """Real datasets from ../shared/data, url-sourced files registered in a scratch cache (no download)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import URL_COPIES

    os.environ.update(TFCERT_DATASETS_DIR=str(SHARED / "data"), TFCERT_CACHE_DIR=str(scratch / "cache"),
                      TFCERT_OFFLINE="1", TFCERT_DATA_DIR=str(scratch / "data"))
    from grader.catalog import list_tasks
    from grader.data.files import add_copy

    for spec in list_tasks():
        if spec.dataset.source.startswith("url:") and spec.dataset.params.file in URL_COPIES:
            add_copy(spec, SHARED / "data" / URL_COPIES[spec.dataset.params.file])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", type=Path, default=Path("/work/main"))
    arguments = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tfcert-bench-similarity-") as scratch:
        scratch = Path(scratch)
        _data_env(scratch)
        body = [*generated(scratch), *real(scratch), *code(scratch), *timing(scratch, arguments.baseline)]
    body.append(f"load average at the start: {load:.1f}, at the end: {os.getloadavg()[0]:.1f}")
    publish("similarity", [f"# similar submissions: detection, false positives, time (2 CPUs, load {load:.1f})", "",
                           *body])


if __name__ == "__main__":
    main()
