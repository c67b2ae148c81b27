"""Real exam-era model files grade end to end under the specs that state their contracts.

Each file under ../shared/realworld-models has a SOURCE.txt entry naming the problem it was
trained for ("exam 5", "dicoding A5", ...). The problems whose contract a spec states map to it:
the exam's categories 4 and 5 to `sarcasm` and `sunspots`, Dicoding's A5/B5/C5 (2022), B4 and
C4 to the `dicoding-*` specs. Skipped with a reason where the shared folders are absent.
"""

import re

import numpy as np
import pytest
from conftest import SHARED_MODELS

import grader

PROBLEM_TO_TASK = {
    "exam 5": "sunspots",
    "exam 4": "sarcasm",
    "dicoding A5": "dicoding-a5",
    "dicoding B5": "dicoding-b5",
    "dicoding C5_dmt": "dicoding-c5",
    "dicoding B4": "dicoding-b4",
    "dicoding C4": "dicoding-c4",
}
# Dicoding's own pass lines: the files were published as passing work, so each must pass here too.
DICODING_PASSING = ("dicoding-a5", "dicoding-b5", "dicoding-c5", "dicoding-b4")


def mapped_files() -> list[tuple[str, str]]:
    """(file path, task id) for every real-world file whose problem a spec covers."""
    pairs = []
    for source in sorted(SHARED_MODELS.glob("*/SOURCE.txt")):
        for block in source.read_text().split("FILE: ")[1:]:
            name = block.split()[0]
            problem = re.search(r"problem: (.+)", block).group(1).strip()
            if problem in PROBLEM_TO_TASK:
                pairs.append((str(source.parent / name), PROBLEM_TO_TASK[problem]))
    return pairs


@pytest.fixture(scope="module")
def graded(real_data_env):
    """Every mapped file graded once: {(path, task): GradeResult}."""
    if not SHARED_MODELS.is_dir():
        pytest.skip(f"real-world model files not available: {SHARED_MODELS} is absent")
    return {(path, task): grader.grade(task, path) for path, task in mapped_files()}


def test_every_file_with_a_covered_contract_grades_end_to_end(graded):
    by_task = {}
    for (path, task), result in graded.items():
        assert result.value is not None and np.isfinite(result.value), path
        assert result.test_examples > 0
        by_task.setdefault(task, []).append(result)
    assert {task: len(results) for task, results in by_task.items()} == {
        "sunspots": 3, "sarcasm": 3, "dicoding-a5": 4, "dicoding-b5": 3, "dicoding-c5": 1, "dicoding-b4": 3,
        "dicoding-c4": 3,
    }


def test_dicoding_files_pass_their_published_thresholds(graded):
    for (path, task), result in graded.items():
        if task in DICODING_PASSING:
            assert result.passed, f"{path}: {result.metric_label} {result.value} on {task}"


def test_exam_category5_files_score_on_the_raw_scale_and_one_reaches_full_marks(graded):
    results = [result for (path, task), result in graded.items() if task == "sunspots"]
    assert all("lstm_time_major" in result.shims for result in results)  # Keras 2.4 files
    assert all(12 < result.value < 20 for result in results)  # raw sunspot numbers, not 0..1
    assert max(result.points for result in results) == 5


def test_exam_text_files_get_the_ids_they_were_trained_with(graded):
    """With another word index these models fall towards the majority class (0.57 on sarcasm).

    The exam's category-4 files score 0.82-0.84 with a word index fit on all headlines and
    0.65 with one fit on the first 20,000; Dicoding's C4 files the other way round. So the
    two specs state two contracts, and each file is graded under its own.
    """
    for (path, task), result in graded.items():
        if task == "sarcasm":  # the exam's files
            assert result.points == 5, f"{path}: accuracy {result.value}"
        if task == "dicoding-c4":
            assert result.value > 0.77, f"{path}: accuracy {result.value}"
        if task == "dicoding-b4":  # labels numbered from 1 in the order of frequency in the whole file
            assert result.value > 0.9, f"{path}: accuracy {result.value}"
