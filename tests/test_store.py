"""The results database: schema versions and migrations, WAL, and writers in parallel processes."""

import json
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from grader.spec import PROJECT_ROOT
from grader.store.db import SCHEMA_VERSION, StoreError, default_path, open_store

# The schema as version 1 shipped it, written out here so later edits to MIGRATIONS cannot hide
# a migration that no longer applies to real old databases.
VERSION_1_SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY, started_at REAL NOT NULL, deadline REAL NOT NULL, ended_at REAL,
    workspace TEXT NOT NULL, tasks TEXT NOT NULL);
CREATE UNIQUE INDEX one_active_session ON sessions ((ended_at IS NULL)) WHERE ended_at IS NULL;
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY, session_id INTEGER REFERENCES sessions (id), task TEXT NOT NULL,
    submission TEXT NOT NULL, submitted_at REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('graded', 'error')), late INTEGER NOT NULL DEFAULT 0,
    points INTEGER, value REAL, message TEXT, result TEXT);
CREATE INDEX attempts_by_session ON attempts (session_id, task, submitted_at);
INSERT INTO sessions VALUES (1, 1000.0, 4600.0, 2000.0, '/old/workspace', '["task4"]');
INSERT INTO attempts VALUES (1, 1, 'task4', 'old.keras', 1500.0, 'graded', 0, 3, 3.05, NULL,
                             '{"points": 3, "value": 3.05, "lower_is_better": true}');
PRAGMA user_version = 1;
"""

WRITER = textwrap.dedent("""
    import sys, time
    from grader.store.db import open_store
    path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open_store(path) as store:
        for number in range(count):
            with store.transaction():
                store.insert_attempt(session_id=None, task=tag, submission=f"{tag}-{number}",
                                     submitted_at=time.time(), late=False, message="stress")
""")


@pytest.fixture(autouse=True)
def private_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("TFCERT_DATA_DIR", str(tmp_path / "data"))


def test_a_new_database_is_current_in_wal_mode_under_the_data_dir(tmp_path):
    with open_store() as store:
        assert store.path == default_path() == tmp_path / "data" / "tfcert.db"
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.sessions() == []


def test_a_version_1_database_migrates_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.executescript(VERSION_1_SCHEMA)
    with open_store(path) as store:
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        [session] = store.sessions()
        [attempt] = store.attempts(session.id)
        assert (session.tasks, session.ended_at, session.workspace) == (("task4",), 2000.0, "/old/workspace")
        assert (attempt.submission, attempt.points, attempt.value, attempt.counted) == ("old.keras", 3, 3.05, True)
        assert attempt.result == {"points": 3, "value": 3.05, "lower_is_better": True}
        assert attempt.source == "practice"  # the column version 2 added, filled for old rows
        assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with open_store(path) as again:  # opening a current database changes nothing
        assert len(again.attempts(1)) == 1


def test_a_newer_schema_is_refused_with_the_fix(tmp_path, run_cli):
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as future:
        future.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="schema version 99 is newer .* upgrade tfcert"):
        open_store(path)
    result = run_cli("history", "--db", path)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not sqlite " * 100)
    with pytest.raises(StoreError, match="not a usable tfcert database"):
        open_store(path)


def test_a_failed_transaction_writes_nothing():
    with open_store() as store:
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.insert_session(0.0, 60.0, "/w", ("task4",))
                raise RuntimeError("workspace could not be written")
        assert store.sessions() == []


def test_one_active_session_at_most_even_without_the_check():
    with open_store() as store:
        store.insert_session(0.0, 60.0, "/a", ("task4",))
        with pytest.raises(sqlite3.IntegrityError):
            store.insert_session(1.0, 61.0, "/b", ("task4",))


def test_writers_in_parallel_processes_all_land(tmp_path):
    path = tmp_path / "shared.db"  # fresh: the processes also race to create and migrate it
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag, "150"], cwd=PROJECT_ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for tag in ("left", "right")
    ]
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors
    with open_store(path) as store:
        counts = dict(store.connection.execute("SELECT task, count(*) FROM attempts GROUP BY task").fetchall())
        assert counts == {"left": 150, "right": 150}
        assert store.connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_results_round_trip_as_json():
    result = {"points": 4, "value": 0.87, "figure": {"kind": "confusion", "classes": ["a"], "matrix": [[3]]}}
    with open_store() as store:
        attempt = store.insert_attempt(session_id=None, task="task1", submission="m.keras", submitted_at=5.0,
                                       late=False, result=result)
        assert (attempt.status, attempt.points, attempt.value, attempt.result) == ("graded", 4, 0.87, result)
        assert json.loads(store.connection.execute("SELECT result FROM attempts").fetchone()[0]) == result
