"""Real exam-era model files grade end to end under the specs that state their contracts.

Each file under ../shared/realworld-models has a SOURCE.txt entry naming the problem it was
trained for ("exam 5", "dicoding A5", ...), and each problem maps to the spec that states its
contract. Of the 47 files, 42 grade; the other five are named below with their reason: three
break their problem's contract (refused in one line, before any data is read: handled, not
graded), one's images are not on this machine, one's problem has no spec. Skipped with a reason
where the shared folders are absent.
"""

import re

import numpy as np
import pytest
from conftest import SHARED_MODELS

import grader
from grader.batch.similarity.compare import Subject, compare_class
from grader.batch.similarity.fingerprint import Evidence, evidence_of
from grader.errors import ContractError, DataMissingError

PROBLEM_TO_TASK = {
    "exam 1": "linear",
    "exam 2": "fashion-mnist",
    "exam 4": "sarcasm",
    "exam 5": "sunspots",
    "dicoding A1": "dicoding-a1",
    "dicoding A2": "dicoding-a2",
    "dicoding A4": "dicoding-a4",
    "dicoding A5": "dicoding-a5",
    "dicoding B1": "dicoding-b1",
    "dicoding B2": "dicoding-b2",
    "dicoding B4": "dicoding-b4",
    "dicoding B5": "dicoding-b5",
    "dicoding C1": "dicoding-c1",
    "dicoding C2": "dicoding-c2",
    "dicoding C4": "dicoding-c4",
    "dicoding C5_dmt": "dicoding-c5",
    "dicoding C5_power": "dicoding-c5-power",
}
# Files that break the contract their own problem states: refused with the one line, before data.
REFUSED = {
    "Jeong-Kyu__A_study/Category2_mymodel.h5":  # Conv1D + Dense(1) trained with MSE on the label
        "your model outputs (None, 1, 1); fashion-mnist expects (None, 10)",
    "diastialfiana__Submission-C/model_C5.h5":  # its windowed_dataset targets w[-24:, :1]: column 0 only
        "your model outputs (None, 24); dicoding-c5-power expects (None, 24, 7)",
    "nimasristiya__Dev-Certification-for-Machine-Learning-with-Tf/SubmissionC_model_C5.h5":
        "your model outputs (None, 24); dicoding-c5-power expects (None, 24, 7)",
}
# Files whose problem's data is not on this machine (the grade stops with the one-line message).
DATA_NOT_HERE = {"Santameliana__simulasi-tensorflow/SubmissionA_model_A2.h5": "dicoding-a2 needs the image folder"}
# Files whose problem no spec states.
NO_SPEC = {"nimasristiya__Dev-Certification-for-Machine-Learning-with-Tf/SubmissionC_model_C3.h5":
           "dicoding C3 (cats vs dogs): no spec; its images are not here either"}
# Dicoding's own pass lines: the files were published as passing work, so each must pass here too,
# except one genuine failure: Santameliana's A1 learned y = -x + 16.6 from its repository's Y,
# which has a typo (Y[2] = 73.0 for 7.0); it grades, and scores 0.
DICODING_PASSING = ("dicoding-a1", "dicoding-a4", "dicoding-a5", "dicoding-b1", "dicoding-b2", "dicoding-b4",
                    "dicoding-b5", "dicoding-c1", "dicoding-c2", "dicoding-c5")
GENUINE_FAILURES = {"Santameliana__simulasi-tensorflow/SubmissionA_model_A1.h5": "dicoding-a1"}


def all_files() -> dict[str, str]:
    """'folder/file' -> the problem its SOURCE.txt names, for every real-world file."""
    problems = {}
    for source in sorted(SHARED_MODELS.glob("*/SOURCE.txt")):
        for block in source.read_text().split("FILE: ")[1:]:
            problems[f"{source.parent.name}/{block.split()[0]}"] = re.search(r"problem: (.+)", block).group(1).strip()
    return problems


@pytest.fixture(scope="module")
def graded(real_data_env):
    """Every file graded once: ({'folder/file': (task, GradeResult or the TfcertError raised)},
    {'folder/file': what a batch worker keeps of it for comparing a class})."""
    if not SHARED_MODELS.is_dir():
        pytest.skip(f"real-world model files not available: {SHARED_MODELS} is absent")
    results, kept = {}, {}
    for name, problem in all_files().items():
        if problem in PROBLEM_TO_TASK:
            task = PROBLEM_TO_TASK[problem]
            spec = grader.task(task)

            def keep(model, evaluation, name=name, spec=spec):
                kept[name] = evidence_of(model, evaluation, spec)

            try:
                results[name] = (task, grader.grade(spec, SHARED_MODELS / name, keep=keep))
            except (ContractError, DataMissingError) as refused:
                results[name] = (task, refused)
    for name, (task, outcome) in sorted(results.items()):
        shown = f"{outcome.metric_label} {outcome.value:.6g}, {outcome.points} points" \
            if isinstance(outcome, grader.GradeResult) else f"not graded: {outcome}"
        print(f"{task:18} {name}: {shown}")
    return results, kept


