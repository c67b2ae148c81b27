"""horses-or-humans and rock-paper-scissors: tfds data (mocked, or prepared from made-up images), the
offline message, contract mismatches in the learner's terms, and the references on mock data.

Nothing is downloaded: `tfds.testing.mock_data` stands in for the real images, and the one test of
a really prepared dataset prepares `horses_or_humans` from a few PNGs made here.
"""

import importlib.util
import io
import json
import zipfile

import numpy as np
import pytest
import yaml

import grader
from grader.data import hidden_test_split, tfds_images
from grader.errors import ContractError, DataFileError, DataMissingError
from grader.spec import PROJECT_ROOT
from grader.submission.contract import check_contract

tfds = pytest.importorskip("tensorflow_datasets")

HORSES, RPS = "horses-or-humans", "rock-paper-scissors"
MOCK_EXAMPLES = 6  # mock_data yields these same examples for every split


@pytest.fixture
def mock_tfds():
    with tfds.testing.mock_data(num_examples=MOCK_EXAMPLES):
        yield


def tiny_model(keras, task_id, size=None, units=None, activation=None):
    """A seeded, untrained image model; the task's contract unless size/units/activation say otherwise."""
    spec = grader.task(task_id)
    size = size or spec.input.shape[0]
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((size, size, 3)),
        keras.layers.Rescaling(1 / 255),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(units or spec.output.shape[-1], activation=activation or spec.output.activation),
    ])


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "task_id, tfds_name, size, output, activation",
    [(HORSES, "horses_or_humans", 300, (1,), "sigmoid"), (RPS, "rock_paper_scissors", 150, (3,), "softmax")],
)
def test_specs_load_with_the_tfds_label_order(task_id, tfds_name, size, output, activation, tmp_path):
    spec = grader.task(task_id)
    assert spec.dataset.source == f"tfds:{tfds_name}" and spec.dataset.params.image_size == size
    assert spec.input.shape == (size, size, 3) and spec.input.value_range == (0, 255)
    assert spec.output.shape == output and spec.output.activation == activation
    assert spec.dataset.splits["test"].split == "test"
    # the spec's class names are tfds' label names, in label order (read from tfds' code, no download)
    assert tuple(tfds.builder(tfds_name, data_dir=str(tmp_path)).info.features["label"].names) == spec.output.classes
    assert spec.metric.ladder[spec.metric.pass_points] == {HORSES: 0.83, RPS: 0.90}[task_id]


@pytest.mark.parametrize("task_id", [HORSES, RPS])
def test_learner_splits_under_mock_data_are_uint8_at_the_task_size(task_id, mock_tfds):
    spec = grader.task(task_id)
    size = spec.input.shape[0]
    raw = next(tfds.builder(tfds_images.dataset_name(spec)).as_dataset(split="train", as_supervised=True).batch(99)
               .as_numpy_iterator())[0]  # the mocked 300x300 images themselves
    for split in ("train", "valid"):
        images, labels = grader.load_data(task_id, split)
        assert images.shape == (MOCK_EXAMPLES, size, size, 3) and images.dtype == np.uint8
        assert labels.dtype == np.int64 and 0 <= labels.min() and labels.max() < len(spec.output.classes)
    if size == raw.shape[1]:
        np.testing.assert_array_equal(images, raw)
    else:  # resized, not cropped: halving with bilinear averaging keeps each image's mean brightness
        assert np.abs(images.mean(axis=(1, 2, 3)) - raw.mean(axis=(1, 2, 3))).max() < 0.5


@pytest.mark.parametrize("task_id, units", [(HORSES, None), (HORSES, 2), (RPS, None)])
def test_grading_an_in_memory_model_scores_the_mocked_test_split(task_id, units, keras, mock_tfds):
    model = tiny_model(keras, task_id, units=units, activation="softmax" if units == 2 else None)
    result = grader.grade(task_id, model)
    assert result.test_examples == MOCK_EXAMPLES and result.metric == "accuracy"
    test = hidden_test_split(grader.task(task_id))
    outputs = model.predict(test.x, verbose=0)
    predicted = (outputs[:, 0] >= 0.5) if outputs.shape[1] == 1 else outputs.argmax(axis=1)
    assert result.value == pytest.approx(np.mean(predicted == test.y))
    (majority,) = result.baselines
    assert majority.value == pytest.approx(np.bincount(test.y).max() / MOCK_EXAMPLES)


