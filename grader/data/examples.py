"""Examples: model inputs and targets of a split, aligned on the first axis."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Examples:
    """Model inputs `x` and targets `y` of a split (the grader's view of the hidden test split)."""

    x: np.ndarray
    y: np.ndarray
    text: np.ndarray | None = None  # text tasks: the raw strings behind the token ids in x

    def __len__(self) -> int:
        return len(self.y)
