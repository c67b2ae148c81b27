"""rock-paper-scissors starter: transfer learning - three hand shapes from a pretrained backbone.

Fill in the TODOs, then grade your work:
    tfcert grade rock-paper-scissors my_rock-paper-scissors.py   # trains solution_model() and scores it
    tfcert show rock-paper-scissors                              # the whole contract and the points ladder

The data is tensorflow-datasets' `rock_paper_scissors`: run `tfcert data fetch rock-paper-scissors`
once while online (or pass --data-dir DIR where it is prepared).

The contract (fixed by tasks/exam/rock-paper-scissors.yaml, read here so there is no second copy):
- input: (None, 150, 150, 3) float32 RAW pixels 0..255 (the 300x300 images, resized by the grader).
- output: (None, 3) softmax probabilities over CLASS_NAMES.
- reuse an ImageNet-pretrained backbone: grader.pretrained.load_backbone("efficientnet_lite0",
  IMAGE_SHAPE) works offline, rescales raw pixels itself, and is frozen by default (trainable=False).
  Your saved model contains the backbone; the grader only loads and evaluates it.
"""

import keras

import grader
from grader.pretrained import load_backbone

TASK = "rock-paper-scissors"
SPEC = grader.task(TASK)
IMAGE_SHAPE = SPEC.input.shape        # (150, 150, 3): do not change
CLASS_NAMES = SPEC.output.classes     # ("rock", "paper", "scissors"): label k is CLASS_NAMES[k]


def solution_model() -> keras.Model:
    # uint8 images (N, 150, 150, 3) and integer labels (N,)
    train_images, train_labels = grader.load_data(TASK, "train")
    valid_images, valid_labels = grader.load_data(TASK, "valid")

    backbone = load_backbone("efficientnet_lite0", IMAGE_SHAPE, trainable=False)
    model = keras.Sequential([
        keras.Input(shape=IMAGE_SHAPE),
        # TODO: light augmentation before the backbone, e.g. RandomFlip("horizontal"), RandomRotation(...)
        backbone,
        # TODO: a small head: Dense layer(s), Dropout, and len(CLASS_NAMES) softmax outputs
    ])
    # TODO: compile (sparse_categorical_crossentropy) and fit for a few epochs,
    #       validating on (valid_images, valid_labels).
    return model


# The exam's template saved the model like this; the grader calls solution_model() itself.
if __name__ == "__main__":
    solution_model().save("rock-paper-scissors.keras")
