"""`tfds.load(name)` in the sandboxed child: a prepared copy in the view, or tfcert's verified data in tfds' order.

Dicoding's A4 template reads `tfds.load("imdb_reviews", with_info=True, as_supervised=True)` and
fits its word index in the order tfds gives the reviews. tfcert answers, in order:
1. a prepared tfds copy in tfcert's tfds data dir (the view holds it): tfds itself, never downloading;
2. `imdb_reviews`, `mnist`, `fashion_mnist`: rebuilt from the task data tfcert verified (the aclImdb
   archive, the idx files), in tfds' order (grader.data.tfds_order), with tfds' features
   (`text`/`image` and `label`; `as_supervised` pairs);
3. otherwise the one-line data message (OfflineDataMissing).

Example:
    tfds.load = offline_load(tfds.load)
"""

import functools
from types import SimpleNamespace

import numpy as np

from grader.catalog import load_task
from grader.data import acl_imdb, idx_images
from grader.data.tfds_order import tfds_data_dir, tfds_rank_order
from grader.errors import TfcertError
from grader.sandbox.offline_data import NO_NETWORK, OfflineDataMissing, note_missing

# tfds name -> (the task whose verified data rebuilds it, its input feature)
REBUILT = {"imdb_reviews": ("dicoding-a4", "text"), "mnist": ("dicoding-c2", "image"),
           "fashion_mnist": ("dicoding-b2", "image")}
# tfds names that tasks read as prepared copies: what `tfcert data fetch TASK` prepares
PREPARED_BY = {"horses_or_humans": "horses-or-humans", "rock_paper_scissors": "rock-paper-scissors"}


def _prepared(name: str) -> bool:
    return any((tfds_data_dir() / name).glob("*/dataset_info.json"))


def _parts(name: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every labelled part of a rebuilt dataset, in tfds' order: part -> (inputs, int64 labels)."""
    task, feature = REBUILT[name]
    spec = load_task(task)
    parts = {}
    for part in ("train", "test"):
        if feature == "text":
            texts, labels = acl_imdb.reviews(spec, part)  # already in tfds' order
            parts[part] = (np.asarray([text.encode("utf-8") for text in texts], dtype=object), labels)
        else:
            images, labels = idx_images.images_and_labels(spec, part)  # the files' order
            order = tfds_rank_order(part, range(len(labels)))
            parts[part] = (images[order][..., None], labels[order].astype(np.int64))
    return parts


def _dataset(parts, split: str, feature: str, as_supervised: bool, batch_size: int | None):
    import tensorflow as tf
    import tensorflow_datasets as tfds

    sizes = {part: SimpleNamespace(name=part, num_examples=len(labels)) for part, (_, labels) in parts.items()}
    pieces = []
    for instruction in tfds.core.ReadInstruction.from_spec(split).to_absolute(sizes):
        inputs, labels = parts[instruction.splitname]
        pieces.append((inputs[instruction.from_:instruction.to], labels[instruction.from_:instruction.to]))
    inputs = np.concatenate([piece[0] for piece in pieces])
    labels = np.concatenate([piece[1] for piece in pieces])
    dataset = tf.data.Dataset.from_tensor_slices((inputs, labels) if as_supervised
                                                 else {feature: inputs, "label": labels})
    if batch_size:
        dataset = dataset.batch(len(labels) if batch_size == -1 else batch_size)
    return dataset


def _info(name: str):
    """The dataset's tfds info (features, citation), or None when tfds cannot describe it offline."""
    import tempfile

    import tensorflow_datasets as tfds

    try:
        return tfds.builder(name, data_dir=tempfile.mkdtemp(prefix="tfds-info-")).info
    except Exception:  # noqa: BLE001 - the info is a courtesy; the data is what the script needs
        return None


def _missing(name: str) -> OfflineDataMissing:
    task = PREPARED_BY.get(name)
    how = (f"`tfcert data fetch {task}` when online" if task
           else "`tfcert data list` (tfcert answers tfds.load offline for "
                + ", ".join(sorted([*REBUILT, *PREPARED_BY])) + ")")
    return OfflineDataMissing(f"tfds.load('{name}'): {NO_NETWORK} and no prepared copy of it is on this machine; "
                              f"provide it with {how}")


def offline_load(original):
    """tfds.load, answered as the module doc says."""

    @functools.wraps(original)
    def load(name, *, split=None, data_dir=None, batch_size=None, shuffle_files=False, as_supervised=False,
             with_info=False, **kwargs):
        base = str(name).split("/")[0].split(":")[0]
        if _prepared(base):
            kwargs.update(download=False, try_gcs=False)
            return original(name, split=split, data_dir=str(tfds_data_dir()), batch_size=batch_size,
                            shuffle_files=shuffle_files, as_supervised=as_supervised, with_info=with_info, **kwargs)
        if base not in REBUILT:
            note_missing(str(_missing(base)))
            raise _missing(base)
        try:
            parts = _parts(base)
        except TfcertError as exc:
            message = f"{_missing(base)} ({str(exc).split(';')[0]})"
            note_missing(message)
            raise OfflineDataMissing(message) from None
        feature = REBUILT[base][1]
        if split is None:
            result = {part: _dataset(parts, part, feature, as_supervised, batch_size) for part in parts}
        elif isinstance(split, (list, tuple)):
            result = [_dataset(parts, one, feature, as_supervised, batch_size) for one in split]
        else:
            result = _dataset(parts, split, feature, as_supervised, batch_size)
        return (result, _info(base)) if with_info else result

    return load
