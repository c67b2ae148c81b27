"""Packaging: the wheel and what it carries, `tfcert starter`, the Gradescope autograder, the Dockerfile.

The slow tests build the wheel from this checkout without build isolation (nothing is
downloaded), install it into a fresh venv that sees the installed dependencies
(--system-site-packages, --no-deps), and run that venv's `tfcert` from a temporary folder outside
the repository with no PYTHONPATH, so the installed copy is what runs.
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import check_gradescope_results, single_error

from grader import resources
from grader.gradescope import autograder
from grader.gradescope.wheel import BUILD_INPUTS, WheelError, source_archive
from grader.sandbox.runner import child_pythonpath
from grader.spec import PROJECT_ROOT, TASKS_DIR_ENV, project_file

SECRET = "a long random class secret"
READS_REFERENCE = """
import pathlib
import keras
import grader.resources

def solution_model():
    for candidate in (pathlib.Path("{root}", "source", "solutions", "task4.py"),
                      grader.resources.root() / "solutions" / "task4.py"):
        try:
            candidate.read_text()
        except OSError:
            continue
        raise RuntimeError(f"ESCAPED: read {{candidate}}")
    return keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
"""
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


def unpack(archive: Path, into: Path) -> None:
    """Unzip as Gradescope does, keeping each member's file mode (zipfile alone drops it)."""
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            opened.extract(info, into)
            os.chmod(into / info.filename, (info.external_attr >> 16) & 0o777)


def build_wheel(source: Path, into: Path) -> Path:
    """The wheel of `source` (a checkout or its source archive), built with this Python's setuptools, offline."""
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                           "--wheel-dir", str(into), str(source)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = into.glob("tfcert-*.whl")
    return wheel


