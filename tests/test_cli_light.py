"""The CLI's instant commands: no TensorFlow import, and the contract printed in full."""

import subprocess
import sys

from grader.spec import PROJECT_ROOT

NO_TF_CHECK = """
import sys
from grader.cli import main
try:
    main({args!r})
except SystemExit as done:
    assert done.code in (0, None), done.code
heavy = sorted(m for m in ("tensorflow", "keras", "tf_keras", "h5py") if m in sys.modules)
assert not heavy, f"imported {{heavy}}"
print("light")
"""


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT)


def test_help_and_tasks_do_not_import_tensorflow():
    for args in (["--help"], ["tasks"], ["show", "task4"]):
        done = run_python(NO_TF_CHECK.format(args=args))
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().endswith("light")


def test_tasks_lists_id_title_metric_and_pass_line(run_cli):
    result = run_cli("tasks")
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "title", "metric", "pass", "line"]
    by_id = {row.split()[0]: row for row in rows}
    assert "Time series forecasting with Conv1D + LSTM" in by_id["task4"]
    assert by_id["task4"].rstrip().endswith("MAE       4/5 points (MAE <= 3)")
    assert by_id["task1"].rstrip().endswith("accuracy  4/5 points (accuracy >= 0.85)")


def test_show_prints_the_whole_contract(run_cli, task4):
    result = run_cli("show", "task4")
    assert result.exit_code == 0
    text = result.stdout
    for expected in [
        "(None, 30, 1)  float32",            # input shape and dtype
        "about -40..90",                     # value range
        "raw values, not normalized",        # scaling
        "(None, 1)  activation: linear",     # output
        "5 points  MAE <= 2.9",              # ladder
        "4 points  MAE <= 3  (pass line)",
        "1 point   MAE <= 3.3",
        "repeat the last value (naive forecast)",   # baselines
        "training  300 s",                   # limits
        "parameters  2,000,000",
        "starter     starter/task4.py",
        "hidden: only the grader reads it",
    ]:
        assert expected in text, expected


def test_show_and_grade_help_say_which_scripts_and_runtimes_are_accepted(run_cli):
    shown = run_cli("show", "dicoding-b4").stdout
    assert ".py or .ipynb defining solution_B4() or solution_model()" in shown
    assert "2 (tf_keras: tf.keras, keras_preprocessing, as the exam's TF 2.x) or 3; --keras auto" in shown
    assert "defining solution_model() (or its only" in run_cli("show", "sunspots").stdout
    helped = " ".join(run_cli("grade", "--help").stdout.split())
    for words in ("solution_model() (the exam's and the course's templates) or solution_<ID>() (Dicoding's",
                  "--entry NAME", "--keras [2|3|auto]", "--max-epochs N", "Jupyter/Colab .ipynb"):
        assert words in helped, words


def test_unknown_task_exits_2_with_one_line(run_cli):
    result = run_cli("show", "nope")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "unknown task 'nope'" in result.stderr


def test_bad_command_line_exits_2(run_cli):
    assert run_cli("grade", "task4").exit_code == 2  # missing FILE
    assert run_cli("grade", "task4", "x.keras", "--time-limit", "0").exit_code == 2


def test_output_fits_80_columns(tmp_path, monkeypatch):
    """Every line of the learner's listing commands fits COLUMNS=80, a mock exam's status included."""
    from click.testing import CliRunner

    from grader import cli
    from grader.catalog import list_tasks, load_exam, load_task
    from grader.practice import sessions as practice
    from grader.practice.exam import plan_exam
    from grader.store.db import open_store

    monkeypatch.setenv("TFCERT_DATA_DIR", str(tmp_path / "data"))
    plan = plan_exam(load_exam("google"))
    workspace = tmp_path / ("a-folder-with-a-long-name-" * 3) / "exam"
    with open_store() as store:  # a mock exam with a stand-in: the widest status table
        practice.start(store, [load_task(p["task"]) for p in plan["problems"]], 300, workspace, exam=plan)
    commands = [["--help"], ["tasks"], ["data", "list"], ["exam", "list"], ["practice", "status"], ["history"],
                ["practice", "--help"], *(["show", spec.id] for spec in list_tasks())]
    for args in commands:
        result = CliRunner().invoke(cli.main, args, env={"COLUMNS": "80"})
        assert result.exit_code == 0, (args, result.output)
        widest = max(result.stdout.splitlines(), key=len)
        assert len(widest) <= 80, (args, widest)
    status = CliRunner().invoke(cli.main, ["practice", "status"], env={"COLUMNS": "80"}).stdout
    assert "Category 3 (stand-in for" in status and "rock-paper-scissors)" in status  # wrapped, not cut
