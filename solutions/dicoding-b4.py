"""Reference solution for `dicoding-b4`: Embedding(16) + masked pooling; Dense(6), topics numbered from 1.

Run it through tfcert (`tfcert grade TASK solutions/TASK.py`), which puts the project root on
the import path for the shared module.
"""

from solutions.bbc_topics import train_topic_classifier


def solution_model():
    return train_topic_classifier("dicoding-b4")

