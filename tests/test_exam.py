"""Mock exams: the definitions, the pre-flight check, and a whole Google exam run with a fake clock."""

import shutil
from pathlib import Path

import pytest
import yaml

from grader.catalog import list_exams, load_exam, load_task
from grader.errors import SpecError
from grader.practice import sessions as practice
from grader.practice.exam import PreflightError, start_exam
from grader.practice.report import render_report
from grader.practice.text import format_standings
from grader.spec import PROJECT_ROOT
from grader.store.db import open_store

EXAMS = PROJECT_ROOT / "tasks" / "exams"
CATEGORY_5 = PROJECT_ROOT.parent / "shared" / "realworld-models" / "dongjaeseo__Study" / "Category5_mymodel.h5"
CATEGORY_2 = PROJECT_ROOT.parent / "shared" / "realworld-models" / "sswwd95__Study" / "Category2_mymodel.h5"


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, start: float = 1_700_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_every_exam_definition_loads_with_known_tasks():
    exams = {exam.id: exam for exam in list_exams()}
    assert set(exams) == {"google", "dicoding-a", "dicoding-b", "dicoding-c"}
    google = exams["google"]
    assert [p.label for p in google.problems] == [f"Category {k}" for k in range(1, 6)]
    assert [p.weight for p in google.problems] == [1, 2, 3, 4, 5]  # category 1 counts least, 5 most
    assert google.duration_minutes == 300
    for exam in exams.values():
        assert len(exam.problems) == 5 and abs(sum(exam.share(p) for p in exam.problems) - 1) < 1e-9


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda d: d["problems"][1].update(weight=0), "problems[1].weight: must be positive"),
        (lambda d: d["problems"][0].update(task="no-such-task"), "problems[0].task: unknown task 'no-such-task'"),
        (lambda d: d["problems"][2].update(task=d["problems"][0]["task"]), "problems[2].task: 'linear' serves two"),
        (lambda d: d.update(duration_minutes=0), "duration_minutes: must be at least 1"),
        (lambda d: d.update(problems=[]), "problems: empty"),
        (lambda d: d.update(minutes=300), "minutes: unknown field"),
    ],
)
def test_an_invalid_exam_names_the_file_and_the_field(edit, words, tmp_path, monkeypatch):
    tasks = tmp_path / "tasks"
    shutil.copytree(PROJECT_ROOT / "tasks", tasks)
    monkeypatch.setenv("TFCERT_TASKS_DIR", str(tasks))
    data = yaml.safe_load((EXAMS / "google.yaml").read_text())
    edit(data)
    (tasks / "exams" / "google.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(SpecError) as caught:
        load_exam("google")
    assert "google.yaml: " + words in str(caught.value) and "\n" not in str(caught.value)


def test_a_failed_pre_flight_check_lists_each_problem_and_starts_no_clock(tmp_path, monkeypatch):
    monkeypatch.delenv("TFCERT_DATASETS_DIR", raising=False)
    monkeypatch.setenv("TFCERT_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("HOME", str(tmp_path))  # no Keras download cache either
    with open_store(tmp_path / "results.db") as store:
        with pytest.raises(PreflightError) as caught:
            start_exam(store, load_exam("dicoding-b"), workspace=tmp_path / "exam", now=Clock())
        assert store.active_session() is None
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("the pre-flight check failed") and "the clock has not started" in lines[0]
    missing = [line for line in lines[1:] if "data (" in line]
    assert {line.split()[0] for line in missing} >= {"B2", "B4", "B5"}  # Fashion-MNIST, BBC news, temperatures
    assert all("tfcert data fetch" in line for line in missing)
    assert not (tmp_path / "exam").exists()


@pytest.mark.skipif(not CATEGORY_5.is_file(), reason="../shared/realworld-models is absent")
def test_a_google_mock_exam_from_start_to_report(tmp_path, real_data_env):
    clock = Clock()
    database = tmp_path / "results.db"
    with open_store(database) as store:
        session = start_exam(store, load_exam("google"), workspace=tmp_path / "exam", now=clock)
    assert session.deadline - session.started_at == 300 * 60
    plan = {problem["label"]: problem for problem in session.exam["problems"]}
    assert plan["Category 3"]["task"] == "task1" and plan["Category 3"]["stands_in_for"] == "rock-paper-scissors"
    workspace = Path(session.workspace)
    assert (workspace / "category-1" / "CONTRACT.md").is_file() and (workspace / "README.md").is_file()
    assert "stands in" in (workspace / "category-3" / "CONTRACT.md").read_text()

    with open_store(database) as store:
        clock.now += 30 * 60  # category 5 from a model file saved while preparing for the exam (MAE 14.52)
        graded = practice.submit(store, "sunspots", CATEGORY_5, now=clock)
        clock.now += 30 * 60  # category 1 in train mode, from the reference solution
        trained = practice.submit(store, "linear", PROJECT_ROOT / "solutions" / "linear.py", now=clock,
                                  log=lambda line: None)
        clock.now = session.deadline + 60  # category 2 one minute late: graded, not counted
        late = practice.submit(store, "fashion-mnist", CATEGORY_2, now=clock)
        standings = practice.end(store, now=clock)
    assert graded.result.points == 5 and trained.result.points == 5
    assert late.attempt.late and late.result is not None  # graded, and recorded as late
    best = {standing.task: standing.best for standing in standings.tasks}
    assert best["fashion-mnist"] is None and best["task1"] is None and best["sarcasm"] is None  # scored 0
    assert standings.weighted_percent == pytest.approx(100 * (1 * 5 / 5 + 5 * 5 / 5) / 15)  # 40%

    with open_store(database) as store:
        table = format_standings(practice.standings(store, store.session(session.id)), clock())
    assert "weighted total 40.0% (no pass line was published for this exam)" in table
    assert "Category 3 (stand-in for rock-paper-scissors)" in table
    report = render_report(standings, clock())
    assert "TensorFlow Developer Certificate exam: mock exam" in report.html and "weighted total 40.0%" in report.html
    assert report.plots >= 2


def test_exam_list_shows_every_exam_and_its_stand_ins(run_cli):
    result = run_cli("exam", "list")
    assert result.exit_code == 0, result.stderr
    assert "google: TensorFlow Developer Certificate exam, 300 minutes" in result.stdout
    for exam_id in ("dicoding-a", "dicoding-b", "dicoding-c"):
        assert f"{exam_id}: Dicoding" in result.stdout


def _graded(attempt_id: int, task: str, points: int, submitted_at: float):
    from grader.store.rows import Attempt

    result = {"points": points, "value": 1.0, "lower_is_better": True, "metric_label": "MAE", "passed": points >= 4}
    return Attempt(attempt_id, 1, task, f"{task}.h5", submitted_at, "graded", False, points, 1.0, None, result,
                   "practice")


def test_an_exam_session_reads_right_in_its_workspace_table_and_history(tmp_path):
    """Starters named after their task (and training on its data), headings said once, weighted totals."""
    from grader.practice.exam import plan_exam
    from grader.practice.text import format_history, problem_heading, standings_rows
    from grader.store.rows import Session

    clock = Clock()
    plan = plan_exam(load_exam("dicoding-c"))
    with open_store(tmp_path / "results.db") as store:
        specs = [load_task(problem["task"]) for problem in plan["problems"]]
        session = practice.start(store, specs, 300, tmp_path / "exam", now=clock, exam=plan)
    c2 = tmp_path / "exam" / "c2"
    assert sorted(path.name for path in c2.iterdir()) == ["CONTRACT.md", "dicoding-c2.py"]
    assert 'TASK = "dicoding-c2"\n' in (c2 / "dicoding-c2.py").read_text()  # MNIST digits, not Fashion-MNIST
    assert problem_heading("Category 5", "Exam category 5: forecast monthly sunspots (real data)") == \
        "Category 5: forecast monthly sunspots (real data)"
    assert problem_heading("C5", "Dicoding simulation C5 (2022): daily minimum temperature") == \
        "C5 (2022): daily minimum temperature"
    assert problem_heading("Category 3", "Image classification with a CNN") == "Category 3: Image classification with a CNN"
    assert (c2 / "CONTRACT.md").read_text().startswith("# C2: MNIST digits, accuracy > 91%\n")

    google = plan_exam(load_exam("google"))
    session = Session(1, clock(), clock() + 3600, clock() + 60, "ws", tuple(p["task"] for p in google["problems"]),
                      google)
    attempts = [_graded(1, "linear", 5, clock() + 10), _graded(2, "sunspots", 5, clock() + 20)]
    standings = practice.Standings(session, [practice.TaskStanding(task, [a for a in attempts if a.task == task])
                                             for task in session.tasks])
    header, *rows, total = standings_rows(standings)
    assert header[:4] == ("problem", "weight", "task", "best")
    assert total[:4] == ("weighted total", "100%", "", "40.0%")  # the weight column holds weights only
    history = format_history([standings], clock())
    assert "weighted total 40.0%" in history and "total 10/25" not in history
