"""Reference solution for dicoding-b1: one Dense unit fit to the template's points.

Run it through tfcert (`tfcert grade dicoding-b1 solutions/dicoding-b1.py`), which puts the project root on the
import path for the shared module.
"""

from solutions.line_model import train_line


def solution_model():
    return train_line("dicoding-b1")
