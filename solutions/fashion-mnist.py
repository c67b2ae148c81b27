"""Reference solution for fashion-mnist: a small CNN on the 28x28 images, pixels / 255.

Run it through tfcert (`tfcert grade fashion-mnist solutions/fashion-mnist.py`), which puts the project root on the
import path for the shared module.
"""

from solutions.mnist_classifier import train_image_classifier


def solution_model():
    return train_image_classifier("fashion-mnist")
