"""horses-or-humans starter: a CNN that tells horses from humans with ONE sigmoid unit.

Fill in the TODOs, then grade your work:
    tfcert grade horses-or-humans my_horses-or-humans.py   # trains solution_model() and scores it
    tfcert show horses-or-humans                           # the whole contract and the points ladder

The data is tensorflow-datasets' `horses_or_humans`: run `tfcert data fetch horses-or-humans`
once while online (or pass --data-dir DIR where it is prepared).

The contract (fixed by tasks/exam/horses-or-humans.yaml, read here so there is no second copy):
- input: (None, 300, 300, 3) float32 RAW pixels 0..255. Your model must rescale them itself:
  keras.layers.Rescaling(1/255) as the first layer (Lambda layers are refused, as in the exam).
- output: (None, 1), ONE sigmoid unit: the probability of CLASS_NAMES[1] ("humans").
- the hidden test images are the course's separate validation set: other renders, other poses.
"""

import keras

import grader

TASK = "horses-or-humans"
SPEC = grader.task(TASK)
IMAGE_SHAPE = SPEC.input.shape        # (300, 300, 3): do not change
CLASS_NAMES = SPEC.output.classes     # ("horses", "humans"): label 1 means humans


def solution_model() -> keras.Model:
    # uint8 images (N, 300, 300, 3) and integer labels (N,): 0 = horses, 1 = humans
    train_images, train_labels = grader.load_data(TASK, "train")
    valid_images, valid_labels = grader.load_data(TASK, "valid")

    model = keras.Sequential([
        keras.Input(shape=IMAGE_SHAPE),
        keras.layers.Rescaling(1 / 255),
        # TODO: optional: keras.layers.Resizing(150, 150) makes every epoch 3-4x faster on a CPU
        # TODO: augmentation layers (active only while training), e.g. RandomFlip("horizontal"), RandomZoom(...)
        # TODO: Conv2D + MaxPooling2D blocks, then Flatten and a Dense layer
        # TODO: the output layer: Dense(1, activation="sigmoid")
    ])
    # TODO: compile (binary_crossentropy: one sigmoid unit, integer labels 0/1) and fit,
    #       validating on (valid_images, valid_labels).
    return model


# The exam's template saved the model like this; the grader calls solution_model() itself.
if __name__ == "__main__":
    solution_model().save("horses-or-humans.keras")
