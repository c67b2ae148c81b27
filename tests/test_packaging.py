"""Packaging: the wheel and what it carries, and `tfcert starter`.

The slow tests build the wheel from this checkout without build isolation (nothing is
downloaded), install it into a fresh venv that sees the installed dependencies
(--system-site-packages, --no-deps), and run that venv's `tfcert` from a temporary folder outside
the repository with no PYTHONPATH, so the installed copy is what runs.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import single_error

from grader import resources
from grader.sandbox.runner import child_pythonpath
from grader.spec import PROJECT_ROOT, TASKS_DIR_ENV, project_file

# The installed copy must run, not this checkout, whatever the test process was started with.
CLEAN_ENV = {name: value for name, value in os.environ.items()
             if name not in ("PYTHONPATH", TASKS_DIR_ENV, "TFCERT_SECRET")}


def shipped_files() -> set[str]:
    """The resource files of the checkout, as paths relative to the resources root."""
    return {str(path.relative_to(PROJECT_ROOT)) for folder in resources.FOLDERS
            for path in (PROJECT_ROOT / folder).rglob("*") if path.is_file() and "__pycache__" not in path.parts}


def make_venv(folder: Path, wheel: Path) -> Path:
    """A fresh venv seeing the installed dependencies, with `wheel` installed in it; return the venv."""
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(folder)], check=True, env=CLEAN_ENV)
    subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    str(wheel)], check=True, env=CLEAN_ENV, capture_output=True)
    return folder


def run_in(venv: Path, program: str, *args, cwd: Path, env=None, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / program), *map(str, args)], cwd=cwd, env=env or CLEAN_ENV,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    into = tmp_path_factory.mktemp("wheel")
    copy = into / "source"  # a clean copy: no stale build/ folder of the checkout
    shutil.copytree(PROJECT_ROOT, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".git"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "--wheel-dir", str(into), str(copy)], check=True, capture_output=True)
    return next(into.glob("tfcert-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory):
    return make_venv(tmp_path_factory.mktemp("venv") / "tfcert", wheel)


# ---- the checkout: package list, resources, the child's path ----------------------------------------------------

def test_pyproject_lists_every_package_and_maps_the_resources():
    from setuptools.config.pyprojecttoml import read_configuration

    setuptools = read_configuration(PROJECT_ROOT / "pyproject.toml")["tool"]["setuptools"]
    found = {".".join(path.parent.relative_to(PROJECT_ROOT).parts) for path in (PROJECT_ROOT / "grader").rglob("__init__.py")}
    mapped = {f"grader.resources.{folder}": folder for folder in resources.FOLDERS}
    missing = found - set(setuptools["packages"])
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"
    assert set(setuptools["packages"]) == found | set(mapped)
    assert setuptools["package-dir"] == mapped


def test_a_checkout_finds_its_files_at_the_top_of_the_repository():
    assert resources.root() == PROJECT_ROOT == Path(__file__).resolve().parents[1]
    assert project_file("starter/task4.py") == PROJECT_ROOT / "starter" / "task4.py"
    assert child_pythonpath() == str(PROJECT_ROOT)  # grader and the solutions' helpers, both here


def test_an_authors_folder_comes_first_for_the_files_its_specs_name(tmp_path, monkeypatch):
    (tmp_path / "tasks").mkdir()
    (tmp_path / "starter").mkdir()
    (tmp_path / "starter" / "mine.py").write_text("# the author's own starter\n")
    monkeypatch.setenv(TASKS_DIR_ENV, str(tmp_path / "tasks"))
    assert project_file("starter/mine.py") == tmp_path / "starter" / "mine.py"
    assert project_file("starter/task4.py") == PROJECT_ROOT / "starter" / "task4.py"  # else tfcert's own
    assert project_file("starter/nowhere.py") == PROJECT_ROOT / "starter" / "nowhere.py"


# ---- tfcert starter ---------------------------------------------------------------------------------------------

def test_starter_writes_the_file_and_never_replaces_one_unless_forced(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expected = (PROJECT_ROOT / "starter" / "task4.py").read_text()
    result = run_cli("starter", "task4")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "task4.py").read_text() == expected and "tfcert grade task4 task4.py" in result.stdout
    (tmp_path / "mine.py").write_text("my work\n")
    result = run_cli("starter", "task4", "--out", "mine.py")
    assert result.exit_code == 2 and "already exists" in single_error(result) and "--force" in result.stderr
    assert (tmp_path / "mine.py").read_text() == "my work\n"
    assert run_cli("starter", "task4", "--out", "mine.py", "--force").exit_code == 0
    assert (tmp_path / "mine.py").read_text() == expected
    result = run_cli("starter", "task4", "--out", tmp_path)
    assert result.exit_code == 2 and "is a folder" in single_error(result)
    assert run_cli("starter", "nope").exit_code == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mine.py", "task4.py"]  # no temporary left


# ---- the wheel, installed -----------------------------------------------------------------------------------------

def test_the_wheel_carries_the_specs_starters_solutions_and_licence(wheel):
    with zipfile.ZipFile(wheel) as opened:
        names = set(opened.namelist())
        metadata = opened.read("tfcert-0.1.0.dist-info/METADATA").decode()
    assert {f"grader/resources/{name}" for name in shipped_files()} <= names
    assert {"grader/resources/tasks/task3.vocab.txt", "grader/resources/tasks/exam/sunspots.yaml",
            "tfcert-0.1.0.dist-info/licenses/LICENSE"} <= names
    assert not [name for name in names if "__pycache__" in name or name.startswith(("tests/", "bench/"))]
    assert "License-Expression: Apache-2.0" in metadata and "Requires-Python: >=3.10" in metadata


def test_the_installed_wheel_works_from_any_folder(venv, tmp_path, model_files):
    """tasks, show, starter, grade a model file, grade the installed reference solution (train mode)."""
    where = run_in(venv, "python", "-c", "import grader, grader.resources as r; print(grader.__file__); print(r.root())",
                   cwd=tmp_path)
    package, root = where.stdout.split()
    assert package.startswith(str(venv)) and root.startswith(str(venv)), where  # not the checkout, not main
    listed = run_in(venv, "tfcert", "tasks", cwd=tmp_path)
    assert listed.returncode == 0 and re.search(r"^task4 ", listed.stdout, re.MULTILINE), listed.stderr
    shown = run_in(venv, "tfcert", "show", "task4", cwd=tmp_path)
    assert shown.returncode == 0 and "starter     starter/task4.py" in shown.stdout, shown.stderr
    started = run_in(venv, "tfcert", "starter", "task4", cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    assert (tmp_path / "task4.py").read_text() == (PROJECT_ROOT / "starter" / "task4.py").read_text()
    graded = run_in(venv, "tfcert", "grade", "task4", model_files["keras"], "--json", cwd=tmp_path)
    assert graded.returncode == 0 and json.loads(graded.stdout)["mode"] == "file", graded.stderr
    trained = run_in(venv, "tfcert", "grade", "task4", Path(root) / "solutions" / "task4.py", "--json",
                     "--time-limit", "600", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr[-3000:]
    result = json.loads(trained.stdout)
    assert result["mode"] == "train" and result["passed"], result
