"""Real learners' exam scripts (../shared/realworld-code), unchanged, through train mode as a quick check.

Each script runs as written: its own entry function (`solution_model()` or Dicoding's
`solution_A1()`..), under the Keras it was written for (auto: Keras 2, tf_keras), its own
downloads answered offline from tfcert's verified data (../shared/data). `--max-epochs 1
--max-steps 20` keeps each under a minute. A script whose data is here is graded end to end; an
image script whose photos are not here stops at its download with the one-line data message; with
generated photos registered (`tfcert data add TASK ZIP`), an image script trains and is graded.
"""

import shutil
import zipfile

import numpy as np
import pytest
from conftest import single_error
from PIL import Image

import grader
from grader.sandbox.train import TrainOptions
from grader.spec import PROJECT_ROOT

REAL_CODE = PROJECT_ROOT.parent / "shared" / "realworld-code"
QUICK = TrainOptions(max_epochs=1, max_steps=20)
QUICK_FLAGS = ("--max-epochs", "1", "--max-steps", "20")

# file -> task; the scripts whose data is on this machine (../shared/data) are graded end to end
GRADED = {
    "luswisarya__TFD_Certification_Exam__category1.py": "linear",
    "naqiyamutmainnah__TFD-Exam__Category2.py": "fashion-mnist",
    "yoyoshingu__tfpre__spreTF4-sarcasm.py": "sarcasm",
    "seoyoungs__Study__tf_certificate__Category5__starter5_answer.py": "sunspots",
    "grayscale636__Neural-Network-Linear-Regression__Problem_A1.py": "dicoding-a1",
    "riswan29__Simulasi-Tensorflow-Dicoding__Submission_A__Problem_A4.py": "dicoding-a4",
    "HedrinSitorus20__Simulasi-Tensor-FLow-2023__Submission_A__Problem_A5.py": "dicoding-a5",
    "kaenova__tf-certif-prep__Submission_B__Problem_B2.py": "dicoding-b2",
    "fadillazundina__BBC-Text-Classification__Problem_B4.py": "dicoding-b4",
    "Cidolf__Simulasi-Ujian-TensorFlow-Developer-Certificate__Submission_B__Problem_B5.py": "dicoding-b5",
    "monicasalwaa__Simulasi-Ujian-TFDC__Submission_C__Problem_C2.py": "dicoding-c2",
    "MushabTinumbang__tfdc__Submission_C__Problem_C4.py": "dicoding-c4",
    "kaenova__tf-certif-prep__Submission_C__Problem_C5.py": "dicoding-c5",
}
# file -> (task, the address it stops at): photos (and Dicoding's power file) are not on this machine
STOP_AT_DOWNLOAD = {
    "yoyoshingu__tfpre__spreTF3-rps.py":
        ("rock-paper-scissors", "https://storage.googleapis.com/download.tensorflow.org/data/rps.zip"),
    "AlifIrawan__Simulasi-Ujian-Tensorflow-Developer-Certification__Submission_A__Problem_A2.py":
        ("dicoding-a2", "https://github.com/dicodingacademy/assets/releases/download/release-horse-or-human/"
                        "horse-or-human.zip"),
    "riswan29__Simulasi-Tensorflow-Dicoding__Submission_B__Problem_B3.py":
        ("dicoding-b3", "https://github.com/dicodingacademy/assets/releases/download/release-rps/rps.zip"),
    "grachhe__Simulasi-TFDC__Submission_C__Problem_C5.py":
        ("dicoding-c5-power", "https://raw.githubusercontent.com/dicodingacademy/dicoding_dataset/main/"
                              "household_power.zip"),
}


@pytest.fixture(scope="session")
def real_code():
    if not REAL_CODE.is_dir():
        pytest.skip(f"real learners' scripts not available: {REAL_CODE} is absent")
    assert sorted(p.name for p in REAL_CODE.glob("*.py")) == sorted([*GRADED, *STOP_AT_DOWNLOAD])
    return REAL_CODE


@pytest.mark.parametrize("name", list(GRADED))
def test_a_real_script_whose_data_is_here_is_graded_end_to_end(name, real_code, real_data_env):
    result = grader.grade(GRADED[name], real_code / name, train=QUICK, time_limit=900)
    assert result.mode == "quick-check" and result.keras_runtime == 2
    assert result.entry == ("solution_model" if "Problem_" not in name else f"solution_{name[-5:-3]}")
    assert result.value is not None and 0 <= result.points <= 5
    assert any(note.startswith("quick check:") for note in result.diagnostics)


@pytest.mark.parametrize("name", list(STOP_AT_DOWNLOAD))
def test_an_image_script_without_its_photos_stops_at_its_download_in_one_line(name, real_code, real_data_env,
                                                                             run_cli):
    task, url = STOP_AT_DOWNLOAD[name]
    result = run_cli("grade", task, real_code / name, *QUICK_FLAGS)
    assert result.exit_code == 2
    error = single_error(result)
    assert f"{url}: the sandbox has no network and tfcert has no copy of" in error
    assert "provide it with `tfcert data" in error


def _photo_zip(folder, name: str, classes, per_class: int, top: str = ""):
    """A zip laid out as its publisher's: class folders of PNGs (class k darker than class k + 1)."""
    rng = np.random.default_rng(len(name))
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        for label, class_name in enumerate(classes):
            for i in range(per_class):
                pixels = rng.integers(0, 60, (64, 64, 3)) + 150 * label
                image = folder / f"{class_name}{i}.png"
                Image.fromarray(pixels.astype(np.uint8)).save(image)
                archive.write(image, f"{top}{class_name}/{class_name}{i:02d}.png")
                image.unlink()
    return path


