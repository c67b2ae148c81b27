"""Kernel limits for a sandboxed child: rlimits set between fork and exec, and a pids cgroup for root.

Set in the child before bubblewrap/unshare runs, they hold for everything inside: the
supervisor, the learner's code and whatever it starts.
- RLIMIT_AS: the memory limit; RLIMIT_CORE 0: no core dumps;
- RLIMIT_FSIZE: the largest file any process may write, the disk limit plus 1 MiB, so filling
  the working directory gives ENOSPC first (Python ignores SIGXFSZ: a bigger write is EFBIG);
- RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL CPU_GRACE_SECONDS later for a child that
  ignores it;
- a process count: RLIMIT_NPROC for an ordinary user (it counts all of that user's tasks), a pids
  cgroup when the grader runs as root (the kernel never enforces RLIMIT_NPROC for uid 0, even in
  a user namespace).

Example:
    with pids_cgroup(512) as attach:
        subprocess.Popen(argv, preexec_fn=child_rlimits(limits, max_tasks=None, attach=attach))
"""

import contextlib
import itertools
import os
import resource
import signal
import time
from pathlib import Path

from grader.sandbox.limits import SandboxLimits
from grader.sandbox.supervisor import install_seccomp

CPU_GRACE_SECONDS = 5  # between SIGXCPU (the soft limit) and SIGKILL (the hard one)
EXTRA_PROCESSES = 512  # threads count too: TensorFlow alone starts dozens
_group_numbers = itertools.count(1)


def child_rlimits(limits: SandboxLimits, max_tasks: int | None, attach=None, seccomp: bytes | None = None):
    """A preexec_fn that joins the cgroup (`attach()`, if any), sets the child's rlimits and installs `seccomp`."""

    def apply() -> None:
        if attach is not None:
            attach()
        memory = limits.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        largest_file = (limits.disk_mb + 1) * 2**20
        resource.setrlimit(resource.RLIMIT_FSIZE, (largest_file, largest_file))
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_limit, limits.cpu_limit + CPU_GRACE_SECONDS))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if max_tasks is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (max_tasks, max_tasks))
        if seccomp is not None:
            install_seccomp(seccomp)

    return apply


def tasks_of_this_user() -> int:
    """Processes and threads of our uid: RLIMIT_NPROC counts them all, not just the child's."""
    uid, count = os.getuid(), 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(entry / "task"))
            except OSError:
                continue  # the process ended while we looked
    return count


def pids_cgroup_available() -> bool:
    """True when children can get a pids cgroup here (root's only bound on their process count)."""
    return _pids_cgroup_base() is not None


def _pids_cgroup_base() -> Path | None:
    """A pids controller we may create groups in: cgroup v1's, or our v2 group when pids is delegated."""
    v1 = Path("/sys/fs/cgroup/pids")
    if (v1 / "cgroup.procs").exists() and os.access(v1, os.W_OK):
        return v1
    try:
        own = Path("/proc/self/cgroup").read_text().splitlines()
        path = next(line.split("::", 1)[1] for line in own if line.startswith("0::"))
        base = Path("/sys/fs/cgroup") / path.lstrip("/")
        if "pids" in (base / "cgroup.subtree_control").read_text().split() and os.access(base, os.W_OK):
            return base
    except (OSError, StopIteration):
        pass
    return None


@contextlib.contextmanager
def pids_cgroup(max_tasks: int):
    """A pids cgroup capping a child's processes and threads at `max_tasks`.

    Yields a function for preexec_fn that moves the new process into the group, or None when no
    writable pids controller exists here. On exit it kills what is left in the group and removes it.
    """
    base = _pids_cgroup_base()
    if base is None:
        yield None
        return
    group = base / f"tfcert-{os.getpid()}-{next(_group_numbers)}"
    try:
        group.mkdir()
        (group / "pids.max").write_text(str(max_tasks))
    except OSError:
        with contextlib.suppress(OSError):
            group.rmdir()
        yield None
        return
    procs = group / "cgroup.procs"

    def attach() -> None:
        with open(procs, "w") as file:
            file.write(str(os.getpid()))

    try:
        yield attach
    finally:
        for _ in range(100):  # a group can only be removed once its last process is gone
            try:
                for pid in procs.read_text().split():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)
                group.rmdir()
                break
            except OSError:
                time.sleep(0.05)
