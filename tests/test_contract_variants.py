"""Contract variants that real exam-era files show, decided one by one (issue 16), on Keras 2
files written by tf_keras as TF 2.x saved them:

- windows as (None, W) instead of (None, W, 1), images as (None, 28, 28, 1) instead of
  (None, 28, 28): the same values with a trailing axis of 1; accepted, reshaped, with a note;
- a 5-way softmax for dicoding-b4's 6 ids (labels shifted to 0..4): accepted with a note where
  the spec allows it (output.shifted_outputs), unit k scored as class k + 1;
- a text model for length 100 where the task feeds 120, a 150x150 model for the 300x300 task,
  a (None, 1, 1) regression for a 10-way classifier: real violations, refused in one line.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import grader
from grader.errors import ContractError
from grader.spec import PROJECT_ROOT
from grader.submission.contract import check_contract
from grader.submission.load import load_model_file

KERAS2_VARIANTS = textwrap.dedent("""
    import os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import tf_keras as k
    L = k.layers
    k.utils.set_random_seed(0)
    models = {
        "window_flat": [L.Dense(8, activation="relu", input_shape=(30,)), L.Dense(1)],
        "image_channel": [L.Conv2D(4, 3, activation="relu", input_shape=(28, 28, 1)), L.GlobalAveragePooling2D(),
                          L.Dense(10, activation="softmax")],
        "bbc_five": [L.Embedding(1000, 16, input_length=120), L.GlobalAveragePooling1D(), L.Dense(5, activation="softmax")],
        "text_100": [L.Embedding(1000, 16, input_length=100), L.GlobalAveragePooling1D(), L.Dense(1, activation="sigmoid")],
        "horses_150": [L.Conv2D(4, 3, input_shape=(150, 150, 3)), L.GlobalAveragePooling2D(), L.Dense(1, activation="sigmoid")],
        "label_regression": [L.Conv1D(8, 28, input_shape=(28, 28)), L.Dense(1)],
    }
    for name, layers in models.items():
        k.Sequential(layers).save(f"{sys.argv[1]}/{name}.h5")
""")


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    """name -> the loaded Keras 2 model, each saved by tf_keras in a subprocess."""
    folder = tmp_path_factory.mktemp("variants")
    subprocess.run([sys.executable, "-c", KERAS2_VARIANTS, str(folder)], check=True, capture_output=True)
    return {path.stem: load_model_file(path, max_file_mb=50).model for path in folder.glob("*.h5")}


@pytest.mark.parametrize(
    "name, task_id, note",
    [
        ("window_flat", "task4", "your model takes (None, 30); task4 feeds (None, 30, 1): accepted here (the same "
                                 "values, reshaped), but the exam's grader fed (None, 30, 1) and may have refused it"),
        ("image_channel", "fashion-mnist", "your model takes (None, 28, 28, 1); fashion-mnist feeds (None, 28, 28): "
                                           "accepted here"),
        ("bbc_five", "dicoding-b4", "your model outputs (None, 5); dicoding-b4 expects (None, 6) with the unused class "
                                    "'(unused id 0)' first: accepted here, your unit 0 read as 'sport', unit 1 as 'business'"),
        ("horses_150", "dicoding-a2", None),
    ],
)
def test_variants_with_the_same_information_are_accepted_with_a_note(variants, name, task_id, note):
    notes = check_contract(variants[name], grader.task(task_id))
    if note is None:  # Dicoding's A2 feeds 150x150: the size these models were built for
        assert notes == []
    else:
        assert len(notes) == 1 and note in notes[0]


@pytest.mark.parametrize(
    "name, task_id, words",
    [
        ("text_100", "sarcasm", "your model takes (None, 100); sarcasm feeds (None, 120)"),
        ("horses_150", "horses-or-humans", "your model takes (None, 150, 150, 3); horses-or-humans feeds (None, 300, 300, 3)"),
        ("label_regression", "fashion-mnist", "your model outputs (None, 1, 1); fashion-mnist expects (None, 10): the "
                                              "probability of each kind of clothing (softmax) (an axis too many: put "
                                              "Flatten() before the last Dense layer; one sigmoid unit is for two classes"),
        ("bbc_five", "bbc-news", None),  # 5 topics from 0: the course's own contract, no note
    ],
)
def test_real_violations_are_refused_in_one_line(variants, name, task_id, words):
    if words is None:
        assert check_contract(variants[name], grader.task(task_id)) == []
        return
    with pytest.raises(ContractError) as refused:
        check_contract(variants[name], grader.task(task_id))
    assert "\n" not in str(refused.value) and words in str(refused.value)


def test_a_window_model_without_the_channel_axis_grades_as_its_reshaped_twin(variants, keras):
    """The same weights behind (None, 30) and behind (None, 30, 1) score the same on task4."""
    flat = variants["window_flat"]
    twin = keras.Sequential([keras.Input((30, 1)), keras.layers.Reshape((30,)), *[
        keras.layers.Dense(layer.units, activation=layer.activation) for layer in flat.layers]])
    for built, original in zip(twin.layers[1:], flat.layers, strict=True):
        built.set_weights(original.get_weights())
    accepted, exact = grader.grade("task4", flat), grader.grade("task4", twin)
    assert accepted.value == exact.value and accepted.diagnostics[0].startswith("your model takes (None, 30); task4")


def test_a_five_way_softmax_scores_as_its_six_way_twin(real_data_env, train_once, keras):
    """dicoding-b4's reference with unit 0 cut off: labels shifted to 0..4, the same accuracy."""
    six_way = keras.saving.load_model(train_once(PROJECT_ROOT / "solutions" / "dicoding-b4.py")[0])
    five_way = keras.Sequential([six_way, keras.layers.Reshape((6, 1)), keras.layers.Cropping1D((1, 0)),
                                 keras.layers.Reshape((5,))])
    shifted, original = grader.grade("dicoding-b4", five_way), grader.grade("dicoding-b4", six_way)
    assert shifted.value == original.value > 0.9 and shifted.passed
    assert "labels shifted down by one" in shifted.diagnostics[0]
    assert np.isclose(shifted.baselines[0].value, original.baselines[0].value)