def test_offline_without_the_data_grade_exits_2_with_one_line(keras, run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("TFCERT_DATASETS_DIR", str(tmp_path / "datasets"))
    submission = tmp_path / "some.keras"
    tiny_model(keras, HORSES).save(submission)
    result = run_cli("grade", HORSES, submission)
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in result.output + result.stderr
    assert "'horses_or_humans'" in errors[0] and "`tfcert data fetch horses-or-humans`" in errors[0]
    assert str(tmp_path / "datasets") in errors[0]
    with pytest.raises(DataMissingError, match="tfcert data fetch rock-paper-scissors"):
        grader.load_data(RPS, "train")  # the learner's path says the same


@pytest.mark.parametrize(
    "task_id, model_args, words",
    [
        (HORSES, {"size": 150}, "your model takes (None, 150, 150, 3); horses-or-humans feeds (None, 300, 300, 3): "
                                "300x300 RGB images as float32 raw pixels 0..255"),
        (RPS, {"size": 300}, "your model takes (None, 300, 300, 3); rock-paper-scissors feeds (None, 150, 150, 3)"),
        (RPS, {"units": 1, "activation": "sigmoid"},
         "one sigmoid unit is for two classes; rock-paper-scissors has 3: end with Dense(3, activation='softmax')"),
        (HORSES, {"units": 3, "activation": "softmax"}, "your model outputs (None, 3); horses-or-humans expects (None, 1)"),
    ],
)
def test_contract_mismatch_exits_2_in_the_learners_terms(task_id, model_args, words, keras, run_cli, tmp_path, mock_tfds):
    submission = tmp_path / "mismatch.keras"
    tiny_model(keras, task_id, **model_args).save(submission)
    result = run_cli("grade", task_id, submission)
    assert result.exit_code == 2 and words in result.stderr


@pytest.mark.parametrize("task_id", [HORSES, RPS])
def test_reference_fits_one_epoch_on_mock_data_and_meets_the_contract(task_id, monkeypatch, mock_tfds):
    reference = load_module(PROJECT_ROOT / "solutions" / f"{task_id}.py", f"reference_{task_id.replace('-', '_')}")
    monkeypatch.setattr(reference, "EPOCHS", 1)
    model = reference.solution_model()
    check_contract(model, grader.task(task_id))
    assert model.optimizer.iterations.numpy() == 1  # one epoch of 6 images at batch size 32: one step
    assert grader.grade(task_id, model).test_examples == MOCK_EXAMPLES


@pytest.mark.parametrize(
    "task_id, words",
    [(HORSES, "your model outputs (None, 300, 300, 3); horses-or-humans expects (None, 1)"),
     (RPS, "your model outputs (None, 1280); rock-paper-scissors expects (None, 3)")],
)
def test_starter_runs_and_takes_the_contracts_input(task_id, words, mock_tfds):
    starter = load_module(PROJECT_ROOT / "starter" / f"{task_id}.py", f"starter_{task_id.replace('-', '_')}")
    with pytest.raises(ContractError) as caught:  # the TODO output layer is missing, nothing else
        check_contract(starter.solution_model(), grader.task(task_id))
    assert words in str(caught.value)


# -- a really prepared tfds dataset, from made-up PNGs (no download) ---------------------------------

TRAIN_PER_CLASS, TEST_PER_CLASS = 10, 3


def png_archive(path, per_class: int, rng) -> list[np.ndarray]:
    """A zip laid out like horse-or-human.zip (horses/*.png, humans/*.png); returns its images."""
    from PIL import Image

    images = []
    with zipfile.ZipFile(path, "w") as archive:
        for label in ("horses", "humans"):
            for index in range(per_class):
                image = rng.integers(0, 256, (300, 300, 3), dtype=np.uint8)
                encoded = io.BytesIO()
                Image.fromarray(image).save(encoded, "PNG")
                archive.writestr(f"{label}/{label}{index:02d}.png", encoded.getvalue())
                images.append(image)
    return images


@pytest.fixture(scope="module")
def prepared_horses(tmp_path_factory):
    """horses_or_humans prepared by `tfds_images.prepare` (what `tfcert data fetch` runs), downloads
    replaced by local zips of random PNGs; returns (datasets dir, the training images written)."""
    pytest.importorskip("importlib_resources", reason="tensorflow-datasets' download_and_prepare imports it")
    folder = tmp_path_factory.mktemp("tfds-prepared")
    rng = np.random.default_rng(7)
    train = png_archive(folder / "train.zip", TRAIN_PER_CLASS, rng)
    png_archive(folder / "test.zip", TEST_PER_CLASS, rng)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("TFCERT_OFFLINE")
        patch.setenv("TFCERT_DATASETS_DIR", str(folder / "datasets"))
        patch.setattr(tfds.download.DownloadManager, "download",
                      lambda self, urls: [folder / "train.zip", folder / "test.zip"])
        tfds_images.prepare(grader.task(HORSES))
    return folder / "datasets", train


def test_prepared_dataset_splits_are_disjoint_and_lossless(prepared_horses, monkeypatch):
    datasets, written = prepared_horses
    monkeypatch.setenv("TFCERT_DATASETS_DIR", str(datasets))
    train, train_labels = grader.load_data(HORSES, "train")
    valid, _ = grader.load_data(HORSES, "valid")
    assert len(train) == 18 and len(valid) == 2  # train[:90%] and train[90%:] of 20
    written_bytes = {image.tobytes() for image in written}
    loaded_bytes = [image.tobytes() for image in np.concatenate([train, valid])]
    assert set(loaded_bytes) == written_bytes and len(set(loaded_bytes)) == 20  # every PNG once, pixel for pixel
    assert set(train_labels.tolist()) == {0, 1}


def test_grade_reads_the_prepared_test_split(prepared_horses, keras, run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("TFCERT_DATASETS_DIR", str(prepared_horses[0]))
    submission = tmp_path / "model.keras"
    tiny_model(keras, HORSES).save(submission)
    result = run_cli("grade", HORSES, submission, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["test_examples"] == 2 * TEST_PER_CLASS


def test_a_split_tfds_does_not_have_is_named(prepared_horses, tmp_path, monkeypatch):
    spec_file = PROJECT_ROOT / "tasks" / "exam" / f"{HORSES}.yaml"
    data = yaml.safe_load(spec_file.read_text())
    data["dataset"]["splits"]["valid"] = {"split": "validation"}
    (tmp_path / f"{HORSES}.yaml").write_text(yaml.safe_dump(data))
    monkeypatch.setenv("TFCERT_TASKS_DIR", str(tmp_path))
    monkeypatch.setenv("TFCERT_DATASETS_DIR", str(prepared_horses[0]))
    with pytest.raises(DataFileError, match="tfds cannot read split 'validation' of 'horses_or_humans'"):
        grader.load_data(HORSES, "valid")


def test_prepare_names_a_missing_python_package(monkeypatch, tmp_path):
    def missing_dependency(self, *args, **kwargs):
        raise ModuleNotFoundError("No module named 'importlib_resources'", name="importlib_resources")

    monkeypatch.delenv("TFCERT_OFFLINE")
    monkeypatch.setenv("TFCERT_DATASETS_DIR", str(tmp_path))
    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", missing_dependency)
    with pytest.raises(DataMissingError, match="pip install importlib-resources"):
        tfds_images.prepare(grader.task(RPS))


def test_prepare_offline_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("TFCERT_DATASETS_DIR", str(tmp_path))
    with pytest.raises(DataMissingError, match=r"offline \(\$TFCERT_OFFLINE is set\)"):
        tfds_images.prepare(grader.task(HORSES))
