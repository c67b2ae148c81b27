"""The tokenization contract of text tasks: standardize, split, index, truncate and pad.

The grader and the learner must turn a headline into the same ids. The vocabulary (one word
per line: line 1 is id 2, line 2 is id 3, ...; id 0 is padding and id 1 the OOV token) is built
from the training split by `build_vocabulary`: a builtin task ships it as a file, a task on a
real dataset builds it from its training records, as the exam's `Tokenizer.fit_on_texts` did.

Two standardizations exist, as the spec's `standardize` says:
- `text_vectorization`, the defaults of `keras.layers.TextVectorization`: lower case, strip
  punctuation (apostrophes too), split on whitespace. A learner gets the grader's ids with
  `TextVectorization(vocabulary=file, output_sequence_length=max_len)`;
- `keras_tokenizer`, the Keras 2 `keras.preprocessing.text.Tokenizer` that exam-era models were
  trained with: lower case, replace `!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n` by spaces (apostrophes
  stay: "don't" is one word), split on spaces.
Either way `grader.data.task_tokenizer(spec).encode(texts)` (for learners:
`grader.text.Tokenizer.for_task(spec)`) gives the grader's ids. This module is pure: it knows
no task data; grader.data.splits decides which texts a task's vocabulary is built from.

Example:
    tokenizer = Tokenizer(("city", "council"), max_length=4)
    tokenizer.encode(["the city council never fails"])  # [[1, 2, 3, 1]]: int32 (1, max_length)
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
# keras.preprocessing.text.Tokenizer's default `filters`: each becomes a space.
KERAS_TOKENIZER_FILTERS = str.maketrans({c: " " for c in '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'})


@dataclass(frozen=True)
class TokenizerSpec:
    """`input.preprocessing` of a tokens task, as written in its spec."""

    vocab_size: int  # ids 0..vocab_size-1, padding and OOV included
    oov_token: str
    padding: Literal["post", "pre"]
    truncating: Literal["post", "pre"]
    vocabulary: str | None = None  # project-relative path of a shipped vocabulary file; None: built from train
    standardize: Literal["text_vectorization", "keras_tokenizer"] = "text_vectorization"
    # Which texts a built vocabulary counts: the training split, the train and valid splits
    # (all the training texts, when valid is cut from them), or every record of the file (the
    # exam's category-4 template ran fit_on_texts on all its sentences; exam-era models only
    # score well with that word index).
    fit_on: Literal["train", "train_and_valid", "all"] = "train"
    # The hidden test's truncating when it differs from training's: Dicoding A4's template
    # trained on truncating='post' but validated on pad_sequences(testing, maxlen) whose default
    # is 'pre', and the real A4 files only reach its line on such test sequences.
    test_truncating: Literal["post", "pre"] | None = None


def standardize(text: str, mode: str = "text_vectorization") -> list[str]:
    """The words of `text` under `mode` (see the module docstring)."""
    if mode == "keras_tokenizer":
        return [word for word in text.lower().translate(KERAS_TOKENIZER_FILTERS).split(" ") if word]
    return PUNCTUATION.sub("", text.lower()).split()


def build_vocabulary(texts, vocab_size: int, mode: str = "text_vectorization") -> list[str]:
    """The `vocab_size - 2` most frequent words; ties keep the order of first appearance."""
    counts = Counter(word for text in texts for word in standardize(text, mode))
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
    mode: str = "text_vectorization"  # the standardization (see the module docstring)

    @property
    def word_index(self) -> dict[str, int]:
        """Word -> id, the shape of the old keras Tokenizer's `word_index` (OOV not included)."""
        return {word: index for index, word in enumerate(self.words, start=2)}

    def encode(self, texts) -> np.ndarray:
        """(len(texts), max_length) int32 ids, truncated and padded as the contract says."""
        index = self.word_index
        out = np.full((len(texts), self.max_length), PADDING_ID, dtype=np.int32)
        for row, text in enumerate(texts):
            ids = [index.get(word, OOV_ID) for word in standardize(text, self.mode)]
            ids = ids[: self.max_length] if self.truncating == "post" else ids[-self.max_length :]
            if self.padding == "post":
                out[row, : len(ids)] = ids
            else:
                out[row, self.max_length - len(ids) :] = ids
        return out

