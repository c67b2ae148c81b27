"""Dicoding's image problems A2, A3, B3 and C3 on `local:` folders laid out as their zips unpack (made
up here: the real images are not on this machine, nor InceptionV3's weights, so A3's reference
transfers from tfcert's offline backbone): the splits, the pixels / 255 the templates fed, the
class order of flow_from_directory, and the references running one epoch."""

import importlib.util

import numpy as np
import pytest
from PIL import Image

import grader
from grader.data import hidden_test_split
from grader.spec import PROJECT_ROOT
from grader.submission.contract import check_contract

LAYOUT = {  # task -> (source folder, {subfolder: images per class})
    "dicoding-a2": ("horse-or-human", {"horse-or-human": 10, "validation-horse-or-human": 2}),
    "dicoding-a3": ("horse-or-human", {"horse-or-human": 10, "validation-horse-or-human": 2}),  # A2's folder
    "dicoding-b3": ("rps", {"rps": 10, "rps-test-set": 2}),
    "dicoding-c3": ("cats_and_dogs_filtered", {"train": 10, "validation": 2}),
}
REFERENCES = {"dicoding-a3": "dicoding-a3.py"}  # the others share solutions/dicoding_images.py


@pytest.fixture
def unzipped(tmp_path, monkeypatch):
    """Both tasks' folders with small PNGs; class k's image i is filled with 10 * i + 60 * k."""
    for task_id, (root, folders) in LAYOUT.items():
        for folder, per_class in folders.items():
            for label, name in enumerate(grader.task(task_id).output.classes):
                (tmp_path / root / folder / name).mkdir(parents=True, exist_ok=True)
                for i in range(per_class):
                    pixels = np.full((30, 30, 3), 10 * i + 60 * label, dtype=np.uint8)
                    Image.fromarray(pixels).save(tmp_path / root / folder / name / f"{name}{i:02d}.png")
    monkeypatch.setenv("TFCERT_DATASETS_DIR", str(tmp_path))
    return tmp_path


def test_splits_follow_the_templates_and_the_test_is_fed_divided_by_255(unzipped):
    train, train_labels = grader.load_data("dicoding-b3", "train")
    valid, valid_labels = grader.load_data("dicoding-b3", "valid")
    assert train.shape == (24, 150, 150, 3) and train.dtype == np.uint8  # resized to the template's 150x150
    assert valid_labels.tolist() == [0, 0, 1, 1, 2, 2]  # paper, rock, scissors: flow_from_directory's order
    assert valid[:2, 0, 0, 0].tolist() == [0, 10]  # validation_split=0.2: each class's first 20% of files
    assert train[0, 0, 0, 0] == 20 and train_labels.tolist() == [0] * 8 + [1] * 8 + [2] * 8
    test = hidden_test_split(grader.task("dicoding-a2"))
    assert test.x.dtype == np.float32 and test.x.shape == (4, 150, 150, 3)
    np.testing.assert_allclose(test.x[:, 0, 0, 0], np.array([0, 10, 60, 70]) / 255)


@pytest.mark.parametrize("task_id", list(LAYOUT))
def test_reference_trains_one_epoch_and_meets_the_contract(task_id, unzipped, monkeypatch):
    reference = REFERENCES.get(task_id, "dicoding_images.py")
    spec = importlib.util.spec_from_file_location(f"ref_{task_id}", PROJECT_ROOT / "solutions" / reference)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "EPOCHS", 1)
    model = module.solution_model() if task_id in REFERENCES else module.train_folder_classifier(task_id)
    assert check_contract(model, grader.task(task_id)) == []
    assert grader.grade(task_id, model).test_examples == 2 * len(grader.task(task_id).output.classes)