def test_with_generated_photos_registered_a_real_image_script_trains_and_is_graded(real_code, tmp_path,
                                                                                   monkeypatch, run_cli):
    """Dicoding A2 as AlifIrawan wrote it: both zips answered from photos registered with `tfcert data add`."""
    monkeypatch.setenv("TFCERT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TFCERT_DATASETS_DIR", raising=False)
    classes = grader.task("dicoding-a2").output.classes
    for name, per_class in (("horse-or-human.zip", 24), ("validation-horse-or-human.zip", 6)):
        added = run_cli("data", "add", "dicoding-a2", _photo_zip(tmp_path, name, classes, per_class))
        assert added.exit_code == 0 and f"verified {2 * per_class} images" in added.stdout, added.output
    name = "AlifIrawan__Simulasi-Ujian-Tensorflow-Developer-Certification__Submission_A__Problem_A2.py"
    shutil.copyfile(real_code / name, tmp_path / "Problem_A2.py")
    result = grader.grade("dicoding-a2", tmp_path / "Problem_A2.py", train=QUICK, time_limit=900)
    assert result.mode == "quick-check" and result.entry == "solution_A2" and result.keras_runtime == 2
    assert result.test_examples == 12 and result.value is not None


# Dicoding's A3 template, with a stand-in for InceptionV3 (its ImageNet weights are not on this machine):
# a small frozen convolutional base, its last layer picked by name, a trained head.
A3_STAND_IN = """
import urllib.request
import zipfile
import tensorflow as tf
from keras_preprocessing.image import ImageDataGenerator
from tensorflow.keras import layers, Model
from tensorflow.keras.optimizers import RMSprop


def stand_in_backbone():
    inputs = layers.Input(shape=(150, 150, 3))
    x = layers.Conv2D(8, 3, activation="relu")(inputs)
    x = layers.MaxPooling2D(4, name="mixed7")(x)
    return Model(inputs, x)


def solution_A3():
    pre_trained_model = stand_in_backbone()
    for layer in pre_trained_model.layers:
        layer.trainable = False
    last_output = pre_trained_model.get_layer("mixed7").output
    for url, folder in (("https://github.com/dicodingacademy/assets/releases/download/release-horse-or-human/"
                         "horse-or-human.zip", "data/horse-or-human"),
                        ("https://github.com/dicodingacademy/assets/raw/main/Simulation/machine_learning/"
                         "validation-horse-or-human.zip", "data/validation-horse-or-human")):
        urllib.request.urlretrieve(url, "images.zip")
        zipfile.ZipFile("images.zip", "r").extractall(folder)
    train = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        "data/horse-or-human", target_size=(150, 150), batch_size=8, class_mode="binary")
    valid = ImageDataGenerator(rescale=1 / 255).flow_from_directory(
        "data/validation-horse-or-human", target_size=(150, 150), batch_size=8, class_mode="binary")
    x = layers.Flatten()(last_output)
    x = layers.Dense(16, activation="relu")(x)
    x = layers.Dense(1, activation="sigmoid")(x)
    model = Model(pre_trained_model.input, x)
    model.compile(optimizer=RMSprop(lr=0.0001), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(train, validation_data=valid, epochs=20, verbose=2)
    return model


if __name__ == "__main__":
    solution_A3().save("model_A3.h5")
"""


def test_a3_with_a_stand_in_backbone_and_generated_photos_trains_and_is_graded(tmp_path, monkeypatch, run_cli):
    """Dicoding A3 as its template builds it (frozen base, a layer by name, a head), InceptionV3 stood in for."""
    monkeypatch.setenv("TFCERT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TFCERT_DATASETS_DIR", raising=False)
    classes = grader.task("dicoding-a3").output.classes
    for name, per_class in (("horse-or-human.zip", 12), ("validation-horse-or-human.zip", 4)):
        assert run_cli("data", "add", "dicoding-a3", _photo_zip(tmp_path, name, classes, per_class)).exit_code == 0
    script = tmp_path / "Problem_A3.py"
    script.write_text(A3_STAND_IN)
    result = grader.grade("dicoding-a3", script, train=QUICK, time_limit=900)
    assert result.entry == "solution_A3" and result.keras_runtime == 2 and result.test_examples == 8


def test_a_cats_and_dogs_zip_registers_as_dicodings_folders(tmp_path, monkeypatch, run_cli):
    """cats_and_dogs.zip holds cats_and_dogs_filtered/{train,validation}/{cats,dogs}: C3's source folder itself."""
    monkeypatch.setenv("TFCERT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TFCERT_DATASETS_DIR", raising=False)
    classes = grader.task("dicoding-c3").output.classes
    folder = tmp_path / "zips"
    folder.mkdir()
    with zipfile.ZipFile(tmp_path / "cats_and_dogs.zip", "w") as archive:
        for part, per_class in (("train", 10), ("validation", 2)):
            inner = _photo_zip(folder, f"{part}.zip", classes, per_class, top=f"cats_and_dogs_filtered/{part}/")
            with zipfile.ZipFile(inner) as opened:
                for info in opened.infolist():
                    archive.writestr(info.filename, opened.read(info))
    added = run_cli("data", "add", "dicoding-c3", tmp_path / "cats_and_dogs.zip")
    assert added.exit_code == 0 and "verified 24 images" in added.stdout
    images, labels = grader.load_data("dicoding-c3", "train")
    assert images.shape == (18, 150, 150, 3) and labels.tolist() == [0] * 9 + [1] * 9
    listed = run_cli("data", "urls").stdout
    assert any("cats_and_dogs.zip" in line and line.rstrip().endswith("yes") for line in listed.splitlines())
