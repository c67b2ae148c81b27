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

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

import numpy as np

from grader.data.examples import Examples
from grader.data.files import local_candidates, local_location
from grader.data.images import image_arrays, pixel_scaling
from grader.errors import DataFileError, DataMissingError
from grader.paths import cache_dir
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


def registered_folder(spec) -> Path:
    """Where `tfcert data add TASK ZIP` unpacks a task's images: tfcert's cache, under the source's path."""
    return cache_dir() / "folders" / spec.dataset.source.partition(":")[2].lstrip("/")


def root_folder(spec) -> Path:
    """The source folder (--data-dir, else the registered copy), or DataMissingError saying how to provide it."""
    for candidate in [*local_candidates(spec)[:1], registered_folder(spec)]:
        if candidate.is_dir():
            return candidate
    raise DataMissingError(
        f"{spec.id} needs the image folder {local_location(spec)} ({spec.dataset.params.origin}), "
        f"with one subfolder per class ({', '.join(spec.output.classes)}); "
        f"unpack it there, or pass --data-dir DIR where it is, or run `tfcert data add {spec.id} ZIP` with each zip"
    )


def add_zip(spec, archive: Path) -> tuple[Path, int]:
    """Unpack a zip of the task's images (as its publisher made it) into the registered folder; (folder, images).

    Where its files go: split folders at the zip's top (rps.zip: rps/) go in as they are; class
    folders at the top (horse-or-human.zip: horses/, humans/) go under the split folder the zip
    is named after (horse-or-human/); a single top folder named as the source
    (cats_and_dogs_filtered/ holding train/, validation/) is the source folder itself. Members
    that would land outside the folder (absolute paths, `..`) are refused.
    """
    root = registered_folder(spec)
    folders = {split.folder for split in spec.dataset.splits.values()}
    try:
        with zipfile.ZipFile(archive) as opened:
            members = [info for info in opened.infolist()
                       if not info.is_dir() and not info.filename.startswith("__MACOSX/")]
            tops = {PurePosixPath(info.filename).parts[0] for info in members}
            if tops <= folders:
                base = root
            elif tops <= set(spec.output.classes):
                if archive.stem not in folders:
                    raise DataFileError(f"{archive}: holds class folders only; name it after the folder it fills "
                                        f"({', '.join(sorted(f + '.zip' for f in folders))})")
                base = root / archive.stem
            elif tops == {root.name}:
                base = root.parent
            else:
                raise DataFileError(f"{archive}: holds {', '.join(sorted(tops))}; {spec.id} expects "
                                    f"{', '.join(sorted(folders))} or the class folders "
                                    f"({', '.join(spec.output.classes)})")
            images = 0
            for info in members:
                relative = PurePosixPath(info.filename)
                if relative.is_absolute() or ".." in relative.parts:
                    raise DataFileError(f"{archive}: member {info.filename} would land outside the folder; refused")
                if relative.suffix.lower() not in IMAGE_SUFFIXES or relative.name.startswith("."):
                    continue  # __MACOSX/ resource forks and the like
                target = base / Path(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with opened.open(info) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
                images += 1
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataFileError(f"{archive}: not a readable zip ({exc})") from None
    if not images:
        raise DataFileError(f"{archive}: holds no images ({', '.join(IMAGE_SUFFIXES)})")
    return root, images


def split_files(spec, name: str) -> tuple[list[Path], list[int]]:
    """The image files of a split and their class ids, class by class, each class sorted by name."""
    split = spec.dataset.splits[name]
    folder = root_folder(spec) / split.folder
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
