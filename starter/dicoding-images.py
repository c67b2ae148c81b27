"""Starter for Dicoding's image problems: dicoding-a2, a3 (horses or humans), b3 (rock paper scissors), c3 (cats, dogs).

Set TASK, fill in the TODOs, then grade your work:
    tfcert --data-dir DIR grade dicoding-a2 my_cnn.py   # trains solution_model() and scores it
    tfcert show dicoding-a2                              # the contract, the folders, the line

The data: Dicoding's zips unpacked under DIR as the spec says (`tfcert show TASK`), one folder
per class, as the template's flow_from_directory read them.
The contract (tasks/dicoding/dicoding-a2.yaml, dicoding-a3.yaml, dicoding-b3.yaml, dicoding-c3.yaml):
- the model takes (None, 150, 150, 3): the template's target_size;
- the grader feeds pixels divided by DIVIDE (255: 0..1), as ImageDataGenerator(rescale=1/255)
  did: divide your training images the same way, and add no Rescaling layer;
- output: one sigmoid unit (A2, A3: humans = 1; C3: dogs = 1) or a softmax over paper, rock,
  scissors (B3);
- A3 is transfer learning: in place of the Conv2D blocks, a frozen ImageNet backbone, e.g.
  Rescaling(255) then grader.pretrained.load_backbone("efficientnet_lite0", INPUT_SHAPE).
"""

import keras

import grader

TASK = "dicoding-a2"  # or "dicoding-a3", "dicoding-b3", "dicoding-c3"
SPEC = grader.task(TASK)
INPUT_SHAPE = SPEC.input.shape                 # (150, 150, 3)
DIVIDE = SPEC.input.preprocessing["divide"]    # 255.0
OUTPUT_UNITS = SPEC.output.shape[0]            # 1 (A2, A3, C3) or 3 (B3)
ACTIVATION = SPEC.output.activation            # "sigmoid" or "softmax"


def solution_model() -> keras.Model:
    train_images, train_labels = grader.load_data(TASK, "train")   # uint8 (N, 150, 150, 3)
    valid_images, valid_labels = grader.load_data(TASK, "valid")
    # TODO: divide the pixels by DIVIDE, as the grader feeds them.
    model = keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        # TODO: augmentation layers (RandomFlip, RandomRotation, RandomZoom)
        # TODO: Conv2D + MaxPooling2D blocks, Flatten, Dense
        # TODO: the output layer: Dense(OUTPUT_UNITS, activation=ACTIVATION)
    ])
    # TODO: compile (binary or sparse categorical cross-entropy) and fit, validating on the valid images.
    return model
