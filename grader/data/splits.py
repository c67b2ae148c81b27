"""A task's data as the learner and the grader get it: the learner's splits, the hidden test split.

The hidden test split is built here, in the grading process, and never handed to code that a
learner controls: `learner_split` refuses "test". An instructor can set the env TFCERT_SECRET
to replace the spec's test seed, so students cannot regenerate the hidden test data (builtin
sources only: a real dataset's hidden rows are fixed). For text tasks the sources give texts,
and the task's tokenizer (`task_tokenizer`) turns the hidden texts into the ids a model gets.

Example:
    train = learner_split(spec, "train")       # 1-D float32 series for task4
    test = hidden_test_split(spec)             # Examples(x=(N, 30, 1), y=(N, 1))
    task_tokenizer(load_task("task3")).encode(["the council never fails"])
"""

import dataclasses
import hashlib
import os
import secrets
import tempfile

import numpy as np

from grader.data.cache import cached_arrays
from grader.data.examples import Examples
from grader.data.records import labelled_texts
from grader.data.registry import source_of
from grader.data.tokenizer import Tokenizer, TokenizerSpec, build_vocabulary
from grader.errors import DataAccessError
from grader.paths import data_dir

SECRET_ENV = "TFCERT_SECRET"
LEARNER_SPLITS = ("train", "valid")
MACHINE_KEY_FILE = "grading.key"


def test_seed(spec) -> int | None:
    """The hidden test seed: the spec's, or one derived from TFCERT_SECRET when it is set.

    None for real datasets: their hidden test rows are fixed, so no seed (or secret) applies.
    """
    seed = getattr(spec.dataset.splits["test"], "seed", None)
    secret = os.environ.get(SECRET_ENV)
    if seed is None or not secret:
        return seed
    digest = hashlib.sha256(f"{secret}:{spec.id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def grading_key(spec) -> bytes:
    """The key behind the secret parts of grading a task (the feeding order, the re-fed examples).

    Derived from TFCERT_SECRET when it is set (the same everywhere the secret is), else from this
    machine's own random key, made once and kept in tfcert's data folder, which no sandboxed
    child's view contains. A submission can know neither, so it cannot know which inputs will be
    fed together or re-fed.
    """
    secret = os.environ.get(SECRET_ENV)
    base = secret.encode() if secret else _machine_key()
    return hashlib.sha256(base + b":" + spec.id.encode()).digest()


def _machine_key() -> bytes:
    """32 random bytes made on first use (mode 0600), the same for every later grade on this machine."""
    path = data_dir() / MACHINE_KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".grading-key.")  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(secrets.token_bytes(32))
        os.link(temporary, path)  # whole or not at all; never replaces a key another process made first
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    return path.read_bytes()


def learner_split(spec, split: str):
    """The `train` or `valid` split as the learner gets it (its form depends on the task's data)."""
    if split not in LEARNER_SPLITS:
        raise DataAccessError(
            f"split '{split}' is not available to learners (use 'train' or 'valid'); "
            "the test split is hidden and only the grader reads it"
        )
    return source_of(spec.dataset).learner_split(spec, split)


def hidden_test_split(spec) -> Examples:
    """The hidden test examples (model inputs and targets); grader-side only."""
    seed = test_seed(spec)
    examples = source_of(spec.dataset).hidden_test(spec, seed)
    if spec.input.kind == "tokens":  # the source gave texts: the model gets the task's ids
        settings = TokenizerSpec(**spec.input.preprocessing)

        def encode() -> dict[str, np.ndarray]:
            tokenizer = task_tokenizer(spec)
            truncating = settings.test_truncating or tokenizer.truncating
            return {"ids": dataclasses.replace(tokenizer, truncating=truncating).encode(examples.text)}

        # A built vocabulary depends only on the (checksummed) data and the contract: its ids are
        # cached on disk (IMDB: ~4 s of tokenizing 50,000 reviews, once). A shipped vocabulary
        # file may change in place, so its ids are not.
        ids = encode()["ids"] if settings.vocabulary else cached_arrays(
            ("token_ids", spec.dataset, spec.input, seed), encode)["ids"]
        examples = dataclasses.replace(examples, x=ids)
    return examples


def task_tokenizer(spec) -> Tokenizer:
    """A text task's tokenizer: its shipped vocabulary file, or one built from its texts (cached on disk)."""
    settings = TokenizerSpec(**spec.input.preprocessing)
    if settings.vocabulary:
        words = spec.project_path(settings.vocabulary).read_text(encoding="utf-8").splitlines()
    else:
        built = cached_arrays(("vocabulary", spec.dataset, settings), lambda: {"words": np.frombuffer(
            "\n".join(build_vocabulary(_vocabulary_texts(spec, settings.fit_on), settings.vocab_size,
                                       settings.standardize)).encode("utf-8"), dtype=np.uint8)})
        words = built["words"].tobytes().decode("utf-8").split("\n")
    return Tokenizer(tuple(words), spec.input.shape[0], settings.padding, settings.truncating, settings.standardize)


def _vocabulary_texts(spec, fit_on: str):
    """The texts a task's vocabulary is built from: its training split, train and valid, or all its records."""
    if fit_on == "all":
        return labelled_texts(spec)[0]
    if fit_on == "train_and_valid":
        return np.concatenate([learner_split(spec, "train")[0], learner_split(spec, "valid")[0]])
    return learner_split(spec, "train")[0]
