"""Resource limits for grading work: time, memory, disk and CPU, in a child or in this process.

Example:
    limits = SandboxLimits(wall_seconds=120, memory_mb=4096)
    with in_process_limits(limits, "model.keras"):
        predictions = model.predict(x)     # SubmissionError past the time or memory limit
    SandboxLimits.for_task(spec.limits, spec.limits.train_seconds).cpu_limit   # CPU seconds
"""

import contextlib
import math
import os
import resource
import signal
import threading
from dataclasses import dataclass

from grader.errors import SubmissionError


@dataclass(frozen=True)
class SandboxLimits:
    """How long, and how much memory, disk and CPU time a child may use."""

    wall_seconds: float
    memory_mb: int  # address space (RLIMIT_AS); TensorFlow alone reserves ~3 GB
    disk_mb: int = 2048  # the child's writable working directory (a tmpfs in the view) and its largest file
    cpu_seconds: float | None = None  # RLIMIT_CPU per process; None: wall_seconds x the cores here

    @classmethod
    def for_task(cls, limits, wall_seconds: float) -> "SandboxLimits":
        """A child's limits from a spec's `limits`, with its own wall-clock budget."""
        return cls(wall_seconds, limits.memory_mb, limits.disk_mb, limits.cpu_seconds)

    @property
    def cpu_limit(self) -> int:
        """The CPU seconds a child process may use: its own bound, or all cores for the whole wall time.

        RLIMIT_CPU counts every thread of a process (TensorFlow trains on all cores), so the
        default never stops honest work before the wall clock does; a tighter `cpu_seconds`
        keeps a machine shared by many graders responsive.
        """
        if self.cpu_seconds is not None:
            return max(1, math.ceil(self.cpu_seconds))
        return max(1, math.ceil(self.wall_seconds * (os.cpu_count() or 1)))


class _OutOfTime(BaseException):
    """Raised by SIGALRM; a BaseException so that `except Exception` in Keras cannot swallow it."""


def _address_space() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


@contextlib.contextmanager
def in_process_limits(limits: SandboxLimits, shown: str):
    """Bound wall time and extra memory of safe-mode loading and predicting in this process.

    Time: SIGALRM (main thread only; Keras predicts batch by batch in Python, so the alarm lands
    between batches). Memory: a soft RLIMIT_AS of what the process uses now plus the limit, so a
    model that asks for too much gets an allocation error instead of exhausting the machine.
    """
    in_main_thread = threading.current_thread() is threading.main_thread()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = _address_space() + limits.memory_mb * 2**20
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    previous_handler = None
    if in_main_thread:
        def out_of_time(signum, frame):
            raise _OutOfTime()

        previous_handler = signal.signal(signal.SIGALRM, out_of_time)
        signal.setitimer(signal.ITIMER_REAL, limits.wall_seconds)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield
    except _OutOfTime:
        raise SubmissionError(
            f"{shown}: loading and predicting took longer than the {limits.wall_seconds:g} s limit; "
            "submit a smaller model"
        ) from None
    except Exception as exc:
        if not (isinstance(exc, MemoryError) or type(exc).__name__ == "ResourceExhaustedError"):
            raise
        raise SubmissionError(
            f"{shown}: the model needs more than the {limits.memory_mb} MB memory limit to load or predict; "
            "submit a smaller model"
        ) from None
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        if in_main_thread:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_handler)
