"""task1: augmentation decides the score, and the common image mistakes are explained."""

import json

import numpy as np
import pytest

import grader
from grader.data.shapes import ImageSplit, Pose, ShapesParams, render_split
from grader.errors import ContractError
from grader.spec import PROJECT_ROOT

NO_AUGMENTATION = """
import importlib.util
spec = importlib.util.spec_from_file_location("reference", {path!r})
reference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reference)

def solution_model():
    return reference.solution_model(augment=False)
"""


@pytest.fixture(scope="module")
def task1():
    return grader.task("task1")


@pytest.fixture(scope="module")
def augmented(train_once):
    return train_once(PROJECT_ROOT / "solutions" / "task1.py")


@pytest.fixture(scope="module")
def not_augmented(train_once, tmp_path_factory):
    path = tmp_path_factory.mktemp("noaug") / "task1_no_augmentation.py"
    path.write_text(NO_AUGMENTATION.format(path=str(PROJECT_ROOT / "solutions" / "task1.py")))
    return train_once(path)


def test_reference_with_augmentation_gets_full_marks(augmented, run_cli):
    path, _ = augmented
    result = json.loads(run_cli("grade", "task1", path, "--json").stdout)
    assert result["points"] == 5 and result["passed"]
    assert result["baselines"][0]["points"] == 0


def test_same_cnn_without_augmentation_gets_at_most_2_points(not_augmented, task1):
    path, _ = not_augmented
    result = grader.grade(task1, str(path))
    assert result.points <= 2 and not result.passed
    assert any("RandomFlip" in note for note in result.diagnostics)  # the spec's hint explains why


def test_a_model_made_for_0_to_1_inputs_is_diagnosed(task1, keras):
    # Saturating units see 0..255 pixels as "very bright" everywhere: every image looks the same.
    # (ReLU CNNs often survive the 255x scale because ReLU is scale-equivariant; sigmoids do not.)
    keras.utils.set_random_seed(0)
    without_rescaling = keras.Sequential([
        keras.Input(task1.input.shape),
        keras.layers.Conv2D(4, 3, kernel_initializer="ones", activation="sigmoid"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(5, activation="softmax"),
    ])
    result = grader.grade(task1, without_rescaling)
    assert result.points == 0
    assert any(note.startswith("predictions collapse to one class") for note in result.diagnostics)
    assert any("no Rescaling layer" in note and "Rescaling(1/255)" in note for note in result.diagnostics)


@pytest.mark.parametrize(
    "layers, words",
    [
        (lambda k: [k.Input((150, 150, 3)), k.layers.GlobalAveragePooling2D(), k.layers.Dense(5, activation="softmax")],
         "your model takes (None, 150, 150, 3); task1 feeds (None, 64, 64, 3): 64x64 RGB images as float32 raw pixels 0..255"),
        (lambda k: [k.Input((64, 64, 1)), k.layers.GlobalAveragePooling2D(), k.layers.Dense(5, activation="softmax")],
         "your model takes (None, 64, 64, 1); task1 feeds (None, 64, 64, 3)"),
        (lambda k: [k.Input((64, 64, 3)), k.layers.GlobalAveragePooling2D(), k.layers.Dense(1, activation="sigmoid")],
         "one sigmoid unit is for two classes; task1 has 5: end with Dense(5, activation='softmax')"),
        (lambda k: [k.Input((64, 64, 3)), k.layers.GlobalAveragePooling2D(), k.layers.Dense(3, activation="softmax")],
         "your model outputs (None, 3); task1 expects (None, 5): the probability of each shape class "
         "(5 classes: circle, square, triangle, star, cross)"),
    ],
)
def test_image_contract_mismatches(task1, keras, layers, words):
    with pytest.raises(ContractError) as caught:
        grader.grade(task1, keras.Sequential(layers(keras)))
    assert words in str(caught.value)


def test_logits_instead_of_softmax_are_diagnosed(task1, keras):
    keras.utils.set_random_seed(0)
    logits = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Rescaling(1 / 255),
                               keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(5)])
    result = grader.grade(task1, logits)
    assert any("activation='softmax'" in note for note in result.diagnostics)


def test_learner_images_are_upright_uint8_and_cached(task1, tmp_path, monkeypatch):
    monkeypatch.setenv("TFCERT_CACHE_DIR", str(tmp_path))
    images, labels = grader.load_data("task1", "valid")
    assert images.shape == (500, 64, 64, 3) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [100] * 5
    cached = list((tmp_path / "datasets").glob("shapes-*.npz"))
    assert len(cached) == 1
    again, _ = grader.load_data("task1", "valid")  # read back from the cache, identical
    np.testing.assert_array_equal(images, again)


def test_rendering_is_seeded_and_poses_differ():
    classes = ("circle", "square", "triangle", "star", "cross")
    upright = ImageSplit(50, 1, Pose(max_shift=1, min_scale=0.95, max_scale=1.05))
    first, labels = render_split(classes, 64, upright, ShapesParams())
    second, _ = render_split(classes, 64, upright, ShapesParams())
    np.testing.assert_array_equal(first, second)
    varied = ImageSplit(50, 1, Pose(max_shift=8, max_rotation=0.5, min_scale=0.7, max_scale=1.2, flip=True))
    moved, same_labels = render_split(classes, 64, varied, ShapesParams())
    np.testing.assert_array_equal(labels, same_labels)
    assert not np.array_equal(first, moved)
