"""Starter for the line problems: linear (exam category 1), dicoding-a1, dicoding-b1, dicoding-c1.

Set TASK, fill in the TODOs, then grade your work:
    tfcert grade linear my_line.py          # trains solution_model() and scores it
    tfcert show linear                      # the contract: the points, the tested range, the ladder

The contract (tasks/exam/linear.yaml, tasks/dicoding/dicoding-*1.yaml), as the templates state it:
- the data is the template's arrays, e.g. xs = [-1, 0, 1, 2, 3, 4] and ys = [0, 1, 2, 3, 4, 5];
- the model takes one number, input shape [1], and answers y, output shape [1];
- the score is MSE on x values across the template's range; the line beyond it (e.g. x = 10)
  is reported beside the score, not scored.
"""

import keras

import grader

TASK = "linear"  # or "dicoding-a1", "dicoding-b1", "dicoding-c1"
SPEC = grader.task(TASK)
INPUT_SHAPE = SPEC.input.shape        # (1,)


def solution_model() -> keras.Model:
    xs, ys = grader.load_data(TASK, "train")   # the template's arrays, float32
    model = keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        # TODO: one Dense unit is enough for a line
    ])
    # TODO: compile with an optimizer and loss="mean_squared_error", then fit on (xs, ys) until
    #       the loss is tiny (the Dicoding templates want MSE < 1e-4; try Adam with a large step).
    return model


if __name__ == "__main__":
    print(solution_model().predict(keras.ops.convert_to_tensor([[10.0]]), verbose=0))
