"""Practice sessions end to end through the CLI with a fake clock, plus history and the HTML report.

Models are tiny saved files graded as files (never trained): a naive forecaster (0 points) and
a linear forecaster fitted in closed form (a few points), so the whole file runs in seconds.
"""

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import naive_forecaster

import grader
from grader import cli
from grader.practice import sessions as practice
from grader.practice.report import render_report
from grader.practice.text import format_submitted
from grader.report.result import GradeResult
from grader.spec import PROJECT_ROOT
from grader.store.db import open_store

START = 1_700_000_000.0  # a fixed wall-clock epoch: the fake clock starts here
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class FakeClock:
    """A wall clock that moves only when told to."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def at_minute(self, minutes: float) -> None:
        self.now = START + minutes * 60


@pytest.fixture(autouse=True)
def private_data_dir(monkeypatch, tmp_path):
    """Every test gets its own database and working directory: the user's are never touched."""
    monkeypatch.setenv("TFCERT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def tfcert(clock):
    """Run `tfcert ARGS...` in-process with the fake clock; returns click's Result."""

    def run(*args):
        return CliRunner().invoke(cli.main, [str(a) for a in args], obj={"now": clock})

    return run


@pytest.fixture(scope="session")
def forecasters(keras, tmp_path_factory):
    """{"naive": path, "linear": path}: saved task4 models that score 0 and more than 0 points."""
    folder = tmp_path_factory.mktemp("forecasters")
    naive_forecaster(keras).save(folder / "naive.keras")
    series = np.concatenate([grader.load_data("task4", "train"), grader.load_data("task4", "valid")])
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], 30)
    coefficients, *_ = np.linalg.lstsq(np.c_[windows, np.ones(len(windows))], series[30:], rcond=None)
    linear = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    linear.layers[-1].set_weights([coefficients[:30, None].astype("float32"), coefficients[30:].astype("float32")])
    linear.save(folder / "linear.keras")
    return {"naive": folder / "naive.keras", "linear": folder / "linear.keras"}


def task4_row(output: str) -> list[str]:
    """The cells of task4's row in a standings table (columns two or more spaces apart)."""
    row = next(line for line in output.splitlines() if line.startswith("task4 "))
    return re.split(r"\s{2,}", row.strip())


