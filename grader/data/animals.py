"""`builtin:animal_silhouettes`: 10 classes of animal silhouettes from the `animal-mnist` wheel.

The PyPI package `animal-mnist` (MIT) ships 10,000 28x28 grayscale silhouettes, 1,000 per class
(bear, bird, cat, cow, dog, elephant, giraffe, horse, sheep, zebra) as gzipped NumPy pickles.
They are read with an allow-listed unpickler (no code from the file runs), upscaled bilinearly
to the task's image size and repeated to RGB, so an ImageNet backbone can take them. Splits take
`per_class` images of every class: train and valid from a permutation seeded by `params.seed`,
the hidden test from the remaining images with its own seed (which TFCERT_SECRET can replace).

Example:
    images, labels = load_pool()           # (10000, 28, 28) uint8, (10000,) int64
"""

import functools
import gzip
import importlib.resources
from dataclasses import dataclass

import numpy as np

from grader.data.examples import Examples
from grader.errors import TfcertError
from grader.safe_pickle import NUMPY_ARRAYS, AllowlistUnpickler

PACKAGE = "animal_mnist"
DATA_FOLDER = ("data", "Animal_MNIST")
CLASSES = ("bear", "bird", "cat", "cow", "dog", "elephant", "giraffe", "horse", "sheep", "zebra")
PER_CLASS = 1000  # as shipped
# 284 images are exact duplicates of another of the same class; they are dropped so that no
# test image equals a training image. The smallest class (bird) keeps 812.
MIN_UNIQUE_PER_CLASS = 812


@dataclass(frozen=True)
class AnimalParams:
    """`dataset.params`: the seed of the train/valid partition."""

    seed: int


@dataclass(frozen=True)
class PerClassSplit:
    """`per_class` images of every class; `seed` only on the hidden test split."""

    per_class: int
    seed: int | None = None

    def describe(self) -> str:
        return f"{self.per_class} images per class ({self.per_class * len(CLASSES)} in all)"


def _read_array(name: str) -> np.ndarray:
    try:
        folder = importlib.resources.files(PACKAGE).joinpath(*DATA_FOLDER)
        with gzip.open(folder.joinpath(name).open("rb")) as file:
            return AllowlistUnpickler(file, NUMPY_ARRAYS, "the animal-mnist data").load()
    except ModuleNotFoundError:
        raise TfcertError(
            "the animal silhouettes come from the 'animal-mnist' package; install it: pip install animal-mnist"
        ) from None


@functools.cache
def load_pool() -> tuple[np.ndarray, np.ndarray]:
    """The distinct silhouettes (uint8, 28x28) and labels, in the wheel's order, duplicates dropped."""
    images = _read_array("animal_data_version_3.gz")
    labels = _read_array("animal_label_version_3.gz").astype(np.int64)
    if images.shape != (PER_CLASS * len(CLASSES), 28, 28) or np.bincount(labels).tolist() != [PER_CLASS] * len(CLASSES):
        raise TfcertError("the installed animal-mnist data is not the expected 10 x 1,000 images; "
                          "reinstall animal-mnist==0.4")
    _, first = np.unique(images.reshape(len(images), -1), axis=0, return_index=True)
    keep = np.sort(first)
    return images[keep].astype(np.uint8), labels[keep]


def _bilinear_matrix(source: int, target: int) -> np.ndarray:
    """(target, source) weights of bilinear resampling with half-pixel centres (as tf.image.resize)."""
    position = np.clip((np.arange(target) + 0.5) * source / target - 0.5, 0, source - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, source - 1)
    weight = position - low
    matrix = np.zeros((target, source))
    matrix[np.arange(target), low] += 1 - weight
    matrix[np.arange(target), high] += weight
    return matrix


def to_rgb(images: np.ndarray, size: int) -> np.ndarray:
    """Upscale (N, 28, 28) grayscale to (N, size, size, 3) uint8 RGB."""
    rows = _bilinear_matrix(images.shape[1], size)
    cols = _bilinear_matrix(images.shape[2], size)
    resized = rows.astype(np.float32) @ images.astype(np.float32) @ cols.T.astype(np.float32)
    return np.repeat(np.clip(np.rint(resized), 0, 255).astype(np.uint8)[..., None], 3, axis=-1)


def _partition(params: AnimalParams, splits: dict) -> dict[str, np.ndarray]:
    """Indices of train and valid per class, and the pool left for the hidden test."""
    _, labels = load_pool()
    rng = np.random.default_rng(params.seed)
    chosen = {"train": [], "valid": [], "rest": []}
    n_train, n_valid = splits["train"].per_class, splits["valid"].per_class
    for k in range(len(CLASSES)):
        order = rng.permutation(np.flatnonzero(labels == k))
        chosen["train"].append(order[:n_train])
        chosen["valid"].append(order[n_train : n_train + n_valid])
        chosen["rest"].append(order[n_train + n_valid :])
    return {name: np.concatenate(parts) for name, parts in chosen.items()}


def learner_split(spec, name: str) -> tuple[np.ndarray, np.ndarray]:
    """`train` or `valid`: (images uint8 (N, size, size, 3), labels int64 (N,))."""
    images, labels = load_pool()
    indices = _partition(spec.dataset.params, spec.dataset.splits)[name]
    return to_rgb(images[indices], spec.input.shape[0]), labels[indices]


def hidden_test(spec, seed: int) -> Examples:
    """`per_class` test images of every class, drawn with `seed` from the images no learner split uses."""
    images, labels = load_pool()
    rest = _partition(spec.dataset.params, spec.dataset.splits)["rest"]
    rng = np.random.default_rng(seed)
    per_class = spec.dataset.splits["test"].per_class
    indices = np.concatenate([
        rng.choice(rest[labels[rest] == k], per_class, replace=False) for k in range(len(CLASSES))
    ])
    return Examples(to_rgb(images[indices], spec.input.shape[0]).astype(np.float32), labels[indices])
