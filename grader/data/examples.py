"""Examples: model inputs and targets of a split, aligned on the first axis."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Examples:
    """Model inputs `x` and targets `y` of a split (the grader's view of the hidden test split)."""

    x: np.ndarray
    y: np.ndarray
    text: np.ndarray | None = None  # text tasks: the raw strings behind the token ids in x
    # (multiply, add): maps the model's outputs to the units of `y` (a model fed normalized
    # windows answers on the normalized scale; its raw-unit forecast is output * multiply + add).
    output_scale: tuple[float, float] = (1.0, 0.0)

    def __len__(self) -> int:
        return len(self.y)

    def to_target_units(self, outputs: np.ndarray) -> np.ndarray:
        """Model (or baseline) outputs in the units of `y`."""
        multiply, add = self.output_scale
        return outputs if (multiply, add) == (1.0, 0.0) else outputs * multiply + add
