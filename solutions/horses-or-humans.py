"""Reference solution for horses-or-humans: the course's CNN, on half-size copies, with light augmentation.

The model takes the task's 300x300 raw pixels, rescales them and resizes them to 150x150 inside
itself (as the course's "smaller images" lab trained; an epoch is 3-4x faster on a CPU), flips
and zooms while training, and answers with one sigmoid unit (the probability of "humans").
Constants come from tasks/exam/horses-or-humans.yaml.

Not yet graded on the real test split (the data is not on the machine this was written on);
the spec's ladder says how its thresholds were chosen.
"""

import keras

import grader

TASK = "horses-or-humans"
SPEC = grader.task(TASK)
IMAGE_SHAPE = SPEC.input.shape
WORKING_SIZE = 150  # the CNN's own resolution: resized inside the model, so the contract stays 300x300
EPOCHS = 15


def solution_model() -> keras.Model:
    train_images, train_labels = grader.load_data(TASK, "train")
    valid_images, valid_labels = grader.load_data(TASK, "valid")

    model = keras.Sequential([
        keras.Input(shape=IMAGE_SHAPE),
        keras.layers.Rescaling(1 / 255),  # the grader feeds raw pixels 0..255
        keras.layers.Resizing(WORKING_SIZE, WORKING_SIZE),
        keras.layers.RandomFlip("horizontal"),  # a horse or a person facing either way
        keras.layers.RandomZoom(0.2),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),  # ONE unit: the probability of SPEC.output.classes[1]
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(train_images, train_labels, validation_data=(valid_images, valid_labels),
              epochs=EPOCHS, batch_size=32, verbose=2)
    return model


if __name__ == "__main__":
    solution_model().save("horses-or-humans.keras")