def copy_of_checkout(into: Path) -> Path:
    """The checkout's build inputs alone (no build/ or egg-info of ours can slip in)."""
    into.mkdir(parents=True, exist_ok=True)
    for name in BUILD_INPUTS:
        if (PROJECT_ROOT / name).is_dir():
            shutil.copytree(PROJECT_ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(PROJECT_ROOT / name, into / name)
    return into


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_wheel(copy_of_checkout(tmp_path_factory.mktemp("checkout")), tmp_path_factory.mktemp("wheel"))


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


# ---- the archive's content (with a stand-in wheel: no build) ----------------------------------------------------

STAND_IN_FILES = {"grader/__init__.py": b"", "grader/resources/solutions/task3.py": b"def solution_model(): ..."}


@pytest.fixture
def stand_in_wheel(tmp_path):
    """A small wheel-shaped zip: a package file, a reference solution and their RECORD."""
    path = tmp_path / "tfcert-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, content in STAND_IN_FILES.items():
            wheel.writestr(name, content)
        wheel.writestr("tfcert-9.9.9.dist-info/RECORD", "".join(f"{name},,\n" for name in STAND_IN_FILES))
    return path


def test_the_archive_holds_the_scripts_the_wheel_the_spec_and_the_secret(run_cli, tmp_path, stand_in_wheel,
                                                                         monkeypatch):
    monkeypatch.setenv("CLASS_SECRET", SECRET)
    out = tmp_path / "ag.zip"
    result = run_cli("gradescope", "task3", "--out", out, "--secret-env", "CLASS_SECRET", "--wheel", stand_in_wheel)
    assert result.exit_code == 0, result.output
    assert "keep it private" in result.stdout
    with zipfile.ZipFile(out) as archive:
        modes = {info.filename: (info.external_attr >> 16) & 0o777 for info in archive.infolist()}
        config = json.loads(archive.read(autograder.CONFIG_FILE))
        assert archive.read("secret").decode().strip() == SECRET
        assert archive.read("tasks/task3.yaml") == (PROJECT_ROOT / "tasks" / "task3.yaml").read_bytes()
    assert set(modes) == {"setup.sh", "run_autograder", autograder.CONFIG_FILE, stand_in_wheel.name, "secret",
                          "tasks/task3.yaml", "starter/task3.py", "tasks/task3.vocab.txt"}  # no reference solution
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755 and modes["secret"] == 0o600
    assert config == {"task": "task3", "tfcert": "9.9.9", "secret": True}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # it holds the secret


def test_without_a_secret_the_archive_says_so_and_holds_none(run_cli, tmp_path, stand_in_wheel):
    result = run_cli("gradescope", "task4", "--out", tmp_path / "ag.zip", "--wheel", stand_in_wheel)
    assert result.exit_code == 0 and "no secret" in result.stdout
    assert stat.S_IMODE((tmp_path / "ag.zip").stat().st_mode) == 0o644
    with zipfile.ZipFile(tmp_path / "ag.zip") as archive:
        assert "secret" not in archive.namelist()
        assert json.loads(archive.read(autograder.CONFIG_FILE))["secret"] is False


@pytest.mark.parametrize("args, words", [
    (["--secret-env", "TFCERT_TEST_UNSET_VARIABLE"], "TFCERT_TEST_UNSET_VARIABLE is not set"),
    (["--wheel", "not-a-wheel.txt"], "not a tfcert wheel"),
])
def test_archive_mistakes_are_one_line_and_write_nothing(run_cli, tmp_path, args, words):
    (tmp_path / "not-a-wheel.txt").write_text("x")
    result = run_cli("gradescope", "task4", "--out", tmp_path / "ag.zip",
                     *[str(tmp_path / arg) if arg.endswith(".txt") else arg for arg in args])
    assert result.exit_code == 2 and words in single_error(result)
    assert not (tmp_path / "ag.zip").exists()


def test_a_folder_that_is_not_a_checkout_gives_no_package(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    with pytest.raises(WheelError, match=r"not a whole tfcert checkout \(README.md, LICENSE, grader"):
        source_archive(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_gradescope_works_right_after_the_quick_start_install(tmp_path):
    """A venv made the README's way keeps ensurepip's old setuptools (65 on Python 3.11, none on 3.12+):
    the archive must need no build step. `pip install -e .` is reproduced offline: the editable wheel
    is built as pip's build isolation builds it (a current setuptools, here this Python's), then
    installed into the venv, whose own setuptools stays as it was (--system-site-packages spares
    installing TensorFlow again; the venv's own site-packages come first)."""
    checkout = copy_of_checkout(tmp_path / "checkout")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, env=CLEAN_ENV)
    found = run_in(venv, "python", "-c", "import setuptools; print(setuptools.__version__)", cwd=tmp_path)
    assert found.returncode != 0 or int(found.stdout.split(".")[0]) < 77, found.stdout  # the fresh venv's own
    built = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
                            "print(build_meta.build_editable(sys.argv[1]))", str(tmp_path / "editable")],
                           cwd=checkout, capture_output=True, text=True, env=CLEAN_ENV)
    assert built.returncode == 0, built.stderr[-2000:]
    editable = tmp_path / "editable" / built.stdout.split()[-1]
    installed = run_in(venv, "python", "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", editable,
                       cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    made = run_in(venv, "tfcert", "gradescope", "task4", "--out", tmp_path / "autograder.zip", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "tfcert tfcert-0.1.0.tar.gz" in made.stdout
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        archive.extract("tfcert-0.1.0.tar.gz", tmp_path)
    with tarfile.open(tmp_path / "tfcert-0.1.0.tar.gz") as source:
        names = source.getnames()
    assert "tfcert-0.1.0/pyproject.toml" in names and "tfcert-0.1.0/tasks/task4.yaml" in names
    assert not [name for name in names if "__pycache__" in name or "egg-info" in name]
    wheel = build_wheel(tmp_path / "tfcert-0.1.0.tar.gz", tmp_path / "wheel")  # what setup.sh's pip install does
    with zipfile.ZipFile(wheel) as opened:
        assert "grader/resources/tasks/task4.yaml" in opened.namelist()


def test_an_autograder_without_its_settings_reports_it_to_the_student_and_fails(tmp_path):
    (tmp_path / "source").mkdir()
    assert autograder.main([str(tmp_path)]) == 2
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    check_gradescope_results(results)
    assert results["score"] == 0 and "tell your instructor" in results["output"]


# ---- linters: the shell scripts and the Dockerfile --------------------------------------------------------------

def linter(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]' installs it)")
    return found


def test_the_gradescope_scripts_pass_shellcheck():
    scripts = [PROJECT_ROOT / "grader" / "gradescope" / name for name in ("setup.sh", "run_autograder")]
    done = subprocess.run([linter("shellcheck"), *map(str, scripts)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    assert all(os.stat(script).st_mode & stat.S_IXUSR for script in scripts)


def test_the_dockerfile_passes_hadolint_and_runs_tfcert_unprivileged():
    dockerfile = PROJECT_ROOT / "Dockerfile"
    done = subprocess.run([linter("hadolint"), str(dockerfile)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    instructions = [line.split(maxsplit=1) for line in dockerfile.read_text().splitlines()
                    if line.strip() and not line.startswith((" ", "#"))]
    users = [rest for keyword, rest in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert ["ENTRYPOINT", '["tfcert"]'] in instructions
    assert re.search(r"apt-get install [^\n]*bubblewrap", dockerfile.read_text())
    assert ".git" in (PROJECT_ROOT / ".dockerignore").read_text().split()


# ---- the wheel, installed -----------------------------------------------------------------------------------------

def test_the_wheel_carries_the_specs_starters_solutions_and_licence(wheel):
    with zipfile.ZipFile(wheel) as opened:
        names = set(opened.namelist())
        metadata = opened.read("tfcert-0.1.0.dist-info/METADATA").decode()
    assert {f"grader/resources/{name}" for name in shipped_files()} <= names
    assert {"grader/resources/tasks/task3.vocab.txt", "grader/resources/tasks/exam/sunspots.yaml",
            "grader/gradescope/setup.sh", "grader/gradescope/run_autograder",
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


def test_the_gradescope_autograder_grades_as_gradescope_runs_it(venv, tmp_path, reference_model, monkeypatch):
    """The archive made by the installed tfcert, installed as setup.sh installs it, run on three submissions."""
    made = run_in(venv, "tfcert", "gradescope", "task4", "--out", tmp_path / "autograder.zip",
                  "--secret-env", "CLASS_SECRET", cwd=tmp_path, env={**CLEAN_ENV, "CLASS_SECRET": SECRET})
    assert made.returncode == 0, made.stderr
    unpack(tmp_path / "autograder.zip", tmp_path / "archive")
    wheels = list((tmp_path / "archive").glob("tfcert-*.whl"))  # an installed tfcert carries its wheel
    grading_venv = make_venv(tmp_path / "opt-tfcert", wheels[0])  # setup.sh's install step

    def run_autograder(name: str, files: dict[str, bytes]) -> dict:
        root = tmp_path / name / "autograder"
        shutil.copytree(tmp_path / "archive", root / "source")
        (root / "submission").mkdir()
        (root / "results").mkdir()
        for file_name, content in files.items():
            (root / "submission" / file_name).write_bytes(content)
        env = {**CLEAN_ENV, "TFCERT_AUTOGRADER_ROOT": str(root), "TFCERT_VENV": str(grading_venv)}
        done = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        assert not (root / "source" / "secret").exists()  # read, then gone before anything was graded
        results = json.loads((root / "results" / "results.json").read_text())
        check_gradescope_results(results)
        return results

    good = run_autograder("good", {"model.keras": reference_model[0].read_bytes()})
    monkeypatch.setenv("TFCERT_SECRET", SECRET)
    from grader import grade

    expected = grade("task4", reference_model[0])  # in-process, with the archive's secret
    assert good["score"] == expected.points >= 4 and good["max_score"] == 5
    assert sum(test.get("score", 0) for test in good["tests"]) == expected.points
    published = [test for test in good["tests"] if test["visibility"] == "after_published"]
    assert len(published) == 1 and f"{expected.value:.4f}" in published[0]["output"]
    assert f"{expected.value:.4f}" not in good["output"] and "PASS" in good["output"]

    # A student's code looks for the reference solution where the archive and the installed wheel put it.
    cheat = run_autograder("cheat", {"solution.py": READS_REFERENCE.format(root=tmp_path / "cheat" / "autograder")
                                     .encode()})
    assert "ESCAPED" not in cheat["output"] and "not graded" not in cheat["output"], cheat["output"]

    bad = run_autograder("bad", {"model.h5": os.urandom(2048)})
    assert bad["score"] == 0 and "not graded (error)" in bad["output"] and "model.h5" in bad["output"]
    empty = run_autograder("empty", {})
    assert empty["score"] == 0 and "nothing to grade" in empty["output"]
    assert all(test.get("score", 0) == 0 for test in bad["tests"] + empty["tests"])
