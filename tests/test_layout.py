"""The package layout stays a pipeline: layers that only point down, no import cycles, lint-clean."""

import shutil
import subprocess

import pytest

from grader.spec import PROJECT_ROOT


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter is not installed (the test extra has it)")
def test_import_contracts_are_kept():
    done = subprocess.run(["lint-imports"], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_no_module_is_over_400_lines():
    long = {str(path.relative_to(PROJECT_ROOT)): count for path in (PROJECT_ROOT / "grader").rglob("*.py")
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, f"split these modules: {long}"


@pytest.mark.skipif(shutil.which("git") is None or not (PROJECT_ROOT / ".git").exists(),
                    reason="not a git checkout")
def test_build_outputs_are_ignored_by_git():
    outputs = ["dist/tfcert-0.1.0-py3-none-any.whl", "dist/tfcert-0.1.0.tar.gz", "build/lib/grader/api.py",
               "tfcert.egg-info/PKG-INFO", ".ruff_cache/x", "grader/__pycache__/api.cpython-311.pyc"]
    done = subprocess.run(["git", "check-ignore", "--no-index", *outputs], capture_output=True, text=True,
                          cwd=PROJECT_ROOT)
    assert done.stdout.split() == outputs, done.stderr
