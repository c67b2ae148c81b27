"""tensorflow-datasets' record order, computed without tfds: where its data dir is, and how it shuffles.

When tfds prepares a split, it stores the examples sorted by md5(split name + key), where the
key is what the builder yields with each example: the example's index for (Fashion-)MNIST, the
archive member path (`aclImdb/train/pos/123_9.txt`) for IMDB (tensorflow_datasets/core/hashing.py;
ints are hashed as their decimal text). Reading with shuffle_files=False gives that order. So the
tfds order of a dataset can be rebuilt from the original files (the IMDB templates fit their word
index in it), and a tfds copy can be put back in the files' order (the learner's index ranges).

Example:
    tfds_rank_order("train", ["aclImdb/train/neg/0_3.txt", ...])   # indices in tfds' order
    restore_file_order(tfds_labels, "test")                          # labels in the idx file's order
"""

import hashlib
import os
from pathlib import Path

import numpy as np

from grader.data.files import datasets_dir


def tfds_data_dir() -> Path:
    """The tfds data dir: --data-dir / $TFCERT_DATASETS_DIR, else $TFDS_DATA_DIR, else tfds' default."""
    return datasets_dir() or Path(os.environ.get("TFDS_DATA_DIR") or Path.home() / "tensorflow_datasets")


def tfds_rank_order(split: str, keys) -> list[int]:
    """The indices of `keys` in the order tfds stores their examples in split `split`."""
    salted = hashlib.md5(split.encode("utf-8"))

    def rank(index: int) -> int:
        digest = salted.copy()
        digest.update(str(keys[index]).replace("\\", "/").encode("utf-8"))
        return int(digest.hexdigest(), 16)

    return sorted(range(len(keys)), key=rank)


def restore_file_order(stored: np.ndarray, split: str) -> np.ndarray:
    """The rows of a tfds split read in tfds' order, put back in the order of the builder's indices."""
    order = tfds_rank_order(split, range(len(stored)))
    restored = np.empty_like(stored)
    restored[order] = stored
    return restored
