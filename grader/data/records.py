"""Labelled texts read from a real file (`url:`/`local:` sources with format `records`).

Sarcasm headlines (JSON array or JSON Lines, `headline` / `is_sarcastic`) and BBC news
(CSV, `text` / `category`) are both records: a text and a label, split by row ranges in file
order (the exam took "the first 20,000" for training). Labels that are class names map to
their index in `output.classes`; numeric labels are used as they are.

Example:
    texts, labels = learner_split(spec, "train")   # object array of str, int64 labels
    test = hidden_test(spec, seed=0)               # Examples(x=texts, y=labels, text=texts)
"""

import numpy as np

from grader.data.examples import Examples
from grader.data.files import load_columns
from grader.errors import DataFileError


def labelled_texts(spec) -> tuple[np.ndarray, np.ndarray]:
    """All records of the task's file: (texts, int64 labels), checked long enough for its splits."""
    texts, raw_labels = load_columns(spec)
    labels = _class_ids(raw_labels, spec)
    needed = max(split.end for split in spec.dataset.splits.values())
    if len(texts) < needed:
        raise DataFileError(f"{spec.dataset.params.file}: {len(texts)} records, but {spec.id}'s splits need {needed}")
    return texts, labels


def _class_ids(raw_labels: np.ndarray, spec) -> np.ndarray:
    classes = spec.output.classes or ()
    if all(isinstance(label, str) and not label.isdigit() for label in raw_labels):
        index = {name: i for i, name in enumerate(classes)}
        unknown = sorted({label for label in raw_labels if label not in index})
        if unknown:
            raise DataFileError(
                f"{spec.dataset.params.file}: labels {unknown[:3]} are not among {spec.id}'s classes {list(classes)}"
            )
        return np.array([index[label] for label in raw_labels], dtype=np.int64)
    return raw_labels.astype(np.int64)


def learner_split(spec, name: str) -> tuple[np.ndarray, np.ndarray]:
    """`train` or `valid`: (texts as a 1-D object array of str, labels int64)."""
    split = spec.dataset.splits[name]
    texts, labels = labelled_texts(spec)
    return texts[split.start : split.end], labels[split.start : split.end]


def hidden_test(spec, seed: int) -> Examples:
    """The test records as texts (x and text) and labels; grader.data.splits tokenizes them.

    `seed` is unused: a real dataset has one hidden range, the same for everyone.
    """
    test = spec.dataset.splits["test"]
    texts, labels = labelled_texts(spec)
    texts, labels = texts[test.start : test.end], labels[test.start : test.end]
    return Examples(texts, labels, text=texts)
