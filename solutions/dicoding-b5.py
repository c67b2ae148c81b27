"""Reference solution for dicoding-b5: a small dense forecaster on the normalized windows.

Run it through tfcert (`tfcert grade TASK solutions/TASK.py`), which puts the project root on
the import path for the shared module.
"""

from solutions.dicoding_series import train_forecaster


def solution_model():
    return train_forecaster("dicoding-b5")

