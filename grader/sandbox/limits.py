"""Resource limits for grading work: how long and how much memory, in a child or in this process.

Example:
    limits = SandboxLimits(wall_seconds=120, memory_mb=4096)
    with in_process_limits(limits, "model.keras"):
        predictions = model.predict(x)     # SubmissionError past the time or memory limit
"""

import contextlib
import resource
import signal
import threading
from dataclasses import dataclass

from grader.errors import SubmissionError


@dataclass(frozen=True)
class SandboxLimits:
    """How long and how much memory a child may use."""

    wall_seconds: float
    memory_mb: int


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
