"""Instructor batch grading: discover submissions, grade them with long-lived workers, keep every
result in the results database as soon as it exists, and export the gradebook.

Layouts: `DIR/<student>.keras|.h5|.py`, `DIR/<student>/<one model or solution file or SavedModel
directory>`, a SavedModel directory `DIR/<student>/`, or a `.zip` of either. A roster CSV (a
column named student, student_id or id) marks who submitted nothing. A submission is identified
by student + sha256 of its content: `--resume` grades only what the run has not stored yet
(changed files are graded again, unchanged ones are not). A run may have a late rule (a deadline,
checked against each file's time: its modification time, or its entry's in the zip) and
instructors' overrides; both are kept with the run (grader.batch.adjust) and applied to every
export, and `export_run` writes the exports again from what is stored (after an override).

Example:
    summary = run_batch(load_task("task4"), Path("submissions"), BatchOptions(workers=2, out=Path("out")))
"""

import csv
import dataclasses
import hashlib
import os
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.batch import lms
from grader.batch.adjust import LateRule, adjusted_rows
from grader.batch.gradebook import BatchRow, submission_row, write_export, write_exports
from grader.batch.shared_split import SharedSplit
from grader.batch.similarity.assemble import compare_subjects, similarity_outputs, subject
from grader.batch.similarity.compare import SimilarityReport
from grader.batch.workers import Job, LocalExecutor
from grader.data import hidden_test_split
from grader.errors import TfcertError
from grader.sandbox.runner import HIDE_SOLUTIONS_ENV, REQUIRE_ISOLATION_ENV, isolation, isolation_problem
from grader.sandbox.seccomp import filter_program
from grader.sandbox.train import SCRIPT_SUFFIXES
from grader.store.db import open_store
from grader.submission.load import MODEL_SUFFIXES, is_saved_model

SUBMISSION_SUFFIXES = (*MODEL_SUFFIXES, *SCRIPT_SUFFIXES)  # model files; training scripts (.py, .ipynb)
ROSTER_COLUMNS = ("student", "student_id", "id")
MAX_ZIP_UNPACKED = 4 * 2**30  # a class's models unpacked: more than this is a zip bomb
EXTRA_SECONDS = 60  # on top of a submission's own limits: the worker's bookkeeping


class BatchError(TfcertError):
    """The batch itself cannot run (unreadable submissions folder or roster)."""


