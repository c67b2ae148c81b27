"""Starter for the 28x28 image problems: fashion-mnist (exam category 2), dicoding-b2, dicoding-c2.

Set TASK, fill in the TODOs, then grade your work:
    tfcert grade fashion-mnist my_classifier.py   # trains solution_model() and scores it
    tfcert show fashion-mnist                     # the contract and the points ladder

The data: the four original idx files in --data-dir DIR/fashion-mnist (or DIR/mnist), or what
keras.datasets.fashion_mnist.load_data() already downloaded to ~/.keras/datasets.
The contract (tasks/exam/fashion-mnist.yaml, tasks/dicoding/dicoding-?2.yaml):
- the model takes (None, 28, 28) exactly, as the exam's template insisted: no channel axis
  (a keras.layers.Reshape((28, 28, 1)) inside the model is fine, for Conv2D);
- the grader feeds pixels divided by DIVIDE (255: values 0..1): divide your training images
  the same way, as the templates' `images / 255.0` did, and add no Rescaling layer;
- output: (None, 10), a softmax over the classes.
"""

import keras

import grader

TASK = "fashion-mnist"  # or "dicoding-b2" (Fashion-MNIST), "dicoding-c2" (MNIST digits)
SPEC = grader.task(TASK)
INPUT_SHAPE = SPEC.input.shape                       # (28, 28)
DIVIDE = SPEC.input.preprocessing["divide"]          # 255.0
CLASSES = len(SPEC.output.classes)                   # 10


def solution_model() -> keras.Model:
    train_images, train_labels = grader.load_data(TASK, "train")   # uint8 (50000, 28, 28), labels 0..9
    valid_images, valid_labels = grader.load_data(TASK, "valid")   # the last 10,000 training images
    # TODO: scale the pixels as the grader feeds them: images / DIVIDE.
    model = keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        # TODO: Flatten and Dense layers (or Reshape((28, 28, 1)) + Conv2D + MaxPooling2D first)
        # TODO: the output layer: Dense(CLASSES, activation="softmax")
    ])
    # TODO: compile with sparse_categorical_crossentropy and fit, validating on the valid images.
    return model


if __name__ == "__main__":
    solution_model().save("mymodel.keras")