def test_a_whole_session_through_the_cli(tfcert, clock, forecasters, tmp_path):
    started = tfcert("practice", "start", "--tasks", "task4", "--minutes", 60, "--dir", "ws")
    assert started.exit_code == 0, started.output
    assert "deadline" in started.stdout and "practice session 1 started: task4; 1:00:00 allowed" in started.stdout
    assert (tmp_path / "ws" / "task4.py").read_text() == (PROJECT_ROOT / "starter" / "task4.py").read_text()
    readme = (tmp_path / "ws" / "README.md").read_text()
    assert "tfcert practice submit task4 task4.keras" in readme and "(None, 30, 1)  float32" in readme

    clock.at_minute(10)
    on_time = tfcert("practice", "submit", "task4", forecasters["naive"])
    assert on_time.exit_code == 0, on_time.output
    assert "MAE" in on_time.stdout and "<- you" in on_time.stdout  # the usual score table
    assert "task4 attempt 1 (session 1): 0/5, counted; best so far 0/5; time left 0:50:00" in on_time.stdout

    clock.at_minute(20)
    status = tfcert("practice", "status")
    assert status.exit_code == 0 and "time left 0:40:00" in status.stdout
    assert task4_row(status.stdout)[:2] == ["task4", "0/5"] and task4_row(status.stdout)[-1] == "1"

    clock.at_minute(65)
    late = tfcert("practice", "submit", "task4", forecasters["linear"])
    assert late.exit_code == 0, late.output
    late_points = int(re.search(r"points\s+(\d) / 5", late.stdout).group(1))
    assert late_points > 0
    assert (f"task4 attempt 2 (session 1): {late_points}/5, LATE: submitted 0:05:00 after the deadline; "
            "it is graded but does not count (best stays 0/5)") in late.stdout

    status = tfcert("practice", "status")
    assert "deadline passed 0:05:00 ago" in status.stdout
    row = task4_row(status.stdout)
    assert (row[:2], row[3:]) == (["task4", "0/5"], ["FAIL", "2 (1 late)"])

    not_in_session = tfcert("practice", "submit", "task1", forecasters["naive"])
    assert not_in_session.exit_code == 2
    assert not_in_session.stderr == "error: task1 is not a task of session 1 (task4); submit one of those\n"

    clock.at_minute(70)
    ended = tfcert("practice", "end")
    assert ended.exit_code == 0, ended.output
    assert re.search(r"^total\s+0/5$", ended.stdout, re.MULTILINE) and ", ended " in ended.stdout
    assert tfcert("practice", "status").exit_code == 2

    history = tfcert("history")
    assert history.exit_code == 0
    assert "session 1  started" in history.stdout and "total 0/5" in history.stdout
    assert re.search(rf"task4\s+0:10 0/5, 1:05 {late_points}/5 late$", history.stdout, re.MULTILINE)

    report = tfcert("report")
    assert report.exit_code == 0, report.output
    assert "wrote tfcert-report-1.html (2 plots)" in report.stdout
    page = (tmp_path / "tfcert-report-1.html").read_text()
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([^"]+)"', page)
    assert [alt for alt, _ in images] == ["task4: MAE per attempt", "task4: what attempt 2 predicted"]
    assert all(base64.b64decode(data).startswith(PNG_MAGIC) for _, data in images)
    assert not re.search(r"<script|<link|src=\"http|url\(", page)  # self-contained


def test_a_refused_submission_is_recorded_as_an_error(tfcert, tmp_path):
    assert tfcert("practice", "start", "--tasks", "task4", "--dir", "ws").exit_code == 0
    broken = tmp_path / "broken.keras"
    broken.write_text("not a model")
    result = tfcert("practice", "submit", "task4", broken)
    assert result.exit_code == 2 and "Traceback" not in result.output
    notice, error = result.stderr.splitlines()[-2:]
    assert notice == "task4 attempt 1 (session 1) recorded as an error: it scores nothing; best so far nothing yet"
    assert error.startswith("error: ") and "broken.keras" in error
    assert task4_row(tfcert("practice", "status").stdout)[-1] == "1 (1 error)"

    typo = tfcert("practice", "submit", "task4", "brokn.keras")
    assert typo.stderr == "error: brokn.keras: no such file or folder; check the path\n"
    assert task4_row(tfcert("practice", "status").stdout)[-1] == "1 (1 error)"  # a typo is not an attempt


@pytest.mark.parametrize("args, message", [
    (["practice", "status"], "error: no active practice session; start one with `tfcert practice start`"),
    (["practice", "end"], "error: no active practice session"),
    (["practice", "submit", "task4", "model.keras"], "error: no active practice session"),
    (["report"], "error: no practice sessions yet; start one with `tfcert practice start`"),
    (["practice", "start", "--tasks", "task4,nope"], "error: unknown task 'nope'"),
    (["practice", "start", "--tasks", " , "], "error: --tasks is empty"),
])
def test_commands_without_the_state_they_need_fail_in_one_line(tfcert, tmp_path, args, message):
    (tmp_path / "model.keras").write_text("never graded")
    result = tfcert(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1, result.stderr


def test_start_refuses_a_second_session_and_a_used_folder(tfcert, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    refused = tfcert("practice", "start", "--dir", "used")
    assert refused.exit_code == 2 and "used: already exists and is not an empty folder" in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "used"]  # nothing half-written
    assert tfcert("practice", "status").exit_code == 2  # and no session recorded

    started = tfcert("practice", "start")  # every task whose data is here, the default folder
    assert started.exit_code == 0
    [workspace] = tmp_path.glob("tfcert-practice-*")
    chosen = practice.choose_tasks(None)
    assert {"task1", "task2", "task3", "task4"} <= {spec.id for spec in chosen}  # builtin data is always here
    starters = {f"{s.id}.py" for s in chosen}  # one per task, even where tasks share a starter (the Dicoding ones)
    assert sorted(p.name for p in workspace.iterdir()) == sorted({"README.md"} | starters)
    again = tfcert("practice", "start")
    assert again.exit_code == 2 and "session 1 is still active" in again.stderr and "tfcert practice end" in again.stderr


def test_the_default_folder_gets_a_suffix_when_taken(tfcert, tmp_path):
    for _ in range(2):
        assert tfcert("practice", "start", "--tasks", "task4").exit_code == 0
        assert tfcert("practice", "end").exit_code == 0
    names = sorted(p.name for p in tmp_path.glob("tfcert-practice-*"))
    assert len(names) == 2 and names[1] == names[0] + "-2"


def test_the_best_counted_attempt_wins():
    def attempt(store, points, value, late=False):
        result = {"points": points, "value": value, "lower_is_better": True}
        return store.insert_attempt(session_id=1, task="task4", submission="m.keras", submitted_at=START,
                                    late=late, result=result)

    with open_store() as store:
        store.insert_session(START, START + 60, "/w", ("task4",))
        attempts = [attempt(store, 2, 3.15), attempt(store, 3, 3.09), attempt(store, 3, 3.02),
                    attempt(store, 1, 3.25), attempt(store, 5, 2.5, late=True),
                    store.insert_attempt(session_id=1, task="task4", submission="x", submitted_at=START, late=False,
                                         message="broken")]
        assert practice.best_attempt(attempts) == attempts[2]  # most points, then the lower MAE
        assert practice.best_attempt(attempts[4:]) is None


def test_an_attempt_that_finishes_after_the_session_ended_does_not_count(monkeypatch, clock, keras):
    graded = grader.grade("task4", naive_forecaster(keras))

    def grade_while_someone_ends_the_session(*args, **kwargs):
        with open_store() as other_terminal:
            practice.end(other_terminal, now=clock)
        return graded

    monkeypatch.setattr(practice, "grade", grade_while_someone_ends_the_session)
    Path("model.keras").write_text("never opened: grade() is replaced")
    with open_store() as store:
        practice.start(store, [grader.task("task4")], 60, Path("ws"), now=clock)
        submitted = practice.submit(store, "task4", Path("model.keras"), now=clock)
    assert submitted.attempt.late and not submitted.attempt.counted
    assert "LATE: submitted after the session ended" in format_submitted(submitted, clock())


def test_two_terminals_submitting_at_once(run_cli, forecasters):
    assert run_cli("practice", "start", "--tasks", "task4", "--dir", "ws").exit_code == 0
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    submits = [
        subprocess.Popen([sys.executable, "-c", "import sys; from grader import cli; cli.main(sys.argv[1:])",
                          "practice", "submit", "task4", str(forecasters[name])],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("naive", "linear")
    ]
    for submit in submits:
        out, errors = submit.communicate(timeout=300)
        assert submit.returncode == 0, errors
        assert ", counted; best so far" in out
    with open_store() as store:
        attempts = store.attempts(store.active_session().id)
        assert sorted(a.submission.rsplit("/", 1)[-1] for a in attempts) == ["linear.keras", "naive.keras"]
        assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_report_shows_a_confusion_matrix_for_classifiers(clock):
    result = GradeResult(
        task="task1", title="Shapes", submission="cnn.keras", mode="file", metric="accuracy",
        metric_label="accuracy", lower_is_better=False, value=0.86, points=4, max_points=5, passed=True,
        pass_points=4, ladder={5: 0.9, 4: 0.85}, baselines=[], diagnostics=["close to 5 points"], test_examples=10,
        figure={"kind": "confusion", "classes": ["circle", "square"], "matrix": [[5, 0], [2, 3]]},
    )
    with open_store() as store:
        session = store.insert_session(START, START + 3600, "/w", ("task1",))
        store.insert_attempt(session_id=session.id, task="task1", submission="cnn.keras", submitted_at=START + 60,
                             late=False, result=result.to_dict())
        report = render_report(practice.standings(store, session), now=clock())
    assert report.plots == 2
    assert 'alt="task1: what attempt 1 predicted"' in report.html
    assert "<li>close to 5 points</li>" in report.html and "<td class=\"word\">4/5</td>" in report.html


def test_status_and_history_do_not_import_tensorflow(tmp_path):
    code = ("import sys\nfrom grader import cli\n"
            "for args in (['practice', 'status'], ['history']):\n"
            "    try: cli.main(args)\n"
            "    except SystemExit: pass\n"
            "print(sorted(m for m in ('tensorflow', 'keras', 'matplotlib') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT,
                          env={**os.environ, "TFCERT_DATA_DIR": str(tmp_path / "data")})
    assert done.stdout.strip().endswith("[]"), done.stdout + done.stderr


def test_default_session_leaves_out_tasks_whose_data_is_missing(tfcert, tmp_path, monkeypatch):
    monkeypatch.setenv("TFCERT_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("TFCERT_DATASETS_DIR", str(tmp_path / "no-datasets"))
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "no-tfds"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "no-keras"))
    started = tfcert("practice", "start")
    assert started.exit_code == 0, started.stderr
    # the builtin tasks: the line problems (generated from their templates' arrays) and task1-4
    assert "started: dicoding-a1, dicoding-b1, dicoding-c1, linear, task1, task2, task3, task4;" in started.stdout
    assert "left out  bbc-news, " in started.stdout and "sunspots" in started.stdout


def test_the_data_dir_given_at_start_is_kept_for_submit_and_status(tfcert, tmp_path, monkeypatch):
    from grader.data.files import datasets_dir
    from grader.errors import SubmissionError

    monkeypatch.delenv("TFCERT_DATASETS_DIR", raising=False)
    (tmp_path / "datasets").mkdir()
    seen = []

    def grade(*args, **kwargs):  # what the grade of `practice submit` would read its data from
        seen.append(datasets_dir())
        raise SubmissionError("stand-in for a grade")

    monkeypatch.setattr(practice, "grade", grade)
    started = tfcert("--data-dir", tmp_path / "datasets", "practice", "start", "--tasks", "task4", "--dir", "ws")
    assert started.exit_code == 0, started.output
    monkeypatch.delenv("TFCERT_DATASETS_DIR")  # the next commands are new processes: no --data-dir
    (tmp_path / "model.keras").write_bytes(b"x")
    submitted = tfcert("practice", "submit", "task4", tmp_path / "model.keras")
    assert submitted.exit_code == 2 and seen == [tmp_path / "datasets"]
    assert datasets_dir() is None  # only for the grade
    status = tfcert("practice", "status")
    assert f"data dir   {tmp_path / 'datasets'}" in status.stdout


def test_the_score_plot_keeps_rung_labels_apart_and_a_line_task_is_drawn_against_x(keras):
    from matplotlib.text import Text

    from grader.report.plots import PlottedAttempt, explain_png, scores_figure

    ladder = {5: 2.9, 4: 3.0, 3: 3.1, 2: 3.2, 1: 3.3}  # a tenth apart, under an attempt far off (MAE 9)
    attempts = [PlottedAttempt(1, 9.0, 0, False), PlottedAttempt(2, 3.05, 3, False)]
    figure = scores_figure(attempts, "MAE", True, ladder, 4)
    figure.draw_without_rendering()
    boxes = list((Text.get_window_extent(text), text.get_text())  # the label's own box, not its leader line
                 for text in figure.axes[0].texts if "pts" in text.get_text())
    boxes.sort(key=lambda box: box[0].y0)
    assert [text for _, text in boxes] == ["5 pts", "4 pts (pass)", "3 pts", "2 pts", "1 pts"]
    boxes = [box for box, _ in boxes]
    assert all(lower.y1 <= upper.y0 for lower, upper in zip(boxes, boxes[1:], strict=False))  # none over another

    line = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    line.layers[-1].set_weights([np.array([[0.9]], "float32"), np.array([1.2], "float32")])
    result = grader.grade("linear", line)
    assert result.figure["kind"] == "line" and min(result.figure["x"]) == -1 and max(result.figure["x"]) == 4
    assert explain_png(result.figure).startswith(PNG_MAGIC)
    report = render_report(practice.Standings(
        practice.Session(1, START, START + 60, None, "ws", ("linear", "fashion-mnist")),
        [practice.TaskStanding("linear", []), practice.TaskStanding("fashion-mnist", [])]), START)
    assert '<td class="word">fashion-mnist</td>' in report.html  # a task id never breaks at its hyphen
