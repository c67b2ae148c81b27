"""Reference solution for task1: a small CNN that learns pose-invariance from augmentation layers.

The augmentation layers are part of the model (active only in training), so the saved model
carries its preprocessing and the grader feeds it raw pixels. Constants come from tasks/task1.yaml.
"""

import keras

import grader

SPEC = grader.task("task1")
IMAGE_SHAPE = SPEC.input.shape
CLASSES = len(SPEC.output.classes)
EPOCHS = 20


def augmentation() -> list:
    """Cover the poses of the hidden test images: flips, +-0.57 rad, +-25% zoom, +-14% shift."""
    return [
        keras.layers.RandomFlip("horizontal_and_vertical"),
        keras.layers.RandomRotation(0.09),
        keras.layers.RandomZoom((-0.25, 0.25)),
        keras.layers.RandomTranslation(0.14, 0.14),
    ]


def solution_model(augment: bool = True) -> keras.Model:
    train_images, train_labels = grader.load_data("task1", "train")
    valid_images, valid_labels = grader.load_data("task1", "valid")

    model = keras.Sequential([
        keras.Input(shape=IMAGE_SHAPE),
        keras.layers.Rescaling(1 / 255),  # the grader feeds raw pixels 0..255
        *(augmentation() if augment else []),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(CLASSES, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_images, train_labels, validation_data=(valid_images, valid_labels),
              epochs=EPOCHS, batch_size=32, verbose=2)
    return model


if __name__ == "__main__":
    solution_model().save("task1.keras")
