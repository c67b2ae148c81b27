"""The tokenization contract of text tasks: standardize, split, index, truncate and pad.

The grader and the learner must turn a headline into the same ids. The task ships its
vocabulary file (one word per line: line 1 is id 2, line 2 is id 3, ...; id 0 is padding and
id 1 the OOV token), built from the training split by `build_vocabulary`. A learner gets the
same ids with `keras.layers.TextVectorization(vocabulary=file, output_sequence_length=max_len)`
(its defaults: lower case, strip punctuation, split on spaces, pad and truncate 'post') or with
`Tokenizer.for_task(spec).encode(texts)`.

Example:
    tokenizer = Tokenizer.for_task(grader.task("task3"))
    tokenizer.encode(["the city council never fails"])  # int32 (1, max_len)
"""

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

import numpy as np

PADDING_ID = 0
OOV_ID = 1
# The characters keras.layers.TextVectorization strips by default ("lower_and_strip_punctuation").
PUNCTUATION = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')


@dataclass(frozen=True)
class TokenizerSpec:
    """`input.preprocessing` of a tokens task, as written in its spec."""

    vocab_size: int  # ids 0..vocab_size-1, padding and OOV included
    oov_token: str
    padding: Literal["post", "pre"]
    truncating: Literal["post", "pre"]
    vocabulary: str  # project-relative path of the shipped vocabulary file


def standardize(text: str) -> list[str]:
    """Lower case, strip punctuation, split on whitespace (as TextVectorization's defaults)."""
    return PUNCTUATION.sub("", text.lower()).split()


def build_vocabulary(texts, vocab_size: int) -> list[str]:
    """The `vocab_size - 2` most frequent words; ties keep the order of first appearance."""
    counts = Counter(word for text in texts for word in standardize(text))
    # Counter keeps insertion (first appearance) order, and sorted() is stable.
    ranked = sorted(counts, key=lambda word: -counts[word])
    return ranked[: vocab_size - 2]


@dataclass(frozen=True)
class Tokenizer:
    """Text -> fixed-length int32 ids under a task's contract."""

    words: tuple[str, ...]
    max_length: int
    padding: str = "post"
    truncating: str = "post"

    @classmethod
    def for_task(cls, spec) -> "Tokenizer":
        settings = spec.input.preprocessing
        path = spec.project_path(settings["vocabulary"])
        words = tuple(path.read_text(encoding="utf-8").splitlines())
        return cls(words, spec.input.shape[0], settings["padding"], settings["truncating"])

    @property
    def word_index(self) -> dict[str, int]:
        """Word -> id, the shape of the old keras Tokenizer's `word_index` (OOV not included)."""
        return {word: index for index, word in enumerate(self.words, start=2)}

    def encode(self, texts) -> np.ndarray:
        """(len(texts), max_length) int32 ids, truncated and padded as the contract says."""
        index = self.word_index
        out = np.full((len(texts), self.max_length), PADDING_ID, dtype=np.int32)
        for row, text in enumerate(texts):
            ids = [index.get(word, OOV_ID) for word in standardize(text)]
            ids = ids[: self.max_length] if self.truncating == "post" else ids[-self.max_length :]
            if self.padding == "post":
                out[row, : len(ids)] = ids
            else:
                out[row, self.max_length - len(ids) :] = ids
        return out
