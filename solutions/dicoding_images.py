"""The reference CNN of Dicoding's image problems A2, B3, C3 (horses or humans, rock paper scissors, cats vs dogs).

The course's recipe at the template's 150x150: pixels / 255 before training (the grader feeds
them so), flips and small rotations and zooms against overfitting, four Conv2D + MaxPooling2D
blocks and a Dense head ending in the task's output (one sigmoid unit, or a softmax).
Not trained here: this machine has no copy of the images (see the specs).
"""

import keras

import grader
from solutions.image_data import scaled_training_images

EPOCHS = 15
BATCH_SIZE = 32


def train_folder_classifier(task_id: str) -> keras.Model:
    """Train the reference CNN for dicoding-a2, dicoding-b3 or dicoding-c3."""
    keras.utils.set_random_seed(0)
    spec = grader.task(task_id)
    images, labels = scaled_training_images(task_id)
    binary = spec.output.activation == "sigmoid"

    layers = [keras.Input(shape=spec.input.shape), keras.layers.RandomFlip("horizontal"),
              keras.layers.RandomRotation(0.1), keras.layers.RandomZoom(0.2)]
    for filters in (16, 32, 64, 64):
        layers += [keras.layers.Conv2D(filters, 3, activation="relu"), keras.layers.MaxPooling2D()]
    layers += [keras.layers.Flatten(), keras.layers.Dropout(0.5), keras.layers.Dense(256, activation="relu"),
               keras.layers.Dense(spec.output.shape[0], activation=spec.output.activation)]
    model = keras.Sequential(layers)
    model.compile(optimizer="adam", metrics=["accuracy"],
                  loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy")
    model.fit(images, labels, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=2)
    return model