@dataclass(frozen=True)
class Found:
    """A student's submission as discovered: one file, or the reason there is none."""

    student: str
    path: Path | None
    status: str | None = None  # "missing" or "ambiguous" when there is no single file
    message: str | None = None

    @property
    def submitted_at(self) -> float | None:
        """The file's time (a SavedModel folder: its newest file's), for the late rule."""
        return file_time(self.path) if self.path is not None else None


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch."""

    out: Path
    workers: int = 2
    roster: Path | None = None
    resume: bool = False
    formats: tuple[str, ...] = ("csv", "json", "gradescope", "html", "feedback")
    trust: bool = False
    db: Path | None = None
    executor: str = "local"  # or "ray"
    address: str | None = None  # a Ray cluster; None starts a local Ray instance
    limits: dict = field(default_factory=dict)  # overrides of the spec's limits, e.g. {"disk_mb": 512}
    allow_unisolated: bool = False  # run submitted code even where no sandbox view can be built
    late_rule: LateRule | None = None  # None: keep the run's (on --resume), or none for a new run
    similarity: bool = False  # compare every pair of submissions (grader.batch.similarity)


@dataclass
class BatchSummary:
    """What a run did: rows in the gradebook, how many were graded now, exports, worker memory."""

    rows: list[BatchRow]
    graded_now: int
    skipped: int
    exports: list[Path]
    worker_peak_mb: dict[int, float] = field(default_factory=dict)  # worker pid -> peak RSS
    sandbox: str = ""  # how submitted code was contained (also stored with the run)
    run_id: int = 0  # the run in the results database (`tfcert batch override RUN ...`)
    late_rule: LateRule | None = None
    similarity: SimilarityReport | None = None  # with BatchOptions.similarity


def sha256_of(path: Path) -> str:
    """The content hash of a file, or of a SavedModel directory (its files' names and bytes)."""
    digest = hashlib.sha256()
    if path.is_symlink():  # refused when graded; its target (perhaps missing) is not read
        digest.update(b"symlink\0" + os.fsencode(os.readlink(path)))
        return digest.hexdigest()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file_path in files:
        if path.is_dir():
            digest.update(str(file_path.relative_to(path)).encode() + b"\0")
        with open(file_path, "rb") as file:
            for block in iter(lambda: file.read(2**20), b""):
                digest.update(block)
    return digest.hexdigest()


def file_time(path: Path) -> float:
    """A submission's time: the file's modification time, or a folder's newest file's."""
    if path.is_dir():
        return max((p.stat().st_mtime for p in path.rglob("*") if p.is_file()), default=path.stat().st_mtime)
    return path.stat().st_mtime


def _submissions_in(folder: Path) -> list[Path]:
    """Model and solution files, and SavedModel directories (not descended into), under `folder`."""
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():  # never followed: grading refuses it, so a link cannot submit another's work
            found.append(entry)
        elif is_saved_model(entry):
            found.append(entry)
        elif entry.is_dir():
            found += _submissions_in(entry)
        elif entry.suffix.lower() in SUBMISSION_SUFFIXES:
            found.append(entry)
    return found


def discover(root: Path) -> list[Found]:
    """Every student's submission under `root`, sorted by student."""
    found = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():  # never followed (DIR/bob -> DIR/alice): grading refuses it
            found.append(Found(entry.stem if entry.suffix.lower() in SUBMISSION_SUFFIXES else entry.name, entry))
        elif (entry.is_file() and entry.suffix.lower() in SUBMISSION_SUFFIXES) or is_saved_model(entry):
            found.append(Found(entry.stem if entry.is_file() else entry.name, entry))
        elif entry.is_dir():
            found.append(found_in(entry.name, entry))
    return found


def found_in(student: str, folder: Path) -> Found:
    """A student's folder: the one model or solution file (or SavedModel) in it, or why there is none.

    Example:
        found_in("alice", Path("submissions/alice"))   # Found("alice", Path(".../model.keras"))
    """
    if is_saved_model(folder):
        return Found(student, folder)
    candidates = _submissions_in(folder)
    if len(candidates) == 1:
        return Found(student, candidates[0])
    if not candidates:
        return Found(student, None, "missing", "the folder holds no .keras, .h5 or .py file or SavedModel")
    names = ", ".join(str(p.relative_to(folder)) for p in candidates)
    return Found(student, None, "ambiguous", f"more than one submission file: {names}")


def read_roster(path: Path) -> list[str]:
    """Student ids from the roster's student (or student_id, or id) column."""
    return list(read_roster_rows(path))


def read_roster_rows(path: Path) -> dict[str, dict[str, str]]:
    """Student id -> the roster's whole row (its other columns feed the LMS exports), in roster order."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            columns = {name.strip().lower(): name for name in reader.fieldnames or []}
            column = next((columns[name] for name in ROSTER_COLUMNS if name in columns), None)
            if column is None:
                raise BatchError(f"{path}: no student column (expected one of: {', '.join(ROSTER_COLUMNS)})")
            return {row[column].strip(): {key: value for key, value in row.items() if key}
                    for row in reader if row[column] and row[column].strip()}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BatchError(f"{path}: cannot read the roster ({exc})") from None


def unpack(archive_path: Path, into: Path) -> Path:
    """Extract a submissions zip safely (no paths outside `into`, no zip bombs); return the root."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_ZIP_UNPACKED:
                raise BatchError(f"{archive_path}: unpacks to more than {MAX_ZIP_UNPACKED // 2**30} GB (a zip bomb?)")
            archive.extractall(into)  # zipfile drops absolute paths and '..' components
            _keep_entry_times(archive, into)
    except zipfile.BadZipFile:
        raise BatchError(f"{archive_path}: not a valid zip file") from None
    entries = [p for p in into.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    # A zip of one folder (e.g. "submissions/") holds the layout inside that folder.
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else into


def _keep_entry_times(archive: zipfile.ZipFile, into: Path) -> None:
    """Give each unpacked file its entry's time (local time, as zip stores it): the late rule reads it."""
    root = into.resolve()
    for info in archive.infolist():
        target = (into / info.filename).resolve()
        if info.is_dir() or not target.is_relative_to(root) or not target.is_file():
            continue
        stamp = time.mktime((*info.date_time, 0, 0, -1))
        os.utime(target, (stamp, stamp))


def time_limit(spec, job: Job) -> float:
    """A job's time limit: the spec's training budget (solution files), its prediction budget and bookkeeping."""
    limits = spec.limits
    training = limits.train_seconds if job.path.suffix.lower() in SCRIPT_SUFFIXES else 0
    return training + limits.predict_seconds + EXTRA_SECONDS


def run_batch(spec, submissions: Path, options: BatchOptions, progress=None, on_total=None) -> BatchSummary:
    """Grade every submission not stored yet, store each result at once, export the gradebook.

    `on_total(n)` is told how many submissions will be graded; `progress(row)` sees each result.
    """
    if not submissions.exists():
        raise BatchError(f"{submissions}: no such folder or zip file")
    spec = dataclasses.replace(spec, limits=dataclasses.replace(spec.limits, **options.limits))
    with tempfile.TemporaryDirectory(prefix="tfcert-batch-") as scratch:
        scratch = Path(scratch)
        root = unpack(submissions, scratch / "unpacked") if submissions.is_file() else submissions
        found = discover(root)
        roster = read_roster_rows(options.roster) if options.roster else {}
        present = {item.student for item in found}
        found += [Found(student, None, "missing", "on the roster, nothing submitted")
                  for student in roster if student not in present]
        with open_store(options.db) as store:
            current = {item.student: _key(item) for item in found}
            times = {item.student: item.submitted_at for item in found}
            sandbox = _sandbox_for(found, options)
            with store.transaction():
                run_id = store.batch_run(spec.id, str(submissions.resolve()), time.time(), options.resume, sandbox)
                if options.late_rule is not None:
                    store.set_batch_settings(run_id, late_rule=options.late_rule.to_dict())
            done = store.graded_keys(run_id)
            jobs = [Job(item.student, item.path, str(item.path.relative_to(root))) for item in found
                    if item.path is not None and (item.student, current[item.student]) not in done]
            if on_total is not None:
                on_total(len(jobs))
            for item in found:
                if item.path is None and (item.student, "") not in done:
                    with store.transaction():
                        store.insert_batch_row(run_id, _unsubmitted_row(item))
            peaks = _grade_jobs(spec, jobs, options, store, run_id, progress, times)
            report, files, sections = None, [], ()
            if options.similarity:  # while the files are here: an unpacked zip goes with the scratch folder
                report, files, sections = _similarity(spec, options, store, run_id, current, found)
            # The HTML sections are kept with the run, so rewriting its exports (an override) keeps them.
            export = {"out": str(options.out.resolve()), "formats": list(options.formats),
                      "rows": [[student, key] for student, key in sorted(current.items())],
                      "roster": {student: lms.identity(row) for student, row in roster.items()},
                      "sections": list(sections)}
            with store.transaction():
                store.set_batch_settings(run_id, export=export)
            rows, exports, rule = export_run(store, run_id, spec)
            exports += [write_export(options.out / relative, content) for relative, content in files]
    with_files = sum(1 for item in found if item.path is not None)
    return BatchSummary(rows, len(jobs), with_files - len(jobs), exports, peaks, sandbox, run_id, rule, report)


def _similarity(spec, options: BatchOptions, store, run_id: int, current: dict, found: list[Found]):
    """(the similarity report, its CSV and JSON files, its summary.html section) for the run's latest rows."""
    latest = {(row.student, row.sha256): row for row in store.batch_rows(run_id)}
    rows = [latest[(student, key)] for student, key in sorted(current.items()) if (student, key) in latest]
    evidence = store.batch_evidence(run_id)
    paths = {item.student: item.path for item in found}
    report = compare_subjects(spec, [subject(row.student, paths.get(row.student), row.file or "",
                                             evidence.get((row.student, row.sha256))) for row in rows if row.file])
    files, sections = similarity_outputs(report, spec, options.formats)
    return report, files, sections


def export_run(store, run_id: int, spec) -> tuple[list[BatchRow], list[Path], LateRule | None]:
    """Write a run's exports as its last export did (folder, formats, students), from the stored rows.

    The rows get the run's late rule and overrides and the roster's identifiers on the way
    (`tfcert batch override` calls this to rewrite the exports it changes); summary.html keeps
    the sections the run added (similar submissions).
    """
    late_rule, export = store.batch_settings(run_id)
    if export is None:
        raise BatchError(f"run {run_id} has exported nothing yet; run `tfcert batch` on it first")
    rule = LateRule.from_dict(late_rule)
    latest = {(row.student, row.sha256): row for row in store.batch_rows(run_id)}
    rows = [latest[(student, key)] for student, key in export["rows"] if (student, key) in latest]
    rows = adjusted_rows(rows, rule, store.overrides(run_id), spec.metric.pass_points)
    rows = [dataclasses.replace(row, identity=export["roster"].get(row.student, {})) for row in rows]
    exports = write_exports(rows, spec, Path(export["out"]), tuple(export["formats"]),
                            tuple(export.get("sections", ())))
    return rows, exports, rule


def runs_code(path: Path, trust: bool) -> bool:
    """True for a submission whose grading runs its code in a sandboxed child (a script, SavedModel, --trust)."""
    return path.suffix.lower() in SCRIPT_SUFFIXES or is_saved_model(path) or trust


def _sandbox_for(found: list[Found], options: BatchOptions) -> str:
    """How this run's submitted code is contained, in words; refuse when it cannot be, unless allowed."""
    mechanism = isolation()
    code = [item for item in found if item.path is not None and runs_code(item.path, options.trust)]
    if mechanism is not None and filter_program() is not None:
        return f"{mechanism} (a private file-system view and a seccomp filter per child)"
    if code and not options.allow_unisolated:
        raise BatchError(f"{len(code)} submissions run code (solution files, SavedModels or --trust), and "
                         f"{isolation_problem()}; or pass --allow-unisolated to grade them anyway (recorded)")
    return "none: --allow-unisolated, submitted code could read this machine's files" if code else "not needed"


def _key(item: Found) -> str:
    return sha256_of(item.path) if item.path is not None else ""


def _unsubmitted_row(item: Found) -> BatchRow:
    return BatchRow(item.student, None, "", item.status, item.message, 0, None, False, None, time.time())


def start_executor(spec, options: BatchOptions, workers: int):
    """Workers that hold the hidden test split, built once here: local processes or Ray actors."""
    # Enforced where the code runs (a Ray node may lack what this machine has), not only here.
    env = {HIDE_SOLUTIONS_ENV: "1", **({} if options.allow_unisolated else {REQUIRE_ISOLATION_ENV: "1"})}
    if options.executor == "ray":
        from grader.batch.ray_workers import RayExecutor

        return RayExecutor(spec, hidden_test_split(spec), workers, options.trust, options.address, env)
    # In memfds: no path on any disk, gone with the batch and its workers even after a SIGKILL.
    split = SharedSplit()
    # The workers import TensorFlow (seconds) while the split is built here (task1: ~7 s).
    executor = LocalExecutor(spec, split, workers, options.trust, env, split_ready=False)
    try:
        split.fill(hidden_test_split(spec))  # memory-mapped by every worker
    except BaseException:
        executor.__exit__(None, None, None)  # closes the split too
        raise
    executor.split_saved()
    return executor


def _grade_jobs(spec, jobs, options, store, run_id, progress, times) -> dict[int, float]:
    """Run the jobs on workers; commit each outcome in its own transaction as it arrives."""
    if not jobs:
        return {}
    jobs_by_key = {job.key: job for job in jobs}
    peaks: dict[int, float] = {}
    with start_executor(spec, options, min(options.workers, len(jobs))) as executor:
        for outcome in executor.run(jobs, lambda job: time_limit(spec, job)):
            job = jobs_by_key[outcome.key]
            row = submission_row(outcome.key, job.shown, sha256_of(job.path), outcome.status, outcome.result,
                                 outcome.message, times.get(outcome.key))
            with store.transaction():
                store.insert_batch_row(run_id, row)
                if outcome.evidence is not None:
                    store.insert_batch_evidence(run_id, row.student, row.sha256, outcome.evidence)
            if outcome.worker_peak_mb is not None:
                peaks[outcome.worker] = max(peaks.get(outcome.worker, 0.0), outcome.worker_peak_mb)
            if progress is not None:
                progress(row)
    return peaks
