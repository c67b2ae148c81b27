"""fashion-mnist (exam category 2), dicoding-b2 and dicoding-c2 on the original idx files: every
place a copy may be (a folder, the Keras cache, a prepared tfds copy) gives the same verified
images, the pixel scaling the spec feeds, and the references reaching full marks. Skipped with a
reason where ../shared/data is absent; the missing-data message needs no data."""

import gzip
import os
import shutil

import numpy as np
import pytest
from conftest import single_error

import grader
from grader.data import hidden_test_split
from grader.data.idx_images import FILES, found_copy
from grader.errors import DataFileError
from grader.spec import PROJECT_ROOT


def idx_array(path, header):
    with gzip.open(path) as stream:
        return np.frombuffer(stream.read(), np.uint8, offset=header)


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    """An empty datasets dir and an empty $KERAS_HOME; returns the Keras home."""
    monkeypatch.setenv("TFCERT_DATASETS_DIR", str(tmp_path / "datasets"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    return tmp_path / "keras"


def test_splits_are_the_files_in_order_and_the_test_images_are_fed_divided(real_data_env):
    folder = real_data_env / "fashion-mnist"
    train_images = idx_array(folder / "train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)
    images, labels = grader.load_data("fashion-mnist", "valid")
    assert images.dtype == np.uint8 and images.shape == (10000, 28, 28) and labels.dtype == np.int64
    np.testing.assert_array_equal(images, train_images[50000:])
    np.testing.assert_array_equal(labels, idx_array(folder / "train-labels-idx1-ubyte.gz", 8)[50000:])
    test = hidden_test_split(grader.task("fashion-mnist"))
    assert test.x.dtype == np.float32 and test.x.shape == (10000, 28, 28) and test.x.max() == 1.0
    np.testing.assert_array_equal(test.x * 255, idx_array(folder / "t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28))
    assert np.bincount(test.y).tolist() == [1000] * 10


def test_the_keras_caches_forms_verify_and_give_the_same_images(real_data_env, keras_home):
    """keras.datasets keeps Fashion-MNIST as the four .gz files and MNIST as mnist.npz."""
    cache = keras_home / "datasets"
    shutil.copytree(real_data_env / "fashion-mnist", cache / "fashion-mnist")
    spec = grader.task("dicoding-b2")
    assert found_copy(spec) == str(cache / "fashion-mnist")
    assert grader.load_data("dicoding-b2", "train")[0].shape == (50000, 28, 28)
    mnist = real_data_env / "mnist"
    arrays = {f"{kind}_{part}": idx_array(mnist / f"{FILES[part][index]}.gz", 16 if kind == "x" else 8)
              for part in FILES for index, kind in enumerate("xy")}
    np.savez(cache / "mnist.npz", **{k: v.reshape(-1, 28, 28) if k[0] == "x" else v for k, v in arrays.items()})
    test = hidden_test_split(grader.task("dicoding-c2"))
    np.testing.assert_array_equal(test.y, arrays["y_test"])
    arrays["y_test"] = (arrays["y_test"] + 1) % 10  # another dataset: the checksum refuses it
    np.savez(cache / "mnist.npz", **{k: v.reshape(-1, 28, 28) if k[0] == "x" else v for k, v in arrays.items()})
    os.utime(cache / "mnist.npz", ns=(1, 1))
    with pytest.raises(DataFileError, match=r"mnist.npz: holds other images than dicoding-c2 expects \(60000 train"):
        grader.load_data("dicoding-c2", "train")


def test_missing_everywhere_exits_2_naming_every_place_and_the_fix(keras_home, keras, run_cli, tmp_path):
    model = tmp_path / "m.keras"
    keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]).save(model)
    result = run_cli("grade", "fashion-mnist", model)
    assert result.exit_code == 2
    error = single_error(result)
    for part in (str(tmp_path / "datasets" / "fashion-mnist"), str(keras_home / "datasets" / "fashion-mnist"),
                 "tfds 'fashion_mnist'", "(offline)", "`tfcert data fetch fashion-mnist`"):
        assert part in error
    listed = run_cli("data", "list")
    row = next(line for line in listed.stdout.splitlines() if line.startswith("fashion-mnist "))
    assert " NO " in row and "idx files" in row


def test_a_model_trained_on_raw_pixels_is_named_in_the_diagnostics(real_data_env, keras):
    """Measured: the course's MLP trained 2 epochs on raw Fashion-MNIST pixels scores 0.15 fed 0..1, 0.79 fed 0..255."""
    images, labels = grader.load_data("fashion-mnist", "train")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(images.astype("float32"), labels, epochs=2, batch_size=128, verbose=0)  # raw 0..255: the mistake
    result = grader.grade("fashion-mnist", model)
    assert not result.passed, result.diagnostics
    assert any("trained on raw pixels; divide the training images by 255" in note for note in result.diagnostics)


@pytest.mark.parametrize("task_id", ["fashion-mnist", "dicoding-c2"])
def test_reference_reaches_full_marks_on_the_real_images(task_id, real_data_env, train_once):
    kept, seconds = train_once(PROJECT_ROOT / grader.task(task_id).solution)
    result = grader.grade(task_id, kept)
    assert result.points == 5 and result.passed, f"{task_id}: accuracy {result.value}"
    assert result.baselines[0].value < 0.12
    if task_id == "fashion-mnist":  # dicoding-b2's reference is the same recipe on the same data
        assert grader.grade("dicoding-b2", kept).passed
