"""Task specs: the builtin ones load; every kind of mistake is one line naming file and field."""

from pathlib import Path

import pytest
import yaml

from grader.catalog import list_tasks, load_task
from grader.errors import SpecError, UnknownTaskError
from grader.spec import PROJECT_ROOT, spec_paths

SPEC_FILE = PROJECT_ROOT / "tasks" / "task4.yaml"


def test_builtin_specs_load():
    specs = {spec.id: spec for spec in list_tasks()}
    task4 = specs["task4"]
    assert task4.input.shape == (30, 1)
    assert task4.output.shape == (1,)
    assert task4.metric.lower_is_better
    assert task4.metric.ladder[task4.metric.pass_points] == 3.0
    assert task4.dataset.splits["test"].draws == 5


def test_every_spec_names_a_reference_solution_in_the_checkout():
    """The loader no longer checks it (a Gradescope archive leaves solutions out), so this does."""
    missing = [spec.id for spec in list_tasks() if not spec.project_path(spec.solution).is_file()]
    assert not missing


def write_variant(tmp_path: Path, monkeypatch, edit, spec_file: Path = SPEC_FILE) -> Path:
    """Copy a spec into a temporary tasks dir, apply `edit` to the parsed YAML, and point tfcert at it."""
    data = yaml.safe_load(spec_file.read_text())
    edit(data)
    folder = tmp_path / "tasks"
    folder.mkdir()
    (folder / spec_file.name).write_text(yaml.safe_dump(data))
    monkeypatch.setenv("TFCERT_TASKS_DIR", str(folder))
    return folder / spec_file.name


def set_path(data, dotted, value):
    *parents, last = dotted.split(".")
    node = data
    for key in parents:
        node = node[int(key) if key.isdigit() and isinstance(node, list) else key]
    node[last] = value


@pytest.mark.parametrize(
    "edit, field, words",
    [
        (lambda d: set_path(d, "metric.ladr", {}), "metric.ladr", "unknown field"),
        (lambda d: d["input"].pop("shape"), "input.shape", "missing required field"),
        (lambda d: set_path(d, "limits.max_params", "lots"), "limits.max_params", "expected an integer"),
        (lambda d: set_path(d, "input.shape", [30, "one"]), "input.shape[1]", "expected an integer"),
        (lambda d: set_path(d, "metric.ladder", {5: 2.9, 4: 2.8, 3: 3.1}), "metric.ladder", "not monotonic"),
        (lambda d: set_path(d, "metric.ladder", {6: 2.0, 5: 2.9}), "metric.ladder.6", "between 1 and 5"),
        (lambda d: set_path(d, "metric.pass_points", 7), "metric.pass_points", "not a rung"),
        (lambda d: set_path(d, "metric.name", "r2"), "metric.name", "unknown metric"),
        (lambda d: set_path(d, "input.kind", "video"), "input.kind", "expected one of"),
        (lambda d: set_path(d, "dataset.source", "builtin:nope"), "dataset.source", "unknown source"),
        (lambda d: set_path(d, "dataset.params.seed", 1.5), "dataset.params.seed", "expected an integer"),
        (lambda d: d["dataset"]["splits"].pop("test"), "dataset.splits.test", "missing required split"),
        (lambda d: set_path(d, "dataset.splits.valid.start", 1000), "dataset.splits.valid", "must start at day 1096"),
        (lambda d: set_path(d, "id", "task9"), "id", "does not match the file name"),
        (lambda d: set_path(d, "starter", "starter/missing.py"), "starter", "does not exist"),
        (lambda d: set_path(d, "metric.baselines", {"seasonal": {}}), "metric.baselines.seasonal", "unknown baseline"),
    ],
)
def test_invalid_spec_names_file_and_field(tmp_path, monkeypatch, edit, field, words):
    write_variant(tmp_path, monkeypatch, edit)
    with pytest.raises(SpecError) as caught:
        load_task("task4")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{tmp_path / 'tasks' / 'task4.yaml'}: {field}: ")
    assert words in message


