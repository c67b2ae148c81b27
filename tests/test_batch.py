"""Instructor batch grading: discovery, workers, the stored gradebook, resume after SIGKILL."""

import contextlib
import csv
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import naive_forecaster, small_forecaster

import grader
from grader.batch.run import BatchOptions, discover, read_roster, run_batch
from grader.batch.shared_split import SharedSplit
from grader.batch.workers import Job, LocalExecutor
from grader.data import hidden_test_split
from grader.sandbox.view import available_mechanisms
from grader.spec import PROJECT_ROOT


def make_class(folder: Path, keras, students: int) -> Path:
    """A submissions folder: model files, a student folder, a broken file, an ambiguous folder."""
    folder.mkdir()
    for index in range(students):
        small_forecaster(keras, seed=index).save(folder / f"student{index:02d}.keras")
    (folder / "nested").mkdir()
    naive_forecaster(keras).save(folder / "nested" / "final.h5")
    (folder / "broken.h5").write_bytes(b"not a model")
    (folder / "twofiles").mkdir()
    for name in ("a.keras", "b.keras"):
        small_forecaster(keras).save(folder / "twofiles" / name)
    (folder / "empty").mkdir()
    (folder / "notes.txt").write_text("ignored")
    return folder


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TFCERT_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_discovery_of_layouts_and_roster(tmp_path, keras):
    root = make_class(tmp_path / "subs", keras, 2)
    found = {item.student: item for item in discover(root)}
    assert found["student00"].path == root / "student00.keras"
    assert found["nested"].path == root / "nested" / "final.h5"
    assert found["twofiles"].status == "ambiguous" and "a.keras, b.keras" in found["twofiles"].message
    assert found["empty"].status == "missing"
    assert "notes" not in found
    roster = tmp_path / "roster.csv"
    roster.write_text("Student_ID,name\r\nstudent00,Ada\r\nghost,Nobody\r\n")
    assert read_roster(roster) == ["student00", "ghost"]


def test_batch_grades_stores_and_exports(tmp_path, keras, data_dir, run_cli):
    root = make_class(tmp_path / "subs", keras, 4)
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nstudent00\nghost\n")
    out = tmp_path / "out"
    result = run_cli("batch", "task4", root, "--roster", roster, "--workers", "2", "--out", out)
    assert result.exit_code == 0, result.stderr[-1500:]
    assert "9 students" in result.stdout and "graded now 6, already stored 0" in result.stdout
    with open(out / "gradebook.csv", newline="") as file:
        rows = {row["student"]: row for row in csv.DictReader(file)}
    assert rows["ghost"]["status"] == "missing" and rows["twofiles"]["status"] == "ambiguous"
    assert rows["broken"]["status"] == "error" and "not a valid HDF5 file" in rows["broken"]["message"]
    direct = grader.grade("task4", str(root / "student01.keras"))
    assert float(rows["student01"]["metric"]) == pytest.approx(direct.value)
    assert int(rows["student01"]["points"]) == direct.points
    assert int(rows["nested"]["points"]) <= 1  # the naive forecast

    again = run_cli("batch", "task4", root, "--roster", roster, "--out", out, "--resume")
    assert "graded now 0" in again.stdout
    small_forecaster(keras, seed=99).save(root / "student02.keras")  # a changed file is regraded
    changed = run_cli("batch", "task4", root, "--roster", roster, "--out", out, "--resume")
    assert "graded now 1" in changed.stdout


def test_a_zip_of_a_folder_is_a_submissions_source(tmp_path, keras, data_dir):
    root = make_class(tmp_path / "subs", keras, 1)
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in root.rglob("*"):
            bundle.write(path, Path("subs") / path.relative_to(root))
    summary = run_batch(grader.task("task4"), archive, BatchOptions(out=tmp_path / "out", workers=1, formats=("csv",)))
    assert {row.student for row in summary.rows} == {"student00", "nested", "broken", "twofiles", "empty"}


def test_workers_replace_a_crashed_or_overrunning_worker(tmp_path, keras):
    spec = grader.task("task4")
    test = hidden_test_split(spec)
    model = tmp_path / "m.keras"
    small_forecaster(keras).save(model)
    slow = tmp_path / "slow.keras"  # under the 2M-parameter limit, but seconds to predict the test windows
    keras.Sequential([keras.Input((30, 1)), keras.layers.LSTM(690), keras.layers.Dense(1)]).save(slow)

    split = SharedSplit()
    split.fill(test)
    with LocalExecutor(grader.task("task4"), split, workers=1) as executor:
        limits = {"overrun": 0.5, "next": 120}
        outcomes = {o.key: o for o in executor.run([Job("overrun", slow), Job("next", model)], lambda job: limits[job.key])}
    assert outcomes["overrun"].status == "timeout"
    assert outcomes["next"].status == "graded"  # a fresh worker took over

    split = SharedSplit()
    split.fill(test)
    with LocalExecutor(grader.task("task4"), split, workers=1) as executor:
        def kill_soon(job):
            if job.key == "victim":  # the worker dies mid-job, as on a segfault or an OOM kill
                worker = executor._pool[0]
                threading.Timer(1.0, os.kill, (worker.process.pid, signal.SIGKILL)).start()
            return 120

        outcomes = {o.key: o for o in executor.run([Job("victim", slow), Job("after", model)], kill_soon)}
    assert outcomes["victim"].status == "crashed" and "died" in outcomes["victim"].message
    assert outcomes["after"].status == "graded"


