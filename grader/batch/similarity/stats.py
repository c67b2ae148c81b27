"""The statistics the comparisons share: robust z-scores of a pair against its class's pairs.

Example:
    robust_z(np.array([0.1, 0.0, 0.2, 3.0]))     # the last one stands out
"""

import numpy as np

MIN_SPREAD = 0.05  # floor of the robust spread: a class whose pairs are all alike does not make tiny gaps huge
MAD_TO_SD = 1.4826  # the MAD of a normal distribution times this is its standard deviation


def robust_z(values: np.ndarray) -> np.ndarray:
    """How many robust standard deviations each value lies above the median of all of them.

    The median and the MAD hardly move for a few copies among many independent pairs, which is
    why a copy stands out of its own class.
    """
    values = np.asarray(values, dtype=np.float64)
    median = np.median(values)
    spread = max(MAD_TO_SD * float(np.median(np.abs(values - median))), MIN_SPREAD)
    return (values - median) / spread
