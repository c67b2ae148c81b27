"""Long-lived grading workers: TensorFlow imported and the hidden test split loaded once per worker.

A worker is a spawned process that grades submissions one after another with `grader.grade`
(safe mode for model files; a fresh sandboxed child per solution `.py`, as always), keeping
what does not change between them (`grader.api.Warm`: the split, its baseline scores, traced
predict functions). The parent hands each worker one job at a time over a pipe, so it always
knows which submission a worker holds: a worker that dies or overruns its job's time limit is
killed, the job is reported as crashed or timed out, and a fresh worker takes its place. The
batch never stops.

Example:
    with LocalExecutor(load_task("task4"), split, workers=2) as executor:   # split: a SharedSplit
        for outcome in executor.run(jobs, seconds_for):
            ...
"""

import ctypes
import ctypes.util
import gc
import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from grader.batch.shared_split import SharedSplit
from grader.batch.similarity.fingerprint import evidence_of
from grader.data.examples import Examples

POLL_SECONDS = 0.2  # how often deadlines are checked while no worker has anything to say
START_SECONDS = 120  # a worker's own start-up: Python + TensorFlow + the test split
COLLECT_EVERY = 10  # jobs between full garbage collections in a worker...
COLLECT_ABOVE_MB = 64  # ...or sooner, once its RSS has grown this much since the last one
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


@dataclass(frozen=True)
class Job:
    """One submission to grade."""

    key: str  # unique within a run (the student)
    path: Path
    shown: str = ""  # how messages name the file (relative to the submissions root); default: path


@dataclass(frozen=True)
class Outcome:
    """What came back for a job: a result dict, or a status and message."""

    key: str
    status: str  # "graded", "error", "crashed" or "timeout"
    result: dict | None
    message: str | None
    worker_peak_mb: float | None  # the worker's peak RSS so far (None when it died)
    worker: int | None = None  # the worker's process id
    evidence: bytes | None = None  # what similarity compares of the graded model (similarity.fingerprint)


def grade_job(spec, path: Path, trust: bool, shown: str, warm=None, keep=None) -> tuple[str, dict | None, str | None]:
    """Grade one submission as a worker does: (status, result dict, message), never raising.

    Messages and the result name the file as `shown`, not by the worker's path to it. `warm` is
    what a worker keeps between jobs (`grader.api.Warm`); without it the grade is a cold one.
    `keep` is passed to `grader.grade`.
    """
    from grader.api import grade
    from grader.errors import TfcertError
    from grader.sandbox.status import one_line

    try:
        result = grade(spec, path, trust=trust, warm=warm, log=lambda line: None, keep=keep).to_dict()
        status, message = "graded", None
    except TfcertError as exc:
        result, status, message = None, "error", str(exc)
    except Exception as exc:  # a bug or an unexpected library error: recorded, never fatal
        result, status, message = None, "error", f"internal error while grading: {one_line(exc)}"
    if result is not None:
        result["submission"] = shown
    if message is not None:
        message = message.replace(str(path), shown)
    return status, result, message


class WorkerGrader:
    """One worker's grading of job after job: the warm state, and memory that stays flat.

    After each job the Keras session is cleared without a full garbage collection (Keras' own
    `clear_session()` runs one: ~0.2-0.4 s over TensorFlow's ~400,000 objects). Those objects are
    frozen out of the collector's sight once, at start-up; a full collection then only walks what
    jobs left behind (a few ms), and runs every COLLECT_EVERY jobs, or sooner when the RSS has
    grown COLLECT_ABOVE_MB since the last one.
    """

    def __init__(self, spec, test: Examples, trust: bool):
        from grader.api import Warm

        self.spec, self.trust = spec, trust
        self.warm = Warm(spec.id, test)
        self._since_collect = 0
        gc.collect()
        gc.freeze()  # TensorFlow, Keras and the split: long-lived, never garbage
        self._collected_rss = _rss_mb()

    def grade_submission(self, path: Path, shown: str) -> tuple[str, dict | None, str | None, float, bytes | None]:
        """Grade one submission: (status, result dict, message, the worker's peak RSS MB, evidence).

        The evidence is what similarity compares of the model (`similarity.fingerprint`), as bytes.
        """
        kept = []

        def keep(model, evaluation) -> None:
            kept.append(evidence_of(model, evaluation, self.spec))

        status, result, message = grade_job(self.spec, path, self.trust, shown, self.warm, keep)
        evidence = kept[0] if status == "graded" and kept else None
        self._release()
        return status, result, message, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, evidence

    def _release(self) -> None:
        """Drop the job's models and graphs: memory must not grow per job."""
        from grader.models.runtime import import_keras

        import_keras().backend.clear_session(free_memory=False)
        self._since_collect += 1
        if self._since_collect >= COLLECT_EVERY or _rss_mb() > self._collected_rss + COLLECT_ABOVE_MB:
            gc.collect()
            self._since_collect, self._collected_rss = 0, _rss_mb()


def _rss_mb() -> float:
    """This process's resident memory now (ru_maxrss is the peak); 0 where there is no /proc (macOS)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def worker_environment() -> dict[str, str]:
    """The settings a worker needs from ours (task dir, cache, data dir, secret, TF logging)."""
    return {name: value for name, value in os.environ.items() if name.startswith(("TFCERT_", "KERAS_", "TF_"))}


def _worker_main(spec, split: SharedSplit, trust: bool, env: dict, inbox, outbox, parent: int) -> None:
    """A worker's loop: grade jobs until it receives None."""
    os.setsid()  # its own process group: the parent can kill it with everything it started
    _die_with(parent)
    os.environ.update(env)
    from grader.models.runtime import import_keras

    import_keras()
    if inbox.recv() is None:  # the parent saves the split while workers import TensorFlow
        return
    worker = WorkerGrader(spec, split.load(), trust)
    outbox.send(("ready", None, None, None))
    while (job := inbox.recv()) is not None:
        status, result, message, peak_mb, evidence = worker.grade_submission(job.path, job.shown or str(job.path))
        outbox.send(("done", job.key, (status, result, message, evidence), peak_mb))


