"""task2: with 10 images a class, a pretrained backbone wins and a from-scratch CNN does not."""

import json

import numpy as np
import pytest

import grader
from grader.data import hidden_test_split
from grader.spec import PROJECT_ROOT

# The reference's budget and data: 40 epochs on train + valid (30 images a class).
FROM_SCRATCH = """
import keras
import numpy as np
import grader

SPEC = grader.task("task2")

def solution_model():
    x, y = grader.load_data("task2", "train")
    vx, vy = grader.load_data("task2", "valid")
    model = keras.Sequential([
        keras.Input(SPEC.input.shape), keras.layers.Rescaling(1 / 255), keras.layers.RandomFlip("horizontal"),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Flatten(), keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(len(SPEC.output.classes), activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(np.concatenate([x, vx]), np.concatenate([y, vy]), epochs=40, batch_size=32, verbose=0)
    return model
"""


@pytest.fixture(scope="module")
def task2():
    return grader.task("task2")


def test_frozen_backbone_reference_gets_full_marks(train_once, run_cli):
    path, _ = train_once(PROJECT_ROOT / "solutions" / "task2.py")
    result = json.loads(run_cli("grade", "task2", path, "--json").stdout)
    assert result["points"] == 5 and result["passed"], result


def test_from_scratch_cnn_gets_at_most_2_points(train_once, tmp_path_factory, task2):
    solution = tmp_path_factory.mktemp("scratch") / "task2_from_scratch.py"
    solution.write_text(FROM_SCRATCH)
    path, _ = train_once(solution)
    result = grader.grade(task2, str(path))
    assert result.points <= 2 and not result.passed
    assert any("pretrained" in note for note in result.diagnostics)


def test_learner_splits_are_few_shot_rgb_and_disjoint_from_the_test(task2, monkeypatch):
    train, train_labels = grader.load_data("task2", "train")
    valid, _ = grader.load_data("task2", "valid")
    assert train.shape == (100, 96, 96, 3) and train.dtype == np.uint8
    assert np.bincount(train_labels).tolist() == [10] * 10
    assert np.array_equal(train[..., 0], train[..., 2])  # grayscale repeated to RGB
    test = hidden_test_split(task2)
    assert test.x.shape == (500, 96, 96, 3) and test.x.dtype == np.float32
    learner = {image.tobytes() for image in np.concatenate([train, valid]).astype(np.float32)}
    assert not any(image.tobytes() in learner for image in test.x)
    monkeypatch.setenv("TFCERT_SECRET", "another class")
    assert not np.array_equal(hidden_test_split(task2).y, test.y) or not np.array_equal(hidden_test_split(task2).x, test.x)
