"""The text tasks' tokenization contract, for learners: `Tokenizer.for_task(spec)` gives the grader's ids.

Keras 3 removed `keras.preprocessing.text.Tokenizer`; this gives exactly the ids the grader
feeds a text task's model (the task's vocabulary, OOV id 1, padding id 0, its max length,
padding and truncating). The implementation is grader.data.tokenizer.

Example:
    import grader
    from grader.text import Tokenizer

    tokenizer = Tokenizer.for_task(grader.task("sarcasm"))
    tokenizer.encode(["mom starting to fear son's web series closest thing she will have to grandchild"])
"""

from grader.data.splits import task_tokenizer
from grader.data.tokenizer import (
    OOV_ID,
    PADDING_ID,
    TokenizerSpec,
    build_vocabulary,
    standardize,
)
from grader.data.tokenizer import Tokenizer as _Tokenizer


class Tokenizer(_Tokenizer):
    """Text -> fixed-length int32 ids under a task's contract (see grader.data.tokenizer)."""

    @classmethod
    def for_task(cls, spec) -> "Tokenizer":
        """The task's tokenizer: its shipped vocabulary file, or one built from its training texts."""
        built = task_tokenizer(spec)
        return cls(built.words, built.max_length, built.padding, built.truncating, built.mode)


__all__ = ["OOV_ID", "PADDING_ID", "Tokenizer", "TokenizerSpec", "build_vocabulary", "standardize"]
