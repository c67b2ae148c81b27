"""`local:<folder>` with format `image_folder`: images in one subfolder per class.

This is how the course's zips unpack (`horse-or-human/horses/*.png`, `horse-or-human/humans/*.png`,
and the same under `validation-horse-or-human/`), and what `flow_from_directory` read. Each split
names a subfolder of the source folder and a share of every class's files (sorted by name), so a
split keeps the class balance and is the same on every machine:

    splits:
      train: {folder: horse-or-human, start: 0.0, end: 0.9}
      valid: {folder: horse-or-human, start: 0.9, end: 1.0}
      test: {folder: validation-horse-or-human}

Class folders are named as `output.classes`, in label order. A folder has no checksum: what it
holds is counted and checked against the split's shares instead.

Example:
    images, labels = learner_split(spec, "train")   # uint8 (N, size, size, 3), int64 (N,)
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from grader.data.examples import Examples
from grader.data.files import local_candidates, local_location, registered_folder
from grader.data.images import image_arrays, pixel_scaling
from grader.errors import DataFileError, DataMissingError
from grader.spec import typed

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


@dataclass(frozen=True)
class ImageFolderParams:
    """`dataset.params` of a `local:` image folder."""

    format: Literal["image_folder"]
    image_size: int  # the side the grader feeds; images are resized when theirs differs
    origin: str  # in words: where a learner gets the images


@dataclass(frozen=True)
class FolderSplit:
    """The files of `folder/<class>/` from share `start` to share `end` of each class (sorted by name)."""

    folder: str
    start: float = 0.0
    end: float = 1.0

    def describe(self) -> str:
        share = "" if (self.start, self.end) == (0.0, 1.0) else f", {self.start:.0%}-{self.end:.0%} of each class"
        return f"{self.folder}/<class>/{share}"


def check_splits(params: ImageFolderParams, splits: dict[str, FolderSplit]) -> None:
    for name, split in splits.items():
        if not 0 <= split.start < split.end <= 1:
            raise typed.FieldError(f"dataset.splits.{name}", "needs 0 <= start < end <= 1")
    test = splits["test"]
    for name in ("train", "valid"):
        other = splits[name]
        if other.folder == test.folder and other.start < test.end and test.start < other.end:
            raise typed.FieldError("dataset.splits.test", f"overlaps the {name} split: the hidden test must be apart")


def root_folder(spec) -> Path | None:
    """The source folder: the copy `tfcert data add` keeps, else the folder the spec names; None if neither is whole.

    Whole: it holds every split's folder (a copy registered one zip at a time may still lack one).
    """
    return next((folder for folder in _candidates(spec) if not missing_folders(spec, folder)), None)


def _candidates(spec) -> list[Path]:
    """Where the source folder may be, first match wins: the registered copy, then the spec's folder."""
    return [registered_folder(spec), *local_candidates(spec)[:1]]


def partial_copy(spec) -> str | None:
    """'<folder> lacks <split folders>' for the first candidate that exists but is not whole; None if none is."""
    for place in _candidates(spec):
        if place.is_dir() and (missing := missing_folders(spec, place)):
            return f"{place} lacks {', '.join(missing)}"
    return None


def missing_folders(spec, folder: Path) -> list[str]:
    """The split folders (e.g. 'validation-horse-or-human/') that `folder` lacks; all of them if it is absent."""
    names = dict.fromkeys(split.folder for split in spec.dataset.splits.values())
    return [f"{name}/" for name in names if not (folder / name).is_dir()]


def require_root_folder(spec) -> Path:
    """root_folder(spec), or DataMissingError saying where it was looked for and how to provide it."""
    folder = root_folder(spec)
    if folder is not None:
        return folder
    partial = partial_copy(spec)
    lacking = f"; {partial}" if partial else ""
    raise DataMissingError(
        f"{spec.id} needs the image folder {local_location(spec)} ({spec.dataset.params.origin}), "
        f"with one subfolder per class ({', '.join(spec.output.classes)}){lacking}; "
        f"`tfcert data add {spec.id} PATH...` with the folder or its zips, or pass --data-dir DIR where it is"
    )


def split_files(spec, name: str, root: Path | None = None) -> tuple[list[Path], list[int]]:
    """The image files of a split and their class ids, class by class, each class sorted by name.

    `root`: the source folder (default: the one found, require_root_folder).
    """
    split = spec.dataset.splits[name]
    folder = (root or require_root_folder(spec)) / split.folder
    paths, labels = [], []
    for label, class_name in enumerate(spec.output.classes):
        files = sorted(p for p in (folder / class_name).glob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise DataFileError(f"{spec.id}: no images in {folder / class_name}; expected one folder per class")
        chosen = files[round(split.start * len(files)) : round(split.end * len(files))]
        paths += chosen
        labels += [label] * len(chosen)
    return paths, labels


def _images_and_labels(spec, name: str) -> tuple[np.ndarray, np.ndarray]:
    import tensorflow as tf

    paths, labels = split_files(spec, name)

    def decode(path, label):
        image = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        return image, label

    dataset = tf.data.Dataset.from_tensor_slices(([str(p) for p in paths], labels)).map(decode)
    try:
        return image_arrays(dataset, spec.dataset.params.image_size, f"{spec.id}: split '{name}'")
    except tf.errors.InvalidArgumentError as exc:  # a file that is not an image
        raise DataFileError(f"{spec.id}: an image of split '{name}' cannot be decoded "
                            f"({exc.message.splitlines()[0]})") from None


def learner_split(spec, name: str) -> tuple[np.ndarray, np.ndarray]:
    """`train` or `valid`: (uint8 images (N, size, size, 3), int64 labels)."""
    return _images_and_labels(spec, name)


def hidden_test(spec, seed: int) -> Examples:
    """The test split as float32 pixels (raw, or / divide as the spec says); `seed` is unused (the files are fixed)."""
    images, labels = _images_and_labels(spec, "test")
    return Examples(pixel_scaling(spec).apply(images), labels)
