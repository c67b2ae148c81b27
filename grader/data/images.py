"""Turn a tf.data dataset of (image, label) pairs into the arrays a task feeds: uint8, one size.

Shared by the image sources (tfds, local image folders, idx files), with the pixel scaling a
spec may ask for: `input.preprocessing.divide` (the grader feeds pixels / divide; 255 for the
templates that rescaled outside the model, as ImageDataGenerator(rescale=1/255) and
`images / 255.0` did; none for tasks whose model must rescale raw pixels itself).

Example:
    images, labels = image_arrays(dataset, size=150, what="tfds split 'test' of 'horses_or_humans'")
    fed = pixel_scaling(spec).apply(images)     # float32, pixels / divide
"""

from dataclasses import dataclass

import numpy as np

from grader.errors import DataFileError

LOAD_BATCH_SIZE = 64  # images decoded and resized per tf.data batch


def image_arrays(dataset, size: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """All (image, label) pairs in order: uint8 images resized to size x size, int64 labels.

    Resizing (bilinear, rounded back to uint8) runs inside tf.data, so a split of thousands of
    300x300 photos is not resized one eager call at a time; images already at the size are
    left untouched. Raises DataFileError naming `what` when there are no images.
    """
    import tensorflow as tf

    def to_task_size(image, label):
        if image.shape[0] == size and image.shape[1] == size:  # static shape: no resize op at all
            return image, label
        resized = tf.image.resize(image, (size, size))  # bilinear, float32, no overshoot beyond 0..255
        return tf.cast(tf.round(resized), tf.uint8), label

    batches = dataset.map(to_task_size, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True).batch(LOAD_BATCH_SIZE)
    images, labels = [], []
    for image_batch, label_batch in batches.as_numpy_iterator():
        images.append(image_batch)
        labels.append(label_batch)
    if not images:
        raise DataFileError(f"{what} holds no images")
    return np.concatenate(images), np.concatenate(labels).astype(np.int64)


@dataclass(frozen=True)
class PixelScaling:
    """`input.preprocessing` of an image task: the grader feeds `pixels / divide` (255: 0..1)."""

    divide: float = 1.0

    def apply(self, images: np.ndarray) -> np.ndarray:
        return images.astype(np.float32) / np.float32(self.divide)


def pixel_scaling(spec) -> PixelScaling:
    """The task's pixel scaling (raw pixels when the spec gives none)."""
    return PixelScaling(**spec.input.preprocessing)
