"""The same grading workers as Ray actors, so one `tfcert batch` grades on a whole Ray cluster.

The hidden test split is put once into Ray's object store and every actor reads it from there;
submissions travel as bytes, SavedModel directories zipped (the cluster's machines need not
share a file system). An actor
that dies on a submission, or overruns its time limit, is killed and replaced, and the job is
reported as crashed or timed out, exactly as with the local executor.

Example:
    with RayExecutor(load_task("task4"), test, workers=8, address="ray://head:10001") as executor:
        for outcome in executor.run(jobs, seconds_for):
            ...
"""

import io
import os
import tempfile
import time
import zipfile
from pathlib import Path

from grader.batch.workers import Job, Outcome, WorkerGrader, worker_environment
from grader.data.examples import Examples
from grader.errors import TfcertError

POLL_SECONDS = 0.5


class _GradingActor:
    """One Ray actor: TensorFlow imported and the test split held once, then job after job."""

    def __init__(self, spec, test: Examples, trust: bool, env: dict):
        os.environ.update(env)
        from grader.models.runtime import import_keras

        import_keras()
        self.worker = WorkerGrader(spec, test, trust)

    def grade(self, shown: str, content: bytes, is_directory: bool):
        with tempfile.TemporaryDirectory(prefix="tfcert-ray-") as folder:
            path = Path(folder) / Path(shown).name
            if is_directory:  # a SavedModel, sent zipped
                with zipfile.ZipFile(io.BytesIO(content)) as archive:
                    archive.extractall(path)
            else:
                path.write_bytes(content)
            return (*self.worker.grade_submission(path, shown), os.getpid())


def _payload(path: Path) -> bytes:
    """A file's bytes, or a SavedModel directory zipped in memory."""
    if not path.is_dir():
        return path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            archive.write(file, file.relative_to(path))
    return buffer.getvalue()


def _ray():
    try:
        import ray
    except ImportError:
        raise TfcertError("--executor ray needs Ray: pip install 'tfcert[ray]'") from None
    return ray


class RayExecutor:
    """`workers` grading actors on a Ray cluster (a local one when `address` is None)."""

    def __init__(self, spec, test: Examples, workers: int, trust: bool = False, address: str | None = None,
                 env: dict | None = None):
        ray = self._ray = _ray()
        self._started_ray = not ray.is_initialized()
        if self._started_ray:
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     **({} if address else {"num_cpus": workers}))
        test_ref = ray.put(test)  # once: every actor reads the same object
        actor_class = ray.remote(num_cpus=1, max_restarts=0)(_GradingActor)
        environment = {**worker_environment(), **(env or {})}
        self._spawn = lambda: actor_class.remote(spec, test_ref, trust, environment)
        self._actors = [self._spawn() for _ in range(workers)]

    def __enter__(self) -> "RayExecutor":
        return self

    def __exit__(self, *exc_info) -> None:
        for actor in self._actors:
            self._ray.kill(actor)
        if self._started_ray:
            self._ray.shutdown()

    def run(self, jobs: list[Job], seconds_for):
        """Yield an Outcome per job, in completion order; `seconds_for(job)` is its time limit."""
        ray = self._ray
        pending = list(reversed(jobs))
        running: dict = {}  # object ref -> (actor index, job, deadline)
        idle = list(range(len(self._actors)))
        while pending or running:
            while idle and pending:
                index, job = idle.pop(), pending.pop()
                ref = self._actors[index].grade.remote(job.shown or job.path.name, _payload(job.path),
                                                       job.path.is_dir())
                running[ref] = (index, job, time.monotonic() + seconds_for(job))
            ready, _ = ray.wait(list(running), num_returns=1, timeout=POLL_SECONDS)
            for ref in ready:
                index, job, _ = running.pop(ref)
                try:
                    status, result, message, peak_mb, evidence, pid = ray.get(ref)
                    yield Outcome(job.key, status, result, message, peak_mb, pid, evidence)
                except ray.exceptions.RayError as exc:
                    self._replace(index)
                    yield Outcome(job.key, "crashed", None,
                                  f"the grading actor died on this submission ({type(exc).__name__})", None)
                idle.append(index)
            now = time.monotonic()
            for ref, (index, job, deadline) in list(running.items()):
                if now > deadline:
                    running.pop(ref)
                    self._replace(index)
                    idle.append(index)
                    yield Outcome(job.key, "timeout", None,
                                  "grading took longer than the time limit; the actor was stopped", None)

    def _replace(self, index: int) -> None:
        self._ray.kill(self._actors[index])
        self._actors[index] = self._spawn()
