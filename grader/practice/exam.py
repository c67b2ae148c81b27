"""Mock exams as timed sessions: the plan (stand-ins where data is missing), the pre-flight check, the start.

Before the clock starts, a pre-flight check like the exam's plugin: Python, TensorFlow and Keras
versions, the data of every problem (or the command to get it), free disk and memory. A failed
check stops the start with one line per problem and what to do. The session then records the
plan (each problem's label, task, weight, and the task standing in for it where its data is not
here), so its standings and report never depend on the exam file again.

Example:
    with open_store() as store:
        session = start_exam(store, load_exam("google"), workspace=Path("exam"))
        standings(store, session).weighted_percent       # 0.0 until something is submitted
"""

import importlib.metadata
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import load_task
from grader.data.status import status
from grader.errors import TfcertError
from grader.practice.sessions import Clock, default_workspace, start
from grader.spec.exam import ExamSpec
from grader.store.db import Store
from grader.store.rows import Session

MIN_PYTHON = (3, 10)
MIN_TENSORFLOW = (2, 16)  # the first with Keras 3
MIN_KERAS = (3, 0)
MIN_FREE_DISK_MB = 4096  # a few saved models, and each training child's working directory (2048 MB)


class PreflightError(TfcertError):
    """The pre-flight check failed: the message has one line per failed check and what to do."""


@dataclass(frozen=True)
class Check:
    """One pre-flight check: what was checked, whether it passed, what was found or what to do."""

    name: str
    ok: bool
    detail: str


def plan_exam(exam: ExamSpec) -> dict:
    """The session's plan: per problem the task graded here (its stand-in where its data is missing)."""
    problems = []
    for problem in exam.problems:
        graded, stands_in_for = problem.task, None
        if problem.stand_in and not status(load_task(problem.task)).present:
            graded, stands_in_for = problem.stand_in, problem.task
        problems.append({"label": problem.label, "task": graded, "weight": problem.weight,
                         "stands_in_for": stands_in_for, "note": problem.note})
    return {"id": exam.id, "title": exam.title, "pass_percent": exam.pass_percent, "scoring": exam.scoring,
            "instructions": exam.instructions, "problems": problems}


def preflight(plan: dict, folder: Path) -> list[Check]:
    """Every check, in the order the exam's plugin ran them; `folder` is where the workspace goes."""
    checks = [
        _version_check("Python", ".".join(map(str, sys.version_info[:3])), MIN_PYTHON),
        _version_check("TensorFlow", _installed("tensorflow"), MIN_TENSORFLOW),
        _version_check("Keras", _installed("keras"), MIN_KERAS),
    ]
    specs = [load_task(problem["task"]) for problem in plan["problems"]]
    for problem, spec in zip(plan["problems"], specs, strict=True):
        found = status(spec)
        todo = (f"run `tfcert data fetch {spec.id}` (needs a network) or `tfcert data add {spec.id} PATH`, "
                "or pass --data-dir DIR where it is")
        checks.append(Check(f"{problem['label']} data ({spec.id})", found.present,
                            f"{found.needs}: {found.where}" if found.present else f"{found.needs} is missing: {todo}"))
    free_mb = shutil.disk_usage(_existing(folder)).free // 2**20
    checks.append(Check("free disk", free_mb >= MIN_FREE_DISK_MB,
                        f"{free_mb:,} MB free where the workspace goes (needs {MIN_FREE_DISK_MB:,} MB)"))
    needed_mb = max(spec.limits.memory_mb for spec in specs)
    available_mb = _available_memory_mb()
    checks.append(Check("free memory", available_mb is None or available_mb >= needed_mb,
                        "unknown here" if available_mb is None else
                        f"{available_mb:,} MB available (training needs {needed_mb:,} MB)"))
    return checks


def start_exam(store: Store, exam: ExamSpec, minutes: float | None = None, workspace: Path | None = None,
               *, now: Clock = time.time) -> Session:
    """Run the pre-flight check, then open the exam's session (its duration unless `minutes`) and workspace."""
    plan = plan_exam(exam)
    target = Path(workspace) if workspace else default_workspace(Path.cwd(), now(), prefix=f"tfcert-{exam.id}")
    failed = [check for check in preflight(plan, target) if not check.ok]
    if failed:
        lines = [f"  {check.name}: {check.detail}" for check in failed]
        raise PreflightError("\n".join([f"the pre-flight check failed ({len(failed)} of its checks); "
                                        "the clock has not started:", *lines]))
    specs = [load_task(problem["task"]) for problem in plan["problems"]]
    return start(store, specs, minutes or exam.duration_minutes, target, now=now, exam=plan)


def _version_check(name: str, found: str | None, minimum: tuple[int, ...]) -> Check:
    wanted = ".".join(map(str, minimum))
    if found is None:
        return Check(name, False, f"not installed: pip install 'tfcert' brings {name} >= {wanted}")
    ok = _version_tuple(found) >= minimum
    return Check(name, ok, found if ok else f"{found} is older than {wanted}: pip install -U {name.lower()}")


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split(".")[:3]:
        digits = "".join(character for character in part if character.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _installed(distribution: str) -> str | None:
    """The installed version of a distribution, without importing it (TensorFlow's import takes seconds)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _existing(folder: Path) -> Path:
    """`folder` or its nearest existing parent (the workspace may not exist yet)."""
    folder = folder.resolve()
    while not folder.exists():
        folder = folder.parent
    return folder


def _available_memory_mb() -> int | None:
    """MemAvailable from /proc/meminfo (Linux); None where it cannot be read."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
