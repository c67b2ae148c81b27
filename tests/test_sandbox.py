"""The sandbox's choices a user sees: tfcert doctor, the mechanism setting, batch's refusal without a view."""

import os
from pathlib import Path

import pytest

import grader
from grader.batch.run import BatchError, BatchOptions, run_batch
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.view import available_mechanisms, view_plan
from grader.store.db import open_store

MECHANISMS = available_mechanisms()
TINY_SOLUTION = """
import keras

def solution_model():
    return keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
"""


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_doctor_finds_every_property_contained(mechanism, run_cli, monkeypatch):
    monkeypatch.setenv("TFCERT_ISOLATION", mechanism)
    result = run_cli("doctor")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"isolated: submitted code runs in a private sandbox ({mechanism})"
    table = lines[lines.index(next(line for line in lines if "what the probe saw" in line)) + 1:]
    assert len(table) == 9 and all(line.split()[-1] != "NO" and " NO " not in line for line in table), table


def test_doctor_says_plainly_when_nothing_is_isolated(run_cli, monkeypatch):
    monkeypatch.setenv("TFCERT_ISOLATION", "none")
    result = run_cli("doctor")
    assert result.exit_code == 0
    assert result.stdout.startswith("NOT ISOLATED")
    for words in ("network", "your $HOME", "writing outside its workdir"):
        line = next(line for line in result.stdout.splitlines() if words in line)
        assert " NO " in line, line


def test_an_unknown_mechanism_is_one_line_with_exit_2(run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("TFCERT_ISOLATION", "chroot")
    solution = tmp_path / "solution.py"
    solution.write_text(TINY_SOLUTION)
    result = run_cli("grade", "task4", solution)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: TFCERT_ISOLATION='chroot': use one of bwrap")


def test_batch_refuses_code_without_a_sandbox_unless_allowed(tmp_path, monkeypatch):
    monkeypatch.setenv("TFCERT_ISOLATION", "none")
    folder = tmp_path / "submissions"
    folder.mkdir()
    (folder / "ada.py").write_text(TINY_SOLUTION)
    options = BatchOptions(out=tmp_path / "out", workers=1, formats=("csv",), db=tmp_path / "results.db")
    with pytest.raises(BatchError, match=r"1 submissions run code .*pass --allow-unisolated") as refused:
        run_batch(grader.task("task4"), folder, options)
    assert "\n" not in str(refused.value)
    allowed = run_batch(grader.task("task4"), folder, BatchOptions(**{**options.__dict__, "allow_unisolated": True}))
    assert [row.status for row in allowed.rows] == ["graded"]
    with open_store(tmp_path / "results.db") as store:
        assert store.batch_sandbox(1).startswith("none: --allow-unisolated")  # the refused run never began
        assert store.batch_sandbox(2) is None


def test_model_files_need_no_sandbox(tmp_path, monkeypatch, keras):
    monkeypatch.setenv("TFCERT_ISOLATION", "none")
    folder = tmp_path / "submissions"
    folder.mkdir()
    keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]).save(folder / "ada.keras")
    summary = run_batch(grader.task("task4"), folder,
                        BatchOptions(out=tmp_path / "out", workers=1, formats=("csv",), db=tmp_path / "results.db"))
    assert [row.status for row in summary.rows] == ["graded"] and summary.sandbox == "not needed"


def test_the_view_never_exposes_home_or_tmp_whole(tmp_path):
    for broad in (Path.home(), Path("/tmp"), Path("/")):
        with pytest.raises(ValueError, match="expos"):
            view_plan(tmp_path, [broad])
    with pytest.raises(FileNotFoundError):
        view_plan(tmp_path, [tmp_path / "missing"])


def test_the_default_cpu_bound_never_stops_honest_work_before_the_wall_clock():
    assert SandboxLimits(300, 4096).cpu_limit == 300 * (os.cpu_count() or 1)
    assert SandboxLimits(300, 4096, cpu_seconds=12.5).cpu_limit == 13