def test_yaml_syntax_error_gives_the_line(tmp_path, monkeypatch):
    folder = tmp_path / "tasks"
    folder.mkdir()
    (folder / "task4.yaml").write_text("id: task4\ntitle: [unclosed\n")
    monkeypatch.setenv("TFCERT_TASKS_DIR", str(folder))
    with pytest.raises(SpecError, match=r"task4.yaml: not valid YAML at line \d"):
        load_task("task4")


def test_unknown_task_lists_known_ones():
    with pytest.raises(UnknownTaskError, match=r"unknown task 'task99' \(known tasks: .*task4"):
        load_task("task99")


def test_cli_reports_spec_error_with_exit_2(tmp_path, monkeypatch, run_cli):
    write_variant(tmp_path, monkeypatch, lambda d: set_path(d, "metric.ladder", {5: 3.5, 4: 3.0}))
    result = run_cli("tasks")
    assert result.exit_code == 2
    assert "metric.ladder: not monotonic" in result.stderr
    assert "Traceback" not in result.output + result.stderr


EXAM_SPEC = PROJECT_ROOT / "tasks" / "exam" / "sunspots.yaml"


@pytest.mark.parametrize(
    "edit, field, words",
    [
        (lambda d: set_path(d, "dataset.source", "ftp:x"), "dataset.source", "unknown source"),
        (lambda d: set_path(d, "dataset.params.format", "parquet"), "dataset.params.format", "must be one of"),
        (lambda d: d["dataset"]["params"].pop("column"), "dataset.params.column", "format 'series_csv' needs it"),
        (lambda d: d["dataset"]["params"].pop("sha256"), "dataset.params.sha256", "format 'series_csv' needs it"),
        (lambda d: set_path(d, "dataset.splits.valid.start", 2600), "dataset.splits.valid", "start at or after row 2700"),
        (lambda d: set_path(d, "dataset.splits.test.start", 20), "dataset.splits", "start at or after row"),
        (lambda d: set_path(d, "input.preprocessing.divide", 0), "input.preprocessing.divide", "must not be 0"),
        (lambda d: set_path(d, "input.preprocessing.scale", 2), "input.preprocessing.scale", "unknown field"),
        (lambda d: set_path(d, "metric.units", "percent"), "metric.units", "expected one of"),
        (lambda d: set_path(d, "metric.also", {"r2": 0.5}), "metric.also.r2", "unknown metric"),
    ],
)
def test_invalid_real_data_spec_names_file_and_field(tmp_path, monkeypatch, edit, field, words):
    write_variant(tmp_path, monkeypatch, edit, EXAM_SPEC)
    with pytest.raises(SpecError) as caught:
        load_task("sunspots")
    message = str(caught.value)
    assert "\n" not in message and f"sunspots.yaml: {field}" in message and words in message, message


def test_specs_in_subfolders_are_found_by_id():
    specs = {spec.id: spec for spec in list_tasks()}
    assert {"sunspots", "melbourne-temps", "dicoding-a5"} <= set(specs)
    assert spec_paths()["sunspots"] == PROJECT_ROOT / "tasks" / "exam" / "sunspots.yaml"


def test_two_specs_with_one_id_are_refused(tmp_path, monkeypatch):
    write_variant(tmp_path, monkeypatch, lambda d: None)
    (tmp_path / "tasks" / "exam").mkdir()
    (tmp_path / "tasks" / "exam" / "task4.yaml").write_text(SPEC_FILE.read_text())
    with pytest.raises(SpecError, match=r"task id 'task4' is also .*task4.yaml; rename one") as caught:
        list_tasks()
    assert "tasks/exam/task4.yaml" in str(caught.value) and "tasks/task4.yaml" in str(caught.value)


def test_every_declared_baseline_has_a_predictor_and_back():
    """A spec may name only declared baselines; scoring must be able to compute each of them."""
    import inspect

    from grader.scoring.baselines import PREDICTORS
    from grader.spec.baselines import BASELINES

    assert set(PREDICTORS) == set(BASELINES)
    for name, predictor in PREDICTORS.items():
        parameters = list(inspect.signature(predictor).parameters)[2:]  # after (examples, spec)
        assert tuple(parameters) == BASELINES[name].params, name
