"""The hidden split dies with its batch: a batch killed with SIGKILL leaves no copy of it, targets included.

It used to stay in /tmp/tfcert-batch-*/test-split (mode 0700) until someone deleted it; it now
lives in memfds held by the batch and its workers, which die with it (PR_SET_PDEATHSIG).
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import small_forecaster

BATCH = "import sys; from grader.cli import main; sys.exit(main())"


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.append(int(entry.name))
    return found


def split_descriptors(pid: int) -> list[str]:
    """The memfds of a hidden test split that process `pid` holds (none once it is gone)."""
    try:
        links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return []
    return [link for link in links if "tfcert-test-split" in link]


def split_files(scratch: Path) -> list[Path]:
    """Copies of a split left as files in the batch's temporary folder (where one used to stay after a kill)."""
    return [path for path in scratch.rglob("*") if path.suffix == ".npy" or "split" in path.name]


def rows_stored(database: Path) -> int:
    try:
        with sqlite3.connect(database) as connection:
            return connection.execute("SELECT COUNT(*) FROM batch_results").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_a_killed_batch_leaves_no_copy_of_the_hidden_split(keras, tmp_path):
    scratch, folder = tmp_path / "tmp", tmp_path / "submissions"
    scratch.mkdir()
    folder.mkdir()
    for index in range(12):
        small_forecaster(keras, seed=index).save(folder / f"student{index:02d}.keras")
    env = {**os.environ, "TMPDIR": str(scratch), "TFCERT_SECRET": "instructor-only",
           "TFCERT_DATA_DIR": str(tmp_path / "data")}
    database = tmp_path / "results.db"
    batch = subprocess.Popen([sys.executable, "-c", BATCH, "batch", "task4", str(folder), "--out", str(tmp_path / "out"),
                              "--workers", "2", "--db", str(database)], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while rows_stored(database) == 0 and batch.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)  # until a worker holds the split and has graded with it
        workers = children_of(batch.pid)
        held = any(split_descriptors(pid) for pid in [batch.pid, *workers]) or split_files(scratch)
        assert batch.poll() is None and held, "the batch ended (or never held a split) before it could be killed"
        batch.send_signal(signal.SIGKILL)
        batch.wait()
        deadline = time.monotonic() + 30
        while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in workers if split_descriptors(pid)], "a worker outlived its batch, split and all"
        assert not split_files(scratch), split_files(scratch)
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
            batch.wait()
