"""The results database (SQLite from the stdlib): practice sessions and their graded attempts.

One file, in WAL mode so readers never wait for a writer; its schema carries a version number
(`PRAGMA user_version`) and is migrated forward when opened. Every write is one short
`BEGIN IMMEDIATE` transaction and `busy_timeout` makes a second writer wait its turn, so two
terminals submitting at once queue instead of failing or corrupting the file.

Example:
    with open_store() as store:                 # data_dir()/tfcert.db unless a path is given
        session = store.active_session()
        attempts = store.attempts(session.id)
"""

import contextlib
import json
import sqlite3
import time
from pathlib import Path

from grader.errors import TfcertError
from grader.paths import data_dir
from grader.store.rows import Attempt, BatchRow, Override, Session

DB_FILE = "tfcert.db"
BUSY_TIMEOUT_MS = 30_000

# MIGRATIONS[n] takes the schema from version n to n + 1; append, never edit a shipped step.
MIGRATIONS: list[tuple[str, ...]] = [
    (  # 1: practice sessions and their attempts
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at REAL NOT NULL,   -- epoch seconds (wall clock), as is every time here
            deadline REAL NOT NULL,
            ended_at REAL,              -- NULL while the session is active
            workspace TEXT NOT NULL,
            tasks TEXT NOT NULL         -- JSON list of task ids
        )""",
        # At most one active session per database, even with two `practice start` racing.
        "CREATE UNIQUE INDEX one_active_session ON sessions ((ended_at IS NULL)) WHERE ended_at IS NULL",
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions (id),
            task TEXT NOT NULL,
            submission TEXT NOT NULL,
            submitted_at REAL NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('graded', 'error')),
            late INTEGER NOT NULL DEFAULT 0,  -- after the deadline: graded but never counted
            points INTEGER,
            value REAL,
            message TEXT,                     -- why grading failed, when status = 'error'
            result TEXT                       -- GradeResult.to_dict() as JSON, figure included
        )""",
        "CREATE INDEX attempts_by_session ON attempts (session_id, task, submitted_at)",
    ),
    (  # 2: where an attempt came from, so batch grading can share the table
        "ALTER TABLE attempts ADD COLUMN source TEXT NOT NULL DEFAULT 'practice'",
    ),
    (  # 3: instructor batch runs; a result is identified by student + sha256 of the file
        """CREATE TABLE batch_runs (
            id INTEGER PRIMARY KEY,
            task TEXT NOT NULL,
            submissions TEXT NOT NULL,  -- absolute path of the submissions folder or zip
            started_at REAL NOT NULL
        )""",
        """CREATE TABLE batch_results (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES batch_runs (id),
            student TEXT NOT NULL,
            file TEXT,
            sha256 TEXT NOT NULL,       -- '' when there is no single file (missing, ambiguous)
            status TEXT NOT NULL,
            message TEXT,
            points INTEGER NOT NULL,
            value REAL,
            passed INTEGER NOT NULL,
            result TEXT,                -- GradeResult.to_dict() as JSON when graded
            graded_at REAL NOT NULL,
            UNIQUE (run_id, student, sha256)
        )""",
    ),
    (  # 4: how a batch run contained submitted code (a sandbox, or --allow-unisolated)
        "ALTER TABLE batch_runs ADD COLUMN sandbox TEXT",
    ),
    (  # 5: a session that is a mock exam keeps its plan (problems, weights, stand-ins) as JSON
        "ALTER TABLE sessions ADD COLUMN exam TEXT",
    ),
    (  # 6: what a session and a batch run keep for later commands: the datasets dir, late rules, overrides
        "ALTER TABLE sessions ADD COLUMN data_dir TEXT",  # the --data-dir in effect at `practice start`
        "ALTER TABLE batch_results ADD COLUMN submitted_at REAL",  # the file's time, for the late rule
        "ALTER TABLE batch_runs ADD COLUMN late_rule TEXT",  # JSON {"deadline", "penalty_per_day"}, or NULL
        "ALTER TABLE batch_runs ADD COLUMN export TEXT",  # JSON: where and what the last export wrote
        """CREATE TABLE batch_overrides (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES batch_runs (id),
            student TEXT NOT NULL,
            points INTEGER NOT NULL,
            note TEXT NOT NULL,
            sha256 TEXT NOT NULL,       -- the file graded when the override was made ('' if none)
            created_at REAL NOT NULL    -- the latest override of a student is the one that applies
        )""",
    ),
    (  # 7: what similarity compares of each graded model (grader.batch.similarity.fingerprint), kept
       # apart from the results so that reading a gradebook never loads it
        """CREATE TABLE batch_evidence (
            run_id INTEGER NOT NULL REFERENCES batch_runs (id),
            student TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            evidence BLOB NOT NULL,     -- weights' fingerprint, answers on the hidden test split (fingerprint.py)
            PRIMARY KEY (run_id, student, sha256)
        )""",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(TfcertError):
    """The results database cannot be used (not a database, newer schema, locked too long)."""


def default_path() -> Path:
    """Where the database lives unless told otherwise: data_dir()/tfcert.db."""
    return data_dir() / DB_FILE


def open_store(path: Path | None = None) -> "Store":
    """Open (creating and migrating as needed) the database at `path` or `default_path()`."""
    path = Path(path) if path else default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)  # autocommit; transactions are explicit
    try:
        connection.row_factory = sqlite3.Row
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA foreign_keys = ON")
        _switch_to_wal_and_migrate(connection, path)
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise StoreError(f"{path}: not a usable tfcert database ({exc}); move it away or pass another --db") from None
    except BaseException:
        connection.close()
        raise
    return Store(connection, path)


