"""Reference solution for dicoding-c2: a small CNN on the 28x28 images, pixels / 255.

Run it through tfcert (`tfcert grade dicoding-c2 solutions/dicoding-c2.py`), which puts the project root on the
import path for the shared module.
"""

from solutions.mnist_classifier import train_image_classifier


def solution_model():
    return train_image_classifier("dicoding-c2")
