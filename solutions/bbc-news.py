"""Reference solution for `bbc-news` (course C3W2): Embedding(16) + masked pooling; 5 topics.

Run it through tfcert (`tfcert grade TASK solutions/TASK.py`), which puts the project root on
the import path for the shared module.
"""

from solutions.bbc_topics import train_topic_classifier


def solution_model():
    return train_topic_classifier("bbc-news")