def _switch_to_wal_and_migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Turn on WAL and migrate, retrying while another process does the same to a new file.

    Two processes creating one database race to switch it to WAL; SQLite then answers one of
    them "database is locked" at once, without waiting out busy_timeout (it would deadlock
    otherwise). Both steps are idempotent, so retrying until the busy timeout is safe.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            migrate(connection, path)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def migrate(connection: sqlite3.Connection, path: Path) -> int:
    """Bring the schema to SCHEMA_VERSION in one transaction; return the version found before."""
    found = _user_version(connection)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: schema version {found} is newer than this tfcert understands ({SCHEMA_VERSION}); "
            "upgrade tfcert or pass another --db"
        )
    if found < SCHEMA_VERSION:
        connection.execute("BEGIN IMMEDIATE")
        try:
            found = _user_version(connection)  # another process may have migrated while we waited
            for step in MIGRATIONS[found:]:
                for statement in step:
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return found


def _user_version(connection: sqlite3.Connection) -> int:
    return connection.execute("PRAGMA user_version").fetchone()[0]


class Store:
    """An open results database; a context manager that closes it."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self.connection = connection
        self.path = path

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    @contextlib.contextmanager
    def transaction(self):
        """One write transaction that takes the write lock up front (BEGIN IMMEDIATE).

        Reads inside it see the state the writes are based on; any exception rolls it all back.
        """
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"{self.path}: busy for {BUSY_TIMEOUT_MS // 1000} s ({exc}); another tfcert is writing, try again"
            ) from None
        try:
            yield self
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise

    def active_session(self) -> Session | None:
        row = self.connection.execute("SELECT * FROM sessions WHERE ended_at IS NULL").fetchone()
        return _session(row) if row else None

    def session(self, session_id: int) -> Session | None:
        row = self.connection.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return _session(row) if row else None

    def sessions(self) -> list[Session]:
        """Every session, oldest first."""
        return [_session(row) for row in self.connection.execute("SELECT * FROM sessions ORDER BY id")]

    def insert_session(self, started_at: float, deadline: float, workspace: str, tasks: tuple[str, ...],
                       exam: dict | None = None, data_dir: str | None = None) -> Session:
        cursor = self.connection.execute(
            "INSERT INTO sessions (started_at, deadline, workspace, tasks, exam, data_dir) VALUES (?, ?, ?, ?, ?, ?)",
            (started_at, deadline, workspace, json.dumps(list(tasks)), None if exam is None else json.dumps(exam),
             data_dir),
        )
        return self.session(cursor.lastrowid)

    def end_session(self, session_id: int, ended_at: float) -> None:
        self.connection.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (ended_at, session_id))

    def insert_attempt(self, *, session_id: int | None, task: str, submission: str, submitted_at: float,
                       late: bool, result: dict | None = None, message: str | None = None,
                       source: str = "practice") -> Attempt:
        """Record a graded attempt (pass `result`, a GradeResult.to_dict()) or a failed one (`message`)."""
        cursor = self.connection.execute(
            "INSERT INTO attempts (session_id, task, submission, submitted_at, status, late, points, value,"
            " message, result, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, task, submission, submitted_at, "error" if result is None else "graded", int(late),
             None if result is None else result["points"], None if result is None else result["value"],
             message, None if result is None else json.dumps(result), source),
        )
        row = self.connection.execute("SELECT * FROM attempts WHERE id = ?", (cursor.lastrowid,)).fetchone()
        return _attempt(row)

    def batch_run(self, task: str, submissions: str, started_at: float, resume: bool, sandbox: str = "") -> int:
        """The id of the latest run of `task` on `submissions` when resuming (if any), else a new run.

        `sandbox` says how the run's submitted code is contained; a resumed run under another
        sandbox keeps both ("A; then B").
        """
        if resume:
            row = self.connection.execute(
                "SELECT id, sandbox FROM batch_runs WHERE task = ? AND submissions = ? ORDER BY id DESC LIMIT 1",
                (task, submissions)).fetchone()
            if row:
                if sandbox and row["sandbox"] != sandbox:
                    combined = f"{row['sandbox']}; then {sandbox}" if row["sandbox"] else sandbox
                    self.connection.execute("UPDATE batch_runs SET sandbox = ? WHERE id = ?", (combined, row["id"]))
                return row["id"]
        cursor = self.connection.execute(
            "INSERT INTO batch_runs (task, submissions, started_at, sandbox) VALUES (?, ?, ?, ?)",
            (task, submissions, started_at, sandbox or None))
        return cursor.lastrowid

    def batch_sandbox(self, run_id: int) -> str | None:
        """How a batch run's submitted code was contained, as recorded."""
        row = self.connection.execute("SELECT sandbox FROM batch_runs WHERE id = ?", (run_id,)).fetchone()
        return row["sandbox"] if row else None

    def graded_keys(self, run_id: int) -> set[tuple[str, str]]:
        """(student, sha256) of every result already stored for a run: what --resume skips."""
        rows = self.connection.execute("SELECT student, sha256 FROM batch_results WHERE run_id = ?", (run_id,))
        return {(row["student"], row["sha256"]) for row in rows}

    def insert_batch_row(self, run_id: int, row: BatchRow) -> None:
        """Store one BatchRow; a second row for the same (student, sha256) is ignored, never doubled."""
        self.connection.execute(
            "INSERT OR IGNORE INTO batch_results (run_id, student, file, sha256, status, message, points, value,"
            " passed, result, graded_at, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, row.student, row.file, row.sha256, row.status, row.message, row.points, row.value,
             int(row.passed), json.dumps(row.result) if row.result is not None else None, row.graded_at,
             row.submitted_at),
        )

    def batch_run_task(self, run_id: int) -> str | None:
        """The task a batch run graded, or None when there is no such run."""
        row = self.connection.execute("SELECT task FROM batch_runs WHERE id = ?", (run_id,)).fetchone()
        return row["task"] if row else None

    def set_batch_settings(self, run_id: int, *, late_rule: dict | None = None, export: dict | None = None) -> None:
        """Keep a run's late rule ({"deadline", "penalty_per_day"}) and/or what its last export wrote."""
        if late_rule is not None:
            self.connection.execute("UPDATE batch_runs SET late_rule = ? WHERE id = ?", (json.dumps(late_rule), run_id))
        if export is not None:
            self.connection.execute("UPDATE batch_runs SET export = ? WHERE id = ?", (json.dumps(export), run_id))

    def batch_settings(self, run_id: int) -> tuple[dict | None, dict | None]:
        """(late rule, last export) of a run, as set_batch_settings kept them."""
        row = self.connection.execute("SELECT late_rule, export FROM batch_runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return None, None
        return (json.loads(row["late_rule"]) if row["late_rule"] else None,
                json.loads(row["export"]) if row["export"] else None)

    def insert_override(self, run_id: int, override: Override) -> None:
        """Record an instructor's grade for a student; the latest one of a student applies."""
        self.connection.execute(
            "INSERT INTO batch_overrides (run_id, student, points, note, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, override.student, override.points, override.note, override.sha256, override.created_at))

    def overrides(self, run_id: int) -> dict[str, Override]:
        """The override that applies to each overridden student of a run (the latest)."""
        rows = self.connection.execute(
            "SELECT * FROM batch_overrides WHERE run_id = ? ORDER BY created_at, id", (run_id,))
        return {row["student"]: Override(row["student"], row["points"], row["note"], row["sha256"],
                                         row["created_at"]) for row in rows}
    def insert_batch_evidence(self, run_id: int, student: str, sha256: str, evidence: bytes) -> None:
        """Store what similarity compares of a graded submission; a second copy is ignored."""
        self.connection.execute(
            "INSERT OR IGNORE INTO batch_evidence (run_id, student, sha256, evidence) VALUES (?, ?, ?, ?)",
            (run_id, student, sha256, evidence))

    def batch_evidence(self, run_id: int) -> dict[tuple[str, str], bytes]:
        """(student, sha256) -> the stored evidence of every graded submission of a run that has one."""
        rows = self.connection.execute("SELECT student, sha256, evidence FROM batch_evidence WHERE run_id = ?",
                                       (run_id,))
        return {(row["student"], row["sha256"]): bytes(row["evidence"]) for row in rows}

    def batch_rows(self, run_id: int) -> list[BatchRow]:
        """Every stored row of a run (all versions of every student's file), oldest first."""
        rows = self.connection.execute("SELECT * FROM batch_results WHERE run_id = ? ORDER BY id", (run_id,))
        return [batch_row(row) for row in rows]

    def attempts(self, session_id: int) -> list[Attempt]:
        """The attempts of a session in the order they were submitted."""
        rows = self.connection.execute(
            "SELECT * FROM attempts WHERE session_id = ? ORDER BY submitted_at, id", (session_id,))
        return [_attempt(row) for row in rows]


def _session(row: sqlite3.Row) -> Session:
    return Session(id=row["id"], started_at=row["started_at"], deadline=row["deadline"], ended_at=row["ended_at"],
                   workspace=row["workspace"], tasks=tuple(json.loads(row["tasks"])),
                   exam=json.loads(row["exam"]) if row["exam"] else None, data_dir=row["data_dir"])


def _attempt(row: sqlite3.Row) -> Attempt:
    return Attempt(
        id=row["id"], session_id=row["session_id"], task=row["task"], submission=row["submission"],
        submitted_at=row["submitted_at"], status=row["status"], late=bool(row["late"]), points=row["points"],
        value=row["value"], message=row["message"], result=json.loads(row["result"]) if row["result"] else None,
        source=row["source"],
    )


def batch_row(row: sqlite3.Row) -> BatchRow:
    """A stored batch result as a BatchRow."""
    return BatchRow(
        student=row["student"], file=row["file"], sha256=row["sha256"], status=row["status"],
        message=row["message"], points=row["points"], value=row["value"], passed=bool(row["passed"]),
        result=json.loads(row["result"]) if row["result"] else None, graded_at=row["graded_at"],
        submitted_at=row["submitted_at"],
    )
