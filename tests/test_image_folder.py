"""`local:` image folders (one subfolder per class, as the course's zips unpack) as a task's data."""

import numpy as np
import pytest
import yaml
from conftest import single_error
from PIL import Image

import grader
from grader.errors import DataMissingError

CLASSES = ["horses", "humans"]


def write_images(folder, per_class: int, size: int = 20) -> None:
    """`per_class` PNGs per class; class k's image i is filled with the value 10 * i + 100 * k."""
    for label, name in enumerate(CLASSES):
        (folder / name).mkdir(parents=True)
        for i in range(per_class):
            pixels = np.full((size, size, 3), 10 * i + 100 * label, dtype=np.uint8)
            Image.fromarray(pixels).save(folder / name / f"{i:03d}.png")


@pytest.fixture
def folder_task(tmp_path, monkeypatch):
    """A task `pics` reading local:pics (train 80% / valid 20% of `train/`, test = `test/`)."""
    datasets = tmp_path / "datasets"
    write_images(datasets / "pics" / "train", per_class=10)
    write_images(datasets / "pics" / "test", per_class=3)
    spec = yaml.safe_load((grader.spec.PROJECT_ROOT / "tasks" / "exam" / "horses-or-humans.yaml").read_text())
    spec.update(id="pics", dataset={
        "source": "local:pics",
        "params": {"format": "image_folder", "image_size": 20, "origin": "made by the test"},
        "splits": {"train": {"folder": "train", "end": 0.8}, "valid": {"folder": "train", "start": 0.8},
                   "test": {"folder": "test"}},
    })
    spec["input"]["shape"] = [20, 20, 3]
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "pics.yaml").write_text(yaml.safe_dump(spec))
    monkeypatch.setenv("TFCERT_TASKS_DIR", str(tasks))
    monkeypatch.setenv("TFCERT_DATASETS_DIR", str(datasets))
    return datasets / "pics"


def test_splits_take_each_class_share_in_name_order(folder_task):
    images, labels = grader.load_data("pics", "train")
    assert images.shape == (16, 20, 20, 3) and images.dtype == np.uint8
    assert labels.tolist() == [0] * 8 + [1] * 8
    assert images[:8, 0, 0, 0].tolist() == [0, 10, 20, 30, 40, 50, 60, 70]  # files 000..007 of horses
    valid_images, valid_labels = grader.load_data("pics", "valid")
    assert valid_labels.tolist() == [0, 0, 1, 1] and valid_images[:, 0, 0, 0].tolist() == [80, 90, 180, 190]


def test_grading_reads_the_test_folder(folder_task, keras):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((20, 20, 3)), keras.layers.GlobalAveragePooling2D(),
        keras.layers.Rescaling(1 / 255), keras.layers.Dense(1, activation="sigmoid"),
    ])
    result = grader.grade("pics", model)
    assert result.test_examples == 6


def test_images_of_another_size_are_resized(folder_task):
    Image.fromarray(np.full((40, 30, 3), 200, dtype=np.uint8)).save(folder_task / "test" / "humans" / "zz.png")
    test = grader.data.hidden_test_split(grader.task("pics"))
    assert test.x.shape == (7, 20, 20, 3) and test.x[-1].min() == test.x[-1].max() == 200


def test_missing_folder_and_broken_image_are_one_line_errors(folder_task, run_cli, tmp_path, keras):
    model_path = tmp_path / "m.keras"
    keras.Sequential([keras.Input((20, 20, 3)), keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")]).save(model_path)
    (folder_task / "test" / "horses" / "000.png").write_bytes(b"not a png")
    broken = run_cli("grade", "pics", model_path)
    assert broken.exit_code == 2 and "an image of split 'test' cannot be decoded" in single_error(broken)
    listed = run_cli("data", "list")
    assert "pics" in listed.stdout and " yes " in listed.stdout
    added = run_cli("data", "add", "pics", model_path)
    assert added.exit_code == 2 and "give that folder, its parent, or its zip" in single_error(added)
    for path in sorted(folder_task.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    folder_task.rmdir()
    with pytest.raises(DataMissingError, match=r"needs the image folder .*pics .*one subfolder per class \(horses, humans\)"):
        grader.load_data("pics", "train")
    missing = run_cli("grade", "pics", model_path)
    assert missing.exit_code == 2 and "`tfcert data add pics PATH...`" in single_error(missing)
    assert "or pass --data-dir DIR where it is" in single_error(missing)