def _die_with(parent: int) -> None:
    """Have the kernel kill this worker when the batch process dies, even by SIGKILL (Linux).

    Its own session keeps it out of the batch's process group, so without this a killed batch
    would leave it grading (or training) on; its sandboxed child dies with it (bwrap
    --die-with-parent, unshare --kill-child). Elsewhere a worker ends at its next read of the
    pipe, which the dead parent closed.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: no such call
        return
    if os.getppid() != parent:  # the batch died before the call took effect
        os._exit(1)


class _Worker:
    """The parent's handle on one worker process, its pipes and the job it holds."""

    def __init__(self, context, spec, split: SharedSplit, trust: bool, env: dict):
        jobs_out, self.inbox = context.Pipe(duplex=False)
        self.outbox, results_in = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_worker_main, args=(spec, split, trust, env, jobs_out, results_in, os.getpid()), daemon=True)
        self.process.start()
        jobs_out.close()  # the worker's ends: with ours closed, its death reads as end of file
        results_in.close()
        self.ready = False
        self.job: Job | None = None
        self.deadline = time.monotonic() + START_SECONDS

    def start_grading(self) -> None:
        """The split is saved: the worker may load it and report ready."""
        self.deadline = time.monotonic() + START_SECONDS
        try:
            self.inbox.send("split saved")
        except OSError:  # it died: replaced when the executor runs
            pass

    def give(self, job: Job, seconds: float) -> bool:
        """Hand the worker a job; False when it has just died (it is replaced, the job waits)."""
        try:
            self.inbox.send(job)
        except OSError:
            return False
        self.job = job
        self.deadline = time.monotonic() + seconds
        return True

    def message(self):
        """What the worker sent, if anything is waiting; None too when it died mid-message."""
        try:
            return self.outbox.recv() if self.outbox.poll() else None
        except (EOFError, OSError):
            return None

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.join()


class LocalExecutor:
    """`workers` long-lived processes on this machine, grading for `spec` (its limits included).

    Workers start importing TensorFlow at once; they load the `split` (a SharedSplit) once told
    `split_saved()` (at once when `split_ready`), so the parent can fill it while they import.
    The executor owns the split from then on: it closes it when it exits.
    """

    def __init__(self, spec, split: SharedSplit, workers: int, trust: bool = False, env: dict | None = None,
                 split_ready: bool = True):
        self._context = multiprocessing.get_context("spawn")  # no inherited TF state or locks
        environment = {**worker_environment(), **(env or {})}
        self._split = split
        self._args = (self._context, spec, split, trust, environment)
        self._split_ready = False
        self._pool = [_Worker(*self._args) for _ in range(workers)]
        if split_ready:
            self.split_saved()

    def split_saved(self) -> None:
        """Let the workers load the split (their start-up deadline counts from now)."""
        self._split_ready = True
        for worker in self._pool:
            worker.start_grading()

    def _spawn(self) -> _Worker:
        worker = _Worker(*self._args)
        if self._split_ready:
            worker.start_grading()
        return worker

    def __enter__(self) -> "LocalExecutor":
        return self

    def __exit__(self, *exc_info) -> None:
        for worker in self._pool:
            if worker.process.is_alive():
                try:
                    worker.inbox.send(None)
                except OSError:  # it died meanwhile: killed below all the same
                    pass
        for worker in self._pool:
            worker.process.join(timeout=10)
            worker.kill()
        self._split.close()

    def run(self, jobs: list[Job], seconds_for):
        """Yield an Outcome per job, in completion order; `seconds_for(job)` is its time limit."""
        pending = list(reversed(jobs))
        busy = 0
        while pending or busy:
            for index, worker in enumerate(self._pool):
                message = worker.message()
                if message and message[0] == "ready":
                    worker.ready = True
                elif message:
                    _, key, (status, result, text, evidence), peak_mb = message
                    worker.job, busy = None, busy - 1
                    yield Outcome(key, status, result, text, peak_mb, worker.process.pid, evidence)
                elif not worker.process.is_alive() or (
                    (worker.job is not None or not worker.ready) and time.monotonic() > worker.deadline
                ):
                    outcome = self._replace(index, worker)
                    if outcome is not None:
                        busy -= 1
                        yield outcome
                worker = self._pool[index]
                if worker.ready and worker.job is None and pending:
                    job = pending[-1]
                    if worker.give(job, seconds_for(job)):
                        pending.pop()
                        busy += 1
            if pending or busy:  # sleep until a worker says something or dies, or a deadline may pass
                multiprocessing.connection.wait(
                    [handle for worker in self._pool for handle in (worker.outbox, worker.process.sentinel)],
                    timeout=POLL_SECONDS)

    def _replace(self, index: int, worker: _Worker) -> Outcome | None:
        """Kill a dead or overrunning worker, start a fresh one; report the job it held."""
        alive = worker.process.is_alive()
        worker.kill()
        self._pool[index] = self._spawn()
        if worker.job is None:
            if not alive and not worker.ready:
                raise RuntimeError(f"a grading worker failed to start (exit code {worker.process.exitcode})")
            return None
        if alive:
            return Outcome(worker.job.key, "timeout", None,
                           "grading took longer than the time limit; the worker was stopped", None)
        return Outcome(worker.job.key, "crashed", None,
                       f"the grading worker died on this submission (exit code {worker.process.exitcode})", None)
