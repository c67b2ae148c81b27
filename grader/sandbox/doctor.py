"""`tfcert doctor`: what isolation this machine gives submitted code, checked from inside a real child.

Runs grader.sandbox.probe_child under the sandbox exactly as a submission would run, and reports
what it could and could not do: network, processes, files ($HOME, the host's /tmp, writing
outside its working directory), disk, memory, CPU and process-count limits.

Example:
    report = check_sandbox()
    print(format_report(report))     # one line per property, and the verdict first
"""

import json
import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.limits import SandboxLimits
from grader.sandbox.rlimits import EXTRA_PROCESSES, pids_cgroup_available
from grader.sandbox.runner import isolation, isolation_problem, run_module
from grader.sandbox.status import read_status
from grader.sandbox.view import MECHANISMS, probe_errors

PROBE_DISK_MB = 16
PROBE_MEMORY_MB = 2048
PROBE_SECONDS = 120
CHECKS = {  # what each check means, in the report's words
    "network": "network", "processes": "processes", "home": "files: your $HOME",
    "host /tmp": "files: the host's /tmp", "write outside": "files: writing outside its workdir",
    "disk": "disk", "memory": "memory", "cpu": "CPU time", "process count": "process count",
}


@dataclass(frozen=True)
class Check:
    """One property: whether a submission is contained, and what the probe saw."""

    name: str
    contained: bool
    detail: str


@dataclass(frozen=True)
class Report:
    """The sandbox children get here, why the others are missing, and the checks run inside it."""

    mechanism: str | None
    unavailable: dict[str, str]  # mechanism -> why it does not work here
    checks: list[Check]

    @property
    def contained(self) -> bool:
        return all(check.contained for check in self.checks)


def check_sandbox() -> Report:
    """Run the probe child in the sandbox that grading uses here and collect what it found."""
    with tempfile.TemporaryDirectory(prefix="tfcert-doctor-") as folder, _listener() as port:
        folder = Path(folder)
        workdir, outside = folder / "work", folder / "outside"
        workdir.mkdir()
        outside.mkdir()
        tmp_canary = folder / "canary"
        tmp_canary.write_text("host /tmp")
        with _home_canary() as home_canary:
            job = {"port": port, "parent_pid": os.getpid(), "home_canary": str(home_canary),
                   "tmp_canary": str(tmp_canary), "outside_dir": str(outside), "disk_mb": PROBE_DISK_MB}
            (workdir / "probe-job.json").write_text(json.dumps(job))
            limits = SandboxLimits(PROBE_SECONDS, PROBE_MEMORY_MB, PROBE_DISK_MB, PROBE_SECONDS)
            lines: list[str] = []
            run = run_module("grader.sandbox.probe_child", [str(workdir)], workdir, limits, lines.append)
        report = read_status(workdir, run, limits, expected=("probed",))
        if report.outcome != "probed":
            raise RuntimeError(f"the sandbox probe failed: {report.message}: {''.join(lines)[-800:]}")
        found = json.loads((workdir / "probe.json").read_text())
    if os.geteuid() == 0:  # the kernel ignores RLIMIT_NPROC for root: a pids cgroup is what bounds it
        found["process count"] = ((True, f"a pids cgroup of {EXTRA_PROCESSES} tasks") if pids_cgroup_available()
                                  else (False, "root ignores RLIMIT_NPROC, and no pids cgroup is writable here"))
    checks = [Check(CHECKS[name], bool(contained), detail) for name, (contained, detail) in found.items()]
    return Report(isolation(), probe_errors(), checks)


class _listener:
    """A TCP listener on this machine's loopback for the probe to try to reach; yields its port."""

    def __enter__(self) -> int:
        self.socket = socket.create_server(("127.0.0.1", 0))
        return self.socket.getsockname()[1]

    def __exit__(self, *exc_info) -> None:
        self.socket.close()


class _home_canary:
    """A file in the grading user's home for the probe to try to read; removed afterwards."""

    def __enter__(self) -> Path:
        handle, name = tempfile.mkstemp(prefix=".tfcert-doctor-", dir=Path.home())
        os.write(handle, b"a secret in your home")
        os.close(handle)
        self.path = Path(name)
        return self.path

    def __exit__(self, *exc_info) -> None:
        self.path.unlink(missing_ok=True)


def format_report(report: Report) -> str:
    """The verdict, the mechanisms, then one line per property."""
    if report.mechanism is None:
        verdict = f"NOT ISOLATED: submitted code runs with your files in reach; {isolation_problem()}"
    elif report.contained:
        verdict = f"isolated: submitted code runs in a private sandbox ({report.mechanism})"
    else:
        verdict = f"PARTLY ISOLATED ({report.mechanism}): see the lines marked 'no'"
    mechanisms = ", ".join(
        f"{name}: {'works' if name not in report.unavailable else report.unavailable[name]}" for name in MECHANISMS)
    lines = [verdict, f"mechanisms  {mechanisms}", "", f"  {'property':<36} {'contained':<10} what the probe saw"]
    lines += [f"  {check.name:<36} {'yes' if check.contained else 'NO':<10} {check.detail}" for check in report.checks]
    return "\n".join(lines)
