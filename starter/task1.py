"""task1 starter: classify shapes with a CNN that survives flips, rotations, zoom and shifts.

Fill in the TODOs, then grade your work:
    tfcert grade task1 my_task1.py        # trains solution_model() and scores it
    tfcert show task1                     # the whole contract and the points ladder

The contract (fixed by tasks/task1.yaml, read here so there is no second copy):
- input: (None, 64, 64, 3) float32 RAW pixels 0..255. Your model must rescale them itself:
  keras.layers.Rescaling(1/255) as the first layer (Lambda layers are refused, as in the exam).
- output: (None, 5) softmax probabilities over CLASS_NAMES.
- the training images are upright and centred; the hidden test images are shifted, rotated,
  zoomed and flipped (`tfcert show task1` gives the ranges). Augmentation is the point.
"""

import keras

import grader

SPEC = grader.task("task1")
IMAGE_SHAPE = SPEC.input.shape        # (64, 64, 3): do not change
CLASS_NAMES = SPEC.output.classes      # label k in the data is CLASS_NAMES[k]


def solution_model() -> keras.Model:
    # uint8 images (N, 64, 64, 3) and integer labels (N,)
    train_images, train_labels = grader.load_data("task1", "train")
    valid_images, valid_labels = grader.load_data("task1", "valid")

    model = keras.Sequential([
        keras.Input(shape=IMAGE_SHAPE),
        keras.layers.Rescaling(1 / 255),
        # TODO: augmentation layers (active only while training), e.g.
        #       keras.layers.RandomFlip(...), RandomRotation(...), RandomZoom(...), RandomTranslation(...)
        # TODO: Conv2D + MaxPooling2D blocks, then Flatten and Dense layers
        # TODO: the output layer: len(CLASS_NAMES) units with a softmax
    ])
    # TODO: compile (sparse_categorical_crossentropy: the labels are integers) and fit,
    #       validating on (valid_images, valid_labels). Watch the time: about 20 epochs fit in 2 minutes.
    return model


# The exam's template saved the model like this; the grader calls solution_model() itself.
if __name__ == "__main__":
    solution_model().save("task1.keras")
