"""An image task's training images as its references train on them: train + valid, scaled as the grader feeds them."""

import numpy as np

import grader


def scaled_training_images(task_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(float32 images / the spec's divide, labels) of the learner's train and valid splits together."""
    spec = grader.task(task_id)
    train_images, train_labels = grader.load_data(task_id, "train")
    valid_images, valid_labels = grader.load_data(task_id, "valid")
    images = np.concatenate([train_images, valid_images]).astype("float32") / spec.input.preprocessing["divide"]
    return images, np.concatenate([train_labels, valid_labels])
