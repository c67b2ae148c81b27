"""The line problems (exam category 1, Dicoding A1/B1/C1): builtin data from the templates'
arrays, a hidden grid over the template's range, the mean-of-Y baseline, the f(10) probe, and
the references reaching full marks in train mode. Needs no real data."""

import importlib.util

import numpy as np
import pytest
from test_spec import set_path, write_variant

import grader
from grader.data import hidden_test_split
from grader.errors import SpecError
from grader.spec import PROJECT_ROOT

LINE_TASKS = ["linear", "dicoding-a1", "dicoding-b1", "dicoding-c1"]
LINES = {"linear": (1, 1), "dicoding-a1": (1, 9), "dicoding-b1": (2, 3), "dicoding-c1": (0.5, 1)}


def fixed_line(keras, slope, intercept):
    """A Dense(1) model that computes slope * x + intercept exactly."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.layers[0].set_weights([np.array([[slope]], "float32"), np.array([intercept], "float32")])
    return model


@pytest.mark.parametrize("task_id", LINE_TASKS)
def test_learner_gets_the_template_points_and_the_test_is_a_grid_on_the_line(task_id):
    spec = grader.task(task_id)
    slope, intercept = LINES[task_id]
    x, y = grader.load_data(task_id, "train")
    assert x.dtype == y.dtype == np.float32 and tuple(x) == spec.dataset.params.x
    np.testing.assert_array_equal(y, slope * x + intercept)
    test = hidden_test_split(spec)
    grid = spec.dataset.splits["test"]
    assert test.x.shape == test.y.shape == (grid.count, 1)
    assert (test.x.min(), test.x.max()) == (x.min(), x.max())  # the template's range, no further
    np.testing.assert_allclose(test.y, slope * test.x + intercept, atol=1e-6)
    with pytest.raises(grader.TfcertError, match="test split is hidden"):
        grader.load_data(task_id, "test")


def test_the_exact_line_scores_0_and_the_probe_is_reported_not_scored(keras):
    result = grader.grade("linear", fixed_line(keras, 1, 1))
    assert result.value == 0 and result.points == 5 and result.passed
    assert result.diagnostics == ["not scored, outside the tested range: f(10) = 11 (the line: 11)"]
    (baseline,) = result.baselines
    assert baseline.name == "train_mean" and baseline.value == pytest.approx(2.291667) and baseline.points == 0


def test_a_wrong_line_is_named_in_the_diagnostics(keras):
    """Santameliana's A1 file learned y = -x + 16.6 from a typo in its Y array: the note says so."""
    result = grader.grade("dicoding-a1", fixed_line(keras, -1, 16.6))
    assert result.points == 0 and not result.passed
    assert result.value == pytest.approx(np.mean(((np.linspace(-4, 5, 37) * -2) + 7.6) ** 2), rel=1e-4)
    assert any("your model's answers follow y = -1x + 16.6, the task's line is y = 1x + 9" in note
               for note in result.diagnostics)
    assert any("f(-2) = 18.6 (the line: 7), f(10) = 6.6 (the line: 19)" in note for note in result.diagnostics)


def test_a_tiny_mse_is_kept_not_rounded_to_0(keras):
    result = grader.grade("dicoding-a1", fixed_line(keras, 1.0001, 9))  # MSE ~ 1e-8 * mean(x^2)
    assert 0 < result.value < 1e-6 and result.points == 5


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda d: set_path(d, "dataset.params.y", [0.0, 1.0, 73.0, 3.0, 4.0, 5.0]), "the points are not on one line"),
        (lambda d: set_path(d, "dataset.splits.test", {"points": "grid", "start": 4.0, "end": -1.0, "count": 5}),
         "points: grid needs start < end"),
        (lambda d: set_path(d, "dataset.splits.train", {"points": "template", "count": 5}),
         "points: template takes no start, end or count"),
    ],
)
def test_invalid_line_specs_are_one_line_errors(tmp_path, monkeypatch, edit, words):
    write_variant(tmp_path, monkeypatch, edit, PROJECT_ROOT / "tasks" / "exam" / "linear.yaml")
    with pytest.raises(SpecError, match=words) as caught:
        grader.task("linear")
    assert "\n" not in str(caught.value) and "linear.yaml: dataset." in str(caught.value)


def test_reference_reaches_full_marks_in_train_mode(train_once):
    spec = grader.task("linear")
    kept, _ = train_once(PROJECT_ROOT / spec.solution)
    result = grader.grade("linear", kept)
    assert result.points == 5 and result.passed and result.value < spec.metric.ladder[5] / 100, result.value


@pytest.mark.parametrize("task_id", ["dicoding-a1", "dicoding-b1", "dicoding-c1"])
def test_the_same_recipe_meets_dicodings_lines(task_id):
    """The Dicoding references call the same train_line as `linear`'s (trained in process here: ~2 s each)."""
    spec = importlib.util.spec_from_file_location("line_model", PROJECT_ROOT / "solutions" / "line_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = grader.grade(task_id, module.train_line(task_id))
    assert result.points == 5 and result.value < grader.task(task_id).metric.ladder[5] / 100, result.value
