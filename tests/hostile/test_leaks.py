"""What a student sees, and what submitted code can reach: nothing from the hidden split, no reference solution.

- Gradescope's visible feedback quoted the hidden metric ("yours is 3.267") and the hidden
  targets' mean (from the diagnostics) before grades were published.
- The Gradescope archive shipped the reference solution, and a student's code could run it; the
  wheel's solutions/ was inside every sandbox's view.
- The diagnostics predicted after the memory limit was lifted.
"""

import json
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
from conftest import small_forecaster

import grader
from grader.batch.gradebook import gradescope_results, submission_row
from grader.data import hidden_test_split
from grader.errors import SubmissionError
from grader.sandbox.runner import isolation
from grader.sandbox.view import available_mechanisms, wrap_command
from grader.spec import PROJECT_ROOT

SOLUTIONS_IN_WHEEL = "grader/resources/solutions/"  # where an installed tfcert keeps its reference solutions
READS_REFERENCE = f"""
import keras

def solution_model():
    try:
        source = open({str(PROJECT_ROOT / "solutions" / "task4.py")!r}).read()
    except OSError:
        return keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    raise RuntimeError("ESCAPED: read the reference solution, " + str(len(source)) + " characters")
"""


def hidden_numbers(result, test) -> set[str]:
    """How the hidden split's numbers would be written: the metric, baseline values, the targets' mean."""
    values = [result.value, float(np.mean(test.y)), *(baseline.value for baseline in result.baselines)]
    return {form.format(value) for value in values for form in ("{:.4g}", "{:.3f}", "{:.4f}", "{:.3g}")}


def visible_text(results: dict) -> str:
    return results["output"] + "".join(test.get("output", "") for test in results["tests"]
                                       if test.get("visibility", results["visibility"]) == "visible")


def test_gradescope_shows_nothing_from_the_hidden_split_before_publication(keras, task4, monkeypatch):
    monkeypatch.setenv("TFCERT_SECRET", "instructor-only")
    result = grader.grade(task4, small_forecaster(keras))  # untrained: diagnostics with values to quote
    assert len(result.diagnostics) >= 2
    row = submission_row("zoe", "zoe/model.keras", "ab" * 32, "graded", result.to_dict(), None)
    results = gradescope_results(row, task4)
    visible = visible_text(results)
    quoted = [number for number in hidden_numbers(result, hidden_test_split(task4)) if number in visible]
    assert not quoted, visible
    assert "why:" in results["output"] and result.public_diagnostics[-1] in results["output"]
    published = [test["output"] for test in results["tests"] if test["visibility"] == "after_published"]
    assert f"{result.value:.4f}" in published[0] and result.diagnostics[0] in published[0]


def test_public_diagnostics_quote_none_of_the_numbers_the_full_ones_do(keras, task4):
    result = grader.grade(task4, small_forecaster(keras))
    assert len(result.public_diagnostics) == len(result.diagnostics)
    numbers = hidden_numbers(result, hidden_test_split(task4))
    changed = [(full, public) for full, public in zip(result.diagnostics, result.public_diagnostics, strict=True)
               if full != public]
    assert changed and all(any(number in full for number in numbers) for full, _ in changed)
    assert not [public for public in result.public_diagnostics if any(number in public for number in numbers)]


def test_the_archive_and_its_wheel_carry_no_reference_solution(run_cli, tmp_path):
    wheel = tmp_path / "tfcert-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as built:
        built.writestr("grader/__init__.py", "")
        built.writestr(f"{SOLUTIONS_IN_WHEEL}task4.py", "def solution_model(): ...")
        built.writestr("tfcert-9.9.9.dist-info/RECORD", f"grader/__init__.py,,\n{SOLUTIONS_IN_WHEEL}task4.py,,\n")
    result = run_cli("gradescope", "task4", "--out", tmp_path / "ag.zip", "--wheel", wheel)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "ag.zip") as archive:
        assert not [name for name in archive.namelist() if "solution" in name]
        (tmp_path / "inner.whl").write_bytes(archive.read(wheel.name))
    with zipfile.ZipFile(tmp_path / "inner.whl") as inner:
        assert inner.namelist() == ["grader/__init__.py", "tfcert-9.9.9.dist-info/RECORD"]
        assert SOLUTIONS_IN_WHEEL not in inner.read("tfcert-9.9.9.dist-info/RECORD").decode()


@pytest.mark.parametrize("mechanism", available_mechanisms())
def test_a_masked_folder_inside_a_visible_one_is_empty_in_the_view(mechanism, tmp_path):
    """As the reference solutions inside an installed tfcert (grader/resources/solutions) are shown."""
    package = tmp_path / "package"
    (package / "solutions").mkdir(parents=True)
    (package / "solutions" / "task4.py").write_text("the answer")
    (package / "code.py").write_text("seen")
    work = tmp_path / "work"
    work.mkdir()
    probe = f"import os; print(sorted(os.listdir({str(package)!r})), os.listdir({str(package / 'solutions')!r}))"
    argv = wrap_command([sys.executable, "-I", "-S", "-c", probe], workdir=work, readonly=[package], disk_mb=4,
                        mechanism=mechanism, masked=[package / "solutions"])
    done = subprocess.run(argv, cwd=work, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "['code.py', 'solutions'] []", done.stderr


@pytest.mark.skipif(isolation() is None, reason="no sandbox here: neither bwrap nor unshare works")
def test_with_a_secret_a_single_grade_does_not_show_the_reference_solutions(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("TFCERT_SECRET", "instructor-only")
    path = tmp_path / "solution.py"
    path.write_text(textwrap.dedent(READS_REFERENCE))
    result = run_cli("grade", "task4", path, "--json")
    assert result.exit_code == 0 and "ESCAPED" not in result.output, result.stderr[-800:]
    assert json.loads(result.stdout)["mode"] == "train"


def test_the_diagnostics_run_under_the_memory_limit(keras, task4, monkeypatch):
    """A model whose memory use explodes only at an unscored probe must not take the grader down."""
    from grader import api

    real = api.diagnose

    def greedy(*args, **kwargs):
        notes = real(*args, **kwargs)
        np.empty(6 * 2**30, dtype=np.uint8)  # 6 GB of address space, as the probe's allocation asked
        return notes

    monkeypatch.setattr(api, "diagnose", greedy)
    with pytest.raises(SubmissionError, match="memory limit"):
        grader.grade(task4, small_forecaster(keras))
