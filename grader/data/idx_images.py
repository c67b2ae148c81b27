"""`local:<folder>` with format `idx`: Fashion-MNIST and MNIST, 28x28 grey images in the original idx files.

The same 70,000 images reach a learner's machine in three forms, and each is looked for, in order
(after the verified copy `tfcert data add` keeps in tfcert's cache, grader.data.register):
1. the folder the spec names (relative to `--data-dir` / $TFCERT_DATASETS_DIR) holding the four
   original files, `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
   `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz` (gzipped or not);
2. the Keras download cache, where `keras.datasets.<name>.load_data()` left them:
   `$KERAS_HOME` (default `~/.keras`) `/datasets/` + `params.keras_cache` (Fashion-MNIST: a
   folder of the same four files; MNIST: `mnist.npz`);
3. a prepared tensorflow-datasets copy (`params.tfds`), put back in the files' order: tfds stores
   example `i` of a split at the rank of md5(split name + str(i)) (grader.data.tfds_order).
Every copy is checked against the spec's content checksum (of the parsed images and labels, in
file order), so all three verify against one spec and another dataset never reaches a grade.

The learner's splits cut the 60,000 training images by index; the hidden test split is the
10,000 test images. Learners get uint8 pixels 0..255 (as keras.datasets gives them); the grader
feeds float32 pixels divided by `input.preprocessing.divide` (255 for the exam's templates).

Example:
    images, labels = learner_split(spec, "train")   # uint8 (50000, 28, 28), int64 (50000,)
    test = hidden_test(spec, seed=None)             # Examples(x float32 (10000, 28, 28) in 0..1, y)
"""

import functools
import gzip
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from grader.data.examples import Examples
from grader.data.files import (
    datasets_dir,
    download_failure,
    local_candidates,
    local_location,
    offline,
    registered_folder,
)
from grader.data.images import pixel_scaling
from grader.data.parts import PartSplit, check_part_splits, learner_slice
from grader.data.tfds_order import restore_file_order, tfds_data_dir
from grader.errors import DataFileError, DataMissingError
from grader.spec import typed

SIZE = 28
FILES = {  # part -> (images file, labels file), as the dataset's authors publish them
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
COUNTS = {"train": 60000, "test": 10000}


@dataclass(frozen=True)
class IdxParams:
    """`dataset.params` of an idx dataset: its checksum and the other places a copy may be."""

    format: Literal["idx"]
    sha256: str  # of the parsed train images, train labels, test images, test labels (content_digest)
    origin: str  # in words: where a learner gets the files
    keras_cache: str  # under ~/.keras/datasets/: "fashion-mnist" (a folder of the 4 files) or "mnist.npz"
    tfds: str | None = None  # the tensorflow-datasets name of the same images


def check_splits(params: IdxParams, splits: dict[str, PartSplit]) -> None:
    check_part_splits(splits, COUNTS["train"])


def check_task(spec) -> None:
    """28x28 images in, one softmax unit per named class out (grader.data.registry checks the scaling)."""
    if spec.input.kind != "image" or spec.input.shape != (SIZE, SIZE):
        raise typed.FieldError("input", f"format 'idx' feeds kind 'image' of shape [{SIZE}, {SIZE}]")
    if not spec.output.classes or spec.output.shape != (len(spec.output.classes),):
        raise typed.FieldError("output", "name the classes in label order; the output is one unit per class")


def keras_cache_path(params: IdxParams) -> Path:
    """Where keras.datasets keeps this dataset ($KERAS_HOME, default ~/.keras, then datasets/)."""
    home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(home).expanduser() / "datasets" / params.keras_cache


def content_digest(arrays: dict[str, np.ndarray]) -> str:
    """sha256 of the four arrays' bytes (uint8 images, uint8 labels), train then test."""
    digest = hashlib.sha256()
    for part in ("train", "test"):
        images, labels = arrays[part]
        digest.update(np.ascontiguousarray(images, dtype=np.uint8).tobytes())
        digest.update(np.ascontiguousarray(labels, dtype=np.uint8).tobytes())
    return digest.hexdigest()


def _idx_file(folder: Path, name: str) -> Path | None:
    return next((path for path in (folder / f"{name}.gz", folder / name) if path.is_file()), None)


def _read_idx(path: Path, header: int) -> np.ndarray:
    """The uint8 payload of an idx file (gzipped or not) after its header."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            return np.frombuffer(stream.read(), dtype=np.uint8, offset=header)
    except (OSError, EOFError, ValueError) as exc:
        raise DataFileError(f"{path}: not a readable idx file ({exc})") from None


def _from_folder(folder: Path) -> dict | None:
    """The four idx files of `folder`, or None when one is missing."""
    paths = {part: [_idx_file(folder, name) for name in names] for part, names in FILES.items()}
    if any(path is None for pair in paths.values() for path in pair):
        return None
    return {part: (_read_idx(images, 16).reshape(-1, SIZE, SIZE), _read_idx(labels, 8))
            for part, (images, labels) in paths.items()}


def _from_npz(path: Path) -> dict:
    """keras.datasets.mnist's cache file: x_train, y_train, x_test, y_test."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {part: (stored[f"x_{part}"], stored[f"y_{part}"]) for part in FILES}
    except (OSError, ValueError, KeyError) as exc:
        raise DataFileError(f"{path}: not keras.datasets' MNIST file ({exc})") from None


def _from_tfds(name: str) -> dict | None:
    """The prepared tfds copy in the files' order, or None when it is not prepared."""
    folder = tfds_data_dir()
    if not any((folder / name).glob("*/dataset_info.json")):
        return None
    import tensorflow_datasets as tfds

    builder = tfds.builder(name, data_dir=str(folder))
    arrays = {}
    for part in FILES:
        batches = builder.as_dataset(split=part, as_supervised=True, shuffle_files=False).batch(10000)
        images, labels = zip(*batches.as_numpy_iterator(), strict=True)
        arrays[part] = (restore_file_order(np.concatenate(images)[..., 0], part),
                        restore_file_order(np.concatenate(labels), part))
    return arrays


def found_copy(spec) -> str | None:
    """Where the task's images are (a folder, the Keras cache, or 'tfds:<name>'), or None."""
    params = spec.dataset.params
    candidates = [registered_folder(spec), *local_candidates(spec)[:1], keras_cache_path(params)]
    for place in candidates:
        if (place.is_dir() and _from_folder_ready(place)) or (place.suffix == ".npz" and place.is_file()):
            return str(place)
    if params.tfds and any((tfds_data_dir() / params.tfds).glob("*/dataset_info.json")):
        return f"tfds:{params.tfds}"
    return None


def _from_folder_ready(folder: Path) -> bool:
    return all(_idx_file(folder, name) for names in FILES.values() for name in names)


def images_and_labels(spec, part: str) -> tuple[np.ndarray, np.ndarray]:
    """All images (uint8, (n, 28, 28)) and int64 labels of a part, from the first copy found, verified."""
    where = found_copy(spec)
    if where is None:
        raise DataMissingError(missing_message(spec))
    images, labels = _verified(where, _stamp(where), spec.dataset.params, spec.id)[part]
    return images.copy(), labels.astype(np.int64)


def _stamp(where: str) -> tuple:
    """(modification time, size) of every file of a copy: a changed copy is parsed again."""
    if where.startswith("tfds:"):
        return ()
    path = Path(where)
    paths = sorted(path.iterdir()) if path.is_dir() else [path]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths if p.is_file())


