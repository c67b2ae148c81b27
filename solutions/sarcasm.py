"""Reference solution for `sarcasm` (exam category 4): Embedding(16) + Conv1D, word index of all headlines.

Run it through tfcert (`tfcert grade TASK solutions/TASK.py`), which puts the project root on
the import path for the shared module.
"""

from solutions.sarcasm_classifier import train_sarcasm_classifier


def solution_model():
    return train_sarcasm_classifier("sarcasm")
