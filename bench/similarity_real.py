"""Shared by bench/similarity.py and tests/test_similarity.py: the real exam-era files, graded in
process with what similarity keeps, grouped by the task whose contract they were saved for.

Example:
    groups = real_subjects(Path("../shared/realworld-models"))   # {"sunspots": [Subject, ...], ...}
"""

import re
from pathlib import Path

PROBLEM_TO_TASK = {
    "exam 1": "linear", "exam 2": "fashion-mnist", "exam 4": "sarcasm", "exam 5": "sunspots",
    "dicoding A1": "dicoding-a1", "dicoding A4": "dicoding-a4", "dicoding A5": "dicoding-a5",
    "dicoding B1": "dicoding-b1", "dicoding B2": "dicoding-b2", "dicoding B4": "dicoding-b4",
    "dicoding B5": "dicoding-b5", "dicoding C1": "dicoding-c1", "dicoding C2": "dicoding-c2",
    "dicoding C4": "dicoding-c4", "dicoding C5_dmt": "dicoding-c5",
}


def real_files(models: Path) -> dict[str, str]:
    """'folder/file' -> the task its SOURCE.txt problem maps to, for every real file with a spec."""
    found = {}
    for source in sorted(models.glob("*/SOURCE.txt")):
        for block in source.read_text().split("FILE: ")[1:]:
            problem = re.search(r"problem: (.+)", block).group(1).strip()
            if problem in PROBLEM_TO_TASK:
                found[f"{source.parent.name}/{block.split()[0]}"] = PROBLEM_TO_TASK[problem]
    return found


def graded_subject(task, path: Path, name: str):
    """Grade one file in process as a worker does and keep what similarity compares; None if refused."""
    import grader
    from grader.batch.similarity.compare import Subject
    from grader.batch.similarity.fingerprint import Evidence, evidence_of
    from grader.errors import TfcertError

    spec = grader.task(task) if isinstance(task, str) else task
    kept = []
    try:
        grader.grade(spec, path, keep=lambda model, evaluation: kept.append(evidence_of(model, evaluation, spec)))
    except TfcertError:
        return None
    return Subject(name, path.name, Evidence.from_bytes(kept[0]))


def real_subjects(models: Path, tasks: set[str] | None = None) -> dict[str, list]:
    """{task: [Subject per real file graded for it]} (files refused by their contract are left out)."""
    groups: dict[str, list] = {}
    for name, task in real_files(models).items():
        if tasks is not None and task not in tasks:
            continue
        graded = graded_subject(task, models / name, name.split("/")[0])
        if graded is not None:
            groups.setdefault(task, []).append(graded)
    return groups