@pytest.fixture(scope="module")
def outcomes(graded):
    return graded[0]


def test_every_file_is_graded_or_named_with_its_reason(outcomes):
    files = all_files()
    assert len(files) == 47
    assert {name for name, problem in files.items() if problem not in PROBLEM_TO_TASK} == set(NO_SPEC)
    not_graded = {name: str(outcome) for name, (task, outcome) in outcomes.items()
                  if not isinstance(outcome, grader.GradeResult)}
    assert set(not_graded) == set(REFUSED) | set(DATA_NOT_HERE)
    for name, words in {**REFUSED, **DATA_NOT_HERE}.items():
        assert words in not_graded[name] and "\n" not in not_graded[name], name
    by_task = {}
    for name, (task, outcome) in outcomes.items():
        if isinstance(outcome, grader.GradeResult):
            assert outcome.value is not None and np.isfinite(outcome.value) and outcome.test_examples > 0, name
            by_task[task] = by_task.get(task, 0) + 1
    assert by_task == {
        "linear": 3, "fashion-mnist": 2, "sarcasm": 3, "sunspots": 3, "dicoding-a1": 5, "dicoding-a4": 4,
        "dicoding-a5": 4, "dicoding-b1": 3, "dicoding-b2": 1, "dicoding-b4": 3, "dicoding-b5": 3, "dicoding-c1": 3,
        "dicoding-c2": 1, "dicoding-c4": 3, "dicoding-c5": 1,
    }
    assert sum(by_task.values()) + len(REFUSED) >= 43  # graded or refused for a real violation


def test_dicoding_files_pass_their_published_thresholds(outcomes):
    for name, (task, result) in outcomes.items():
        if task in DICODING_PASSING and name not in GENUINE_FAILURES:
            assert result.passed, f"{name}: {result.metric_label} {result.value} on {task}"
    for name, task in GENUINE_FAILURES.items():
        assert outcomes[name][0] == task
        result = outcomes[name][1]
        assert result.points == 0 and any("y = -0.9999x + 16.6" in note for note in result.diagnostics), name


def test_exam_files_reach_full_marks_on_categories_1_and_2(outcomes):
    """The exam stated no lines for categories 1 and 2: the ladders were calibrated on these files."""
    for name, (task, result) in outcomes.items():
        if task in ("linear", "fashion-mnist") and isinstance(result, grader.GradeResult):
            assert result.points == 5, f"{name}: {result.metric_label} {result.value}"


def test_accepted_variants_say_so(outcomes):
    """Dicoding's B2/C2 files take (None, 28, 28, 1): graded on the reshaped images, with a note."""
    for name, (task, result) in outcomes.items():
        if task in ("dicoding-b2", "dicoding-c2"):
            assert result.diagnostics[0].startswith("your model takes (None, 28, 28, 1)"), name


def test_exam_category5_files_score_on_the_raw_scale_and_one_reaches_full_marks(outcomes):
    results = [result for task, result in outcomes.values() if task == "sunspots"]
    assert all("lstm_time_major" in result.shims for result in results)  # Keras 2.4 files
    assert all(12 < result.value < 20 for result in results)  # raw sunspot numbers, not 0..1
    assert max(result.points for result in results) == 5


def test_exam_text_files_get_the_ids_they_were_trained_with(outcomes):
    """With another word index these models fall towards the majority class (0.57 on sarcasm).

    The exam's category-4 files score 0.82-0.84 with a word index fit on all headlines and
    0.65 with one fit on the first 20,000; Dicoding's C4 files the other way round; Dicoding's
    A4 files reach their line only with the word index of the training reviews in tfds' order
    and the test truncated 'pre'. So each spec states its own contract.
    """
    for name, (task, result) in outcomes.items():
        if task == "sarcasm":  # the exam's files
            assert result.points == 5, f"{name}: accuracy {result.value}"
        if task == "dicoding-c4":
            assert result.value > 0.77, f"{name}: accuracy {result.value}"
        if task == "dicoding-b4":  # labels numbered from 1 in the order of frequency in the whole file
            assert result.value > 0.9, f"{name}: accuracy {result.value}"
        if task == "dicoding-a4":
            assert result.value > 0.83, f"{name}: accuracy {result.value}"


def test_no_two_peoples_real_files_are_similar(graded):
    """Different people's files for one problem (47 files, 15 problems): weights, predictions, nothing similar."""
    results, kept = graded
    classes = {}
    for name, (task, outcome) in results.items():
        if isinstance(outcome, grader.GradeResult):
            classes.setdefault(task, []).append(Subject(name.split("/")[0], name, Evidence.from_bytes(kept[name])))
    compared = 0
    for task, subjects in classes.items():
        report = compare_class(task, subjects)
        assert report.pairs == [], (task, [pair.reason for pair in report.pairs])
        compared += len(subjects) * (len(subjects) - 1) // 2
    assert compared >= 40
