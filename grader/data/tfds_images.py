"""`tfds:<name>`: an image classification dataset from tensorflow-datasets.

For the exam's image tasks on real photos: `horses_or_humans` (2 classes) and
`rock_paper_scissors` (3 classes), both 300x300x3. Data comes from `--data-dir` /
$TFCERT_DATASETS_DIR when set, else from tfds' own default (which honours $TFDS_DATA_DIR). It is
downloaded and prepared on first use when online (`tfcert data fetch TASK` does it ahead of
time); offline and not prepared, the user gets one line saying how to provide it.

Images reach the model as raw pixels 0..255 (float32), resized to `params.image_size` when that
differs from the dataset's size, so the model must rescale, as in the exam.

Example:
    images, labels = learner_split(spec, "train")   # uint8 (N, size, size, 3), int64 (N,)
    test = hidden_test(spec, seed=0)                # Examples(x float32, y int64)
"""

from dataclasses import dataclass

import numpy as np

from grader.data.examples import Examples
from grader.data.files import datasets_dir, offline
from grader.data.images import image_arrays, pixel_scaling
from grader.errors import DataFileError, DataMissingError
from grader.spec import typed


@dataclass(frozen=True)
class TfdsImageParams:
    """`dataset.params` of a `tfds:` source."""

    image_size: int  # the side the grader feeds; images are resized when the dataset's differs


@dataclass(frozen=True)
class TfdsSplit:
    """A tfds split expression, e.g. `train[:90%]` or `test`."""

    split: str

    def describe(self) -> str:
        return f"tfds split '{self.split}'"


def check_splits(params: TfdsImageParams, splits: dict[str, TfdsSplit]) -> None:
    if splits["test"].split in (splits["train"].split, splits["valid"].split):
        raise typed.FieldError("dataset.splits.test", "the hidden test split must differ from train and valid")


def dataset_name(spec) -> str:
    """The tfds name in `tfds:<name>`."""
    return spec.dataset.source.partition(":")[2]


def builder(spec):
    """The tfds builder of the task's dataset (nothing is downloaded); its labels must be the spec's classes."""
    import tensorflow_datasets as tfds

    name = dataset_name(spec)
    folder = datasets_dir()
    try:
        dataset_builder = tfds.builder(name, data_dir=str(folder) if folder else None)
    except tfds.core.registered.DatasetNotFoundError:
        raise DataMissingError(f"{spec.id}: tensorflow-datasets has no dataset '{name}'; "
                               "update tensorflow-datasets") from None
    names = tuple(dataset_builder.info.features["label"].names)
    if names != spec.output.classes:
        raise DataFileError(f"{spec.id}: tfds '{name}' has the classes {list(names)}, "
                            f"the spec says {list(spec.output.classes)}")
    return dataset_builder


def prepare(spec):
    """Download and prepare the dataset (what `tfcert data fetch` does); return the builder."""
    dataset_builder = builder(spec)
    if offline():
        raise DataMissingError(missing_message(spec, "offline ($TFCERT_OFFLINE is set)"))
    try:
        dataset_builder.download_and_prepare()
    except ImportError as exc:  # tfds imports some of its dependencies only here (e.g. importlib_resources)
        package = (exc.name or str(exc)).split(".")[0]
        raise DataMissingError(
            f"{spec.id}: preparing '{dataset_name(spec)}' needs the Python package '{package}', which is not "
            f"installed: pip install {package.replace('_', '-')}, then run `tfcert data fetch {spec.id}` again"
        ) from None
    except Exception as exc:  # tfds wraps network and disk failures in many types: all mean "not here"
        first_line = (str(exc) or type(exc).__name__).splitlines()[0][:120]
        raise DataMissingError(missing_message(spec, f"the download failed: {first_line}")) from None
    return dataset_builder


def missing_message(spec, reason: str) -> str:
    where = datasets_dir() or "tfds' data dir ($TFDS_DATA_DIR or ~/tensorflow_datasets)"
    return (
        f"{spec.id} needs the tensorflow-datasets dataset '{dataset_name(spec)}', not prepared in {where} ({reason}); "
        f"run `tfcert data fetch {spec.id}` when online, or pass --data-dir DIR where it is prepared"
    )


def _images_and_labels(spec, split: str) -> tuple[np.ndarray, np.ndarray]:
    """All images of a split in file order (uint8, resized to the task's size) and their labels."""
    dataset_builder = builder(spec)
    if not offline() and not dataset_builder.is_prepared():
        prepare(spec)
    try:
        dataset = dataset_builder.as_dataset(split=split, as_supervised=True, shuffle_files=False)
    except AssertionError:  # tfds' way to say the prepared files are not there
        raise DataMissingError(missing_message(spec, "not downloaded yet")) from None
    except ValueError as exc:  # e.g. 'Unknown split "validation"': the spec names a split tfds does not have
        raise DataFileError(f"{spec.id}: tfds cannot read split '{split}' of '{dataset_name(spec)}': {exc}") from None
    return image_arrays(dataset, spec.dataset.params.image_size,
                        f"{spec.id}: tfds split '{split}' of '{dataset_name(spec)}'")


def learner_split(spec, name: str) -> tuple[np.ndarray, np.ndarray]:
    """`train` or `valid`: (uint8 images (N, size, size, 3), int64 labels)."""
    return _images_and_labels(spec, spec.dataset.splits[name].split)


def hidden_test(spec, seed: int) -> Examples:
    """The test split as float32 pixels (raw, or / divide as the spec says); `seed` is unused (fixed splits)."""
    images, labels = _images_and_labels(spec, spec.dataset.splits["test"].split)
    return Examples(pixel_scaling(spec).apply(images), labels)
