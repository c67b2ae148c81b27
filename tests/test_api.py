"""The Python API a notebook uses: tasks, data, grading in-memory models, and rich display."""

import json

import numpy as np
import pytest
from conftest import small_forecaster

import grader


def test_tasks_and_task_have_readable_reprs():
    ids = [spec.id for spec in grader.tasks()]
    assert ids == sorted(ids) and {"task1", "task2", "task3", "task4"} <= set(ids)
    assert repr(grader.task("task4")).startswith("TaskSpec('task4': Time series forecasting")


@pytest.mark.parametrize("task_id", ["task1", "task3", "task4"])
def test_load_data_as_numpy_or_dataset_gives_the_same_values(task_id):
    numpy_form = grader.load_data(task_id, "valid")
    dataset = grader.load_data(task_id, "valid", as_dataset=True)
    first = next(iter(dataset))
    if isinstance(numpy_form, tuple):
        inputs, labels = numpy_form
        value = first[0].numpy()
        if isinstance(value, bytes):  # texts come back as tf.string
            assert value.decode() == inputs[0]
        else:
            np.testing.assert_array_equal(value, inputs[0])
        assert int(first[1]) == labels[0]
        assert dataset.cardinality() == len(labels)
    else:
        assert float(first) == pytest.approx(float(numpy_form[0]))
        assert dataset.cardinality() == len(numpy_form)


def test_the_test_split_is_refused_in_both_forms():
    for as_dataset in (False, True):
        with pytest.raises(grader.TfcertError, match="hidden"):
            grader.load_data("task1", "test", as_dataset=as_dataset)


def image_model(keras, spec):
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input(spec.input.shape), keras.layers.Rescaling(1 / 255),
                             keras.layers.GlobalAveragePooling2D(),
                             keras.layers.Dense(len(spec.output.classes), activation="softmax")])


def tokens_model(keras, spec):
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input(spec.input.shape, dtype="int32"),
                             keras.layers.Embedding(spec.input.preprocessing["vocab_size"], 4),
                             keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1, activation="sigmoid")])


@pytest.mark.parametrize("task_id, build, picture", [
    ("task4", lambda keras, spec: small_forecaster(keras), "forecast"),
    ("task1", image_model, "confusion"),
    ("task3", tokens_model, "confusion"),
])
def test_grade_an_in_memory_model_of_each_kind(keras, task_id, build, picture):
    spec = grader.task(task_id)
    result = grader.grade(task_id, build(keras, spec))
    assert result.mode == "in-memory" and 0 <= result.points <= 5
    assert result.figure["kind"] == picture
    html = result._repr_html_()
    assert f"{result.points} / 5</b> points" in html
    assert "data:image/png;base64," in html
    assert "&larr; you" in html or result.points == 0
    assert str(result).startswith(f"{task_id} - ")
    assert json.loads(result.to_json()) == result.to_dict()


def test_api_and_cli_give_the_same_object_for_a_file(model_files, run_cli):
    from_cli = json.loads(run_cli("grade", "task4", model_files["h5"], "--json").stdout)
    assert grader.grade("task4", str(model_files["h5"])).to_dict() == from_cli


def test_paths_get_the_same_safety_rules_in_the_api(keras, tmp_path):
    model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1),
                              keras.layers.Lambda(lambda x: x * 2)])
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(grader.TfcertError, match="Lambda layer"):
        grader.grade("task4", str(tmp_path / "lambda.keras"))
    with pytest.raises(grader.TfcertError, match="cannot grade a ndarray"):
        grader.grade("task4", np.zeros(3))
