"""Feedback near the line: the distance to each rung and what usually closes it, from the spec's data."""

import typing

import pytest

from grader.catalog import load_task
from grader.report.result import GradeResult
from grader.report.text import format_result, gap_notes
from grader.scoring.gaps import ladder_position, rung_gaps
from grader.scoring.points import points_for
from grader.spec import TaskSpec
from grader.spec.advice import ADVICE, technique


def result_at(value: float, task_id: str = "task4") -> GradeResult:
    """A GradeResult of `task_id` with metric `value`, as api.grade builds it (no model needed)."""
    spec = load_task(task_id)
    points = points_for(value, spec.metric)
    return GradeResult(
        task=spec.id, title=spec.title, submission="model.keras", mode="file", metric=spec.metric.name,
        metric_label=spec.metric.label, lower_is_better=spec.metric.lower_is_better, value=value, points=points,
        max_points=5, passed=points >= spec.metric.pass_points, pass_points=spec.metric.pass_points,
        ladder=dict(spec.metric.ladder), baselines=[], diagnostics=[], test_examples=1825,
        gaps=rung_gaps(value, spec))


def test_every_task_category_has_advice_for_every_gap_size():
    categories = typing.get_args(typing.get_type_hints(TaskSpec)["category"])
    assert set(ADVICE) == set(categories)
    for category in categories:
        assert technique(category, 0.01) and technique(category, 1e9)


def test_a_result_just_short_of_the_pass_line_hears_how_far_and_what_closes_it():
    """The issue's case: MAE 3.006 on task4, whose pass line is 3.0 and full marks 2.9."""
    result = result_at(3.006)
    assert result.points == 3 and ladder_position(3.006, load_task("task4").metric) == pytest.approx(2.94)
    notes = gap_notes(result)
    assert notes[0] == ("the pass line (4 points, MAE <= 3) is 0.006 away (under a tenth of a rung): "
                        "usually closed by a lower final learning rate")
    assert notes[1] == ("full marks (5 points, MAE <= 2.9) is 0.106 away (about 1.1 rungs): "
                        "usually closed by more epochs with early stopping")
    assert any(note.startswith("a lower final learning rate: ") for note in notes)
    text = format_result(result)
    assert "       4  3         0.006 to go" in text and "       3  3.1       0.094 inside    <- you" in text
    assert gap_notes(result.to_dict()) == notes  # the same from a stored result


def test_full_marks_still_say_why():
    text = format_result(result_at(2.77))
    assert "\nwhy:\n  - full marks: your MAE 2.7700 is 0.13 inside the 5-point line (MAE <= 2.9)" in text


def test_accuracy_gaps_point_the_right_way():
    notes = gap_notes(result_at(0.84, "task1"))  # 3 points; the pass line is 0.85
    assert notes[0].startswith("the pass line (4 points, accuracy >= 0.85) is 0.01 away (20% of a rung): usually closed by more epochs")


def test_an_uneven_ladder_counts_the_rungs_between():
    """linear's ladder narrows towards the top (MSE 0.5, 0.2, 0.05, 0.01, 0.001): a rung is a rung."""
    gaps = {gap.points: gap for gap in result_at(0.0203, "linear").gaps}
    assert gaps[4].rungs == pytest.approx(0.2575, abs=1e-3) and gaps[5].rungs == pytest.approx(1.2575, abs=1e-3)
    assert gaps[3].to_go < 0 and gaps[3].technique is None
