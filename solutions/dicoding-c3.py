"""Reference solution for dicoding-c3: the course's CNN at 150x150 on pixels / 255, with augmentation.

Run it through tfcert (`tfcert grade dicoding-c3 solutions/dicoding-c3.py`), which puts the project root on the
import path for the shared module.
"""

from solutions.dicoding_images import train_folder_classifier


def solution_model():
    return train_folder_classifier("dicoding-c3")
