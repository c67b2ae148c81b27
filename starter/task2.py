"""task2 starter: transfer learning - 10 animal classes from 10 images each.

Fill in the TODOs, then grade your work:
    tfcert grade task2 my_task2.py        # trains solution_model() and scores it
    tfcert show task2                     # the whole contract and the points ladder

The contract (fixed by tasks/task2.yaml, read here so there is no second copy):
- input: (None, 96, 96, 3) float32 RAW pixels 0..255 (grayscale silhouettes repeated to RGB).
- output: (None, 10) softmax probabilities over CLASS_NAMES.
- 10 training images per class are far too few to learn visual features from scratch. Reuse an
  ImageNet-pretrained backbone: grader.pretrained.load_backbone("efficientnet_lite0", IMAGE_SHAPE)
  works offline, rescales raw pixels itself, and is frozen by default (trainable=False).
  Your saved model contains the backbone; the grader only loads and evaluates it.
"""

import keras

import grader
from grader.pretrained import load_backbone

SPEC = grader.task("task2")
IMAGE_SHAPE = SPEC.input.shape        # (96, 96, 3): do not change
CLASS_NAMES = SPEC.output.classes     # label k in the data is CLASS_NAMES[k]


def solution_model() -> keras.Model:
    # uint8 images (N, 96, 96, 3) and integer labels (N,)
    train_images, train_labels = grader.load_data("task2", "train")
    valid_images, valid_labels = grader.load_data("task2", "valid")

    backbone = load_backbone("efficientnet_lite0", IMAGE_SHAPE, trainable=False)
    model = keras.Sequential([
        keras.Input(shape=IMAGE_SHAPE),
        # TODO: optional light augmentation (e.g. RandomFlip("horizontal"))
        backbone,
        # TODO: a small head: Dense layer(s), Dropout, and len(CLASS_NAMES) softmax outputs
    ])
    # TODO: compile (sparse_categorical_crossentropy) and fit on the training images,
    #       validating on (valid_images, valid_labels).
    return model


# The exam's template saved the model like this; the grader calls solution_model() itself.
if __name__ == "__main__":
    solution_model().save("task2.keras")