def test_killed_batch_resumes_without_losing_or_duplicating(tmp_path, keras, data_dir):
    root = make_class(tmp_path / "subs", keras, 30)  # enough work to be caught mid-way
    out = tmp_path / "out"
    command = [sys.executable, "-m", "grader.cli", "batch", "task4", str(root),
               "--workers", "2", "--out", str(out)]
    env = dict(os.environ, TFCERT_DATA_DIR=str(data_dir))
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    database = data_dir / "tfcert.db"
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        if database.exists():
            with sqlite3.connect(database) as connection:
                try:
                    stored = connection.execute("SELECT COUNT(*) FROM batch_results WHERE status = 'graded'").fetchone()[0]
                except sqlite3.OperationalError:
                    stored = 0
            if stored >= 3:
                break
        time.sleep(0.2)
    assert process.poll() is None, "the batch finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)  # the batch and its workers, mid-way
    process.wait()
    with sqlite3.connect(database) as connection:
        stored_files = connection.execute("SELECT COUNT(*) FROM batch_results WHERE sha256 != ''").fetchone()[0]
    files = 32  # 30 students, a nested folder, a broken file (ambiguous and empty folders have none)
    assert 3 <= stored_files < files

    summary = run_batch(grader.task("task4"), root, BatchOptions(out=out, workers=2, resume=True, formats=("csv",)))
    assert summary.graded_now == files - stored_files  # only what was not stored
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT student, sha256, COUNT(*) FROM batch_results GROUP BY student, sha256").fetchall()
    assert all(count == 1 for _, _, count in rows)  # nothing duplicated
    assert {student for student, _, _ in rows} == {item.student for item in discover(root)}  # nothing lost
    assert len(rows) == len(summary.rows) == 34


SLOW_SOLUTION = """
import time


def solution_model():
    time.sleep(600)  # still training when the batch is killed
"""


@pytest.mark.skipif(not available_mechanisms(), reason="batch refuses solution files without a sandbox")
def test_a_killed_batch_leaves_no_worker_or_training_child_behind(tmp_path, data_dir):
    root = tmp_path / "subs"
    root.mkdir()
    for student in ("ann", "bob"):
        (root / f"{student}.py").write_text(SLOW_SOLUTION)
    command = [sys.executable, "-m", "grader.cli", "batch", "task4", str(root), "--workers", "2",
               "--out", str(tmp_path / "out")]
    env = dict(os.environ, TFCERT_DATA_DIR=str(data_dir))
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    tree: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not _training(tree := descendants(process.pid)):
            time.sleep(0.5)
        assert _training(tree), "the solutions never started training"
        os.killpg(process.pid, signal.SIGKILL)  # the batch only: its workers run in their own sessions
        process.wait()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(alive(pid) for pid in tree):
            time.sleep(0.2)
        survivors = {pid: _command_line(pid)[:200] for pid in tree if alive(pid)}
        assert not survivors, f"processes outlived the killed batch: {survivors}"
    finally:
        for pid in tree | {process.pid}:  # whatever is left when an assertion failed
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        process.wait()


def _training(tree: set[int]) -> bool:
    """Whether two training children run: processes three levels below a worker (runner, sandbox, child)."""
    return sum("solution" in _command_line(pid) or "train_child" in _command_line(pid) for pid in tree) >= 2


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def descendants(root: int) -> set[int]:
    """Every process below `root` (from /proc), at this moment."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            parents.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(int(stat.parent.name))
    found, todo = set(), [root]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its reaper does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_savedmodel_submissions_are_discovered_and_graded(tmp_path, keras, data_dir):
    root = make_class(tmp_path / "subs", keras, 1)
    small_forecaster(keras, seed=5).export(root / "exporter", verbose=False)
    (root / "folder").mkdir()
    small_forecaster(keras, seed=6).export(root / "folder" / "my_model", verbose=False)
    summary = run_batch(grader.task("task4"), root, BatchOptions(out=tmp_path / "out", workers=2, formats=("csv",)))
    rows = {row.student: row for row in summary.rows}
    for student, path in (("exporter", root / "exporter"), ("folder", root / "folder" / "my_model")):
        assert rows[student].status == "graded" and rows[student].result["mode"] == "savedmodel"
        assert rows[student].value == grader.grade("task4", str(path)).value


def _summarize(summary) -> list[tuple]:
    return [(r.student, r.status, r.points, r.value, r.message) for r in summary.rows]


def test_ray_executor_gives_the_same_results_as_local_workers(tmp_path, keras, data_dir):
    pytest.importorskip("ray")
    root = make_class(tmp_path / "subs", keras, 3)
    small_forecaster(keras, seed=7).export(root / "exported", verbose=False)  # travels zipped
    spec = grader.task("task4")
    local = run_batch(spec, root, BatchOptions(out=tmp_path / "local", workers=2, formats=("csv",),
                                               db=tmp_path / "local.db"))
    on_ray = run_batch(spec, root, BatchOptions(out=tmp_path / "ray", workers=2, formats=("csv",),
                                                db=tmp_path / "ray.db", executor="ray"))
    assert _summarize(on_ray) == _summarize(local)
    assert on_ray.graded_now == local.graded_now == 6  # 3 students, a nested folder, a broken file, a SavedModel


def test_batch_scores_normalized_forecasts_as_a_single_grade_does(tmp_path, keras, data_dir, real_data_env):
    """sunspots feeds normalized windows and scores raw MAE: batch workers must map forecasts back too."""
    folder = tmp_path / "subs"
    folder.mkdir()
    keras.Sequential([keras.Input((None, 1)), keras.layers.Identity()]).save(folder / "last_value.keras")
    single = grader.grade("sunspots", folder / "last_value.keras")
    summary = run_batch(grader.task("sunspots"), folder, BatchOptions(out=tmp_path / "out", workers=1, formats=("csv",)))
    (row,) = summary.rows
    assert row.status == "graded" and row.value == pytest.approx(single.value) == pytest.approx(16.136, abs=0.01)