@functools.lru_cache(maxsize=2)
def _verified(where: str, stamp: tuple, params: IdxParams, task_id: str) -> dict:
    """Parse a copy once per process (while its files are unchanged) and check it against the spec's checksum."""
    if where.startswith("tfds:"):
        arrays = _from_tfds(params.tfds)
    elif where.endswith(".npz"):
        arrays = _from_npz(Path(where))
    else:
        arrays = _from_folder(Path(where))
    _check(arrays, where, params, task_id)
    return arrays


def _check(arrays: dict, where: str, params: IdxParams, task_id: str) -> dict[str, int]:
    """The image count of each part, or DataFileError when the content is not the spec's."""
    counts = {part: len(arrays[part][1]) for part in FILES}
    if content_digest(arrays) != params.sha256:
        raise DataFileError(
            f"{where}: holds other images than {task_id} expects ({counts['train']} train + {counts['test']} test, "
            f"content sha256 differs): another dataset? {task_id} needs {params.origin}"
        )
    return counts


def verified_counts(spec, folder: Path, shown: str) -> dict[str, int]:
    """Check the four idx files in `folder` against the spec (grader.data.register); their image counts.

    `shown`: how messages name the copy (what the user gave, not the staging folder).
    """
    return _check(_from_folder(folder), shown, spec.dataset.params, spec.id)


def missing_message(spec) -> str:
    """One line: the files the task needs, every place looked in, and how to provide them."""
    params = spec.dataset.params
    looked = [local_location(spec), str(keras_cache_path(params))]
    if params.tfds:
        looked.append(f"tfds '{params.tfds}' in {tfds_data_dir()}")
    how = (f"`tfcert data add {spec.id} PATH...` with the folder, the four .gz files or an archive of them, "
           f"or put them in {local_location(spec)}")
    if not datasets_dir():
        how += " (pass --data-dir DIR)"
    how += f", or run `tfcert data fetch {spec.id}` when online (keras.datasets downloads them)"
    because = " (offline)" if offline() else ""
    return f"{spec.id} needs {params.origin}; not found in {', '.join(looked)}{because}. Provide it: {how}"


def fetch(spec) -> str:
    """Download the images into the Keras cache with keras.datasets (online only); return where they are."""
    where = found_copy(spec)
    if where is not None:
        return where
    if offline():
        raise DataMissingError(missing_message(spec))
    import keras

    loader = {"fashion-mnist": keras.datasets.fashion_mnist, "mnist.npz": keras.datasets.mnist}.get(
        spec.dataset.params.keras_cache)
    if loader is None:
        raise DataMissingError(missing_message(spec))
    interactive = keras.config.is_interactive_logging_enabled()
    keras.config.disable_interactive_logging()  # keras' "Downloading data from ..." lines: not on our stdout
    try:
        loader.load_data()
    except Exception as exc:  # keras wraps network failures in several types: all mean "not fetched"
        raise DataMissingError(f"{missing_message(spec)} (the download failed: {download_failure(exc)})") from None
    finally:
        if interactive:
            keras.config.enable_interactive_logging()
    return str(keras_cache_path(spec.dataset.params))


def learner_split(spec, name: str) -> tuple[np.ndarray, np.ndarray]:
    """`train` or `valid`: (uint8 images (n, 28, 28) with pixels 0..255, int64 labels)."""
    split = spec.dataset.splits[name]
    return learner_slice(split, *images_and_labels(spec, split.part))


def hidden_test(spec, seed: int | None) -> Examples:
    """The 10,000 test images as float32 pixels / divide; `seed` is unused (the files are fixed)."""
    images, labels = images_and_labels(spec, "test")
    return Examples(pixel_scaling(spec).apply(images), labels)
