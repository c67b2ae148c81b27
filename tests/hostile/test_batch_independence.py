"""One example's answer must not depend on the others: models that read their batch-mates are refused.

A safe `.keras` file can hold batch-wide operations (keras.ops.roll, sort, mean over the batch).
The red team's model answered each task4 window with the last value of the next window and
scored MAE 0.078 without training. Each model here is built from its description, graded the
way a learner grades it, and must be refused with one line; honest models must keep their
exact scores (the secret feeding order changes no bit of their answers).
"""

import numpy as np
import pytest
from conftest import naive_forecaster, single_error, small_forecaster

import grader
from grader.data import hidden_test_split
from grader.models.predict import predict
from grader.sandbox.runner import isolation
from grader.scoring.evaluate import evaluate_predictions

DEPENDS = "depends on the other inputs fed with it"


def next_window_forecaster(keras):
    """The red team's model: window i answered with the last value of window i+1 (keras.ops.roll)."""
    inputs = keras.Input((30, 1))
    return keras.Model(inputs, keras.ops.roll(inputs[:, -1, :], shift=-1, axis=0))


def batch_centred_classifier(keras):
    """A task1 classifier that calibrates on its batch: logits minus the batch's mean logits."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((64, 64, 3))
    logits = keras.layers.Dense(5)(keras.layers.GlobalAveragePooling2D()(keras.layers.Rescaling(1 / 255)(inputs)))
    centred = logits - keras.ops.mean(logits, axis=0, keepdims=True)
    return keras.Model(inputs, keras.layers.Softmax()(centred))


def position_classifier(keras):
    """Answers by the input's position in its batch (a hidden split sorted by class would give it away)."""
    inputs = keras.Input((64, 64, 3))
    position = keras.ops.cumsum(keras.ops.ones_like(inputs[:, 0, 0, :1]), axis=0)  # 1, 2, 3... down the batch
    return keras.Model(inputs, keras.ops.one_hot(keras.ops.cast(position[:, 0] * 5 // 257, "int32"), 5))


@pytest.mark.parametrize("secret", [None, "instructor-only"])
def test_the_next_window_model_is_refused(secret, keras, tmp_path, run_cli, monkeypatch):
    if secret:
        monkeypatch.setenv("TFCERT_SECRET", secret)
    path = tmp_path / "roll.keras"
    next_window_forecaster(keras).save(path)
    result = run_cli("grade", "task4", path)
    assert result.exit_code == 2 and DEPENDS in single_error(result)


@pytest.mark.parametrize("build", [batch_centred_classifier, position_classifier])
def test_classifiers_that_read_their_batch_are_refused(build, keras, tmp_path, run_cli):
    path = tmp_path / "batchwise.keras"
    build(keras).save(path)
    result = run_cli("grade", "task1", path)
    assert result.exit_code == 2 and DEPENDS in single_error(result)


def stateful_forecaster(keras):
    """Keras 3 builds a stateful RNN only for a fixed batch size, which the input contract refuses."""
    inputs = keras.Input((30, 1), batch_size=256)
    return keras.Model(inputs, keras.layers.Dense(1)(keras.layers.LSTM(4, stateful=True)(inputs)))


def row_dropping_forecaster(keras):
    """Declares (None, 1) but answers one row fewer than it is fed."""
    inputs = keras.Input((30, 1))
    return keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(inputs[1:, :, :])))


def text_forecaster(keras):
    """Answers each window with a word (StringLookup inverted): (None, 1) strings."""
    inputs = keras.Input((30, 1))
    ids = keras.ops.cast(keras.ops.clip(inputs[:, -1, :], 0, 2), "int64")
    return keras.Model(inputs, keras.layers.StringLookup(vocabulary=["a", "b"], invert=True)(ids))


@pytest.mark.parametrize("build, words", [
    (stateful_forecaster, "your model takes (256, 30, 1)"),
    (row_dropping_forecaster, "rows for a batch of"),
    (text_forecaster, "answers with text, not numbers"),
])
def test_answers_that_cannot_be_scored_are_refused_in_one_line(build, words, keras, tmp_path, run_cli):
    path = tmp_path / "model.keras"
    build(keras).save(path)
    result = run_cli("grade", "task4", path)
    assert result.exit_code == 2 and words in single_error(result)


@pytest.mark.parametrize("secret", [None, "instructor-only"])
def test_honest_models_keep_their_exact_scores(secret, keras, task4, monkeypatch):
    """The secret order and the check change no bit: the score is what in-order prediction gives."""
    if secret:
        monkeypatch.setenv("TFCERT_SECRET", secret)
    test = hidden_test_split(task4)
    for model in (small_forecaster(keras, seed=3), naive_forecaster(keras)):
        in_order = predict(model, test.x)  # today's feeding: batches of 256 in the split's order
        expected = evaluate_predictions(in_order, task4, test).metric_value
        assert grader.grade(task4, model).value == round(expected, 6)


def test_the_feeding_plan_is_secret_and_keeps_rows():
    from grader.models.feeding import feeding_plan

    plan, again, other = (feeding_plan(1825, key) for key in (b"a", b"a", b"b"))
    assert np.array_equal(plan.order, again.order) and not np.array_equal(plan.order, other.order)
    scored = plan.order[:plan.scored]
    assert sorted(scored) == list(range(1825))
    full = scored[:1792].reshape(7, 256)
    assert (full % 256 == np.arange(256)).all()  # each example keeps its row: its float rounding too
    assert (plan.checked % 256 != np.arange(len(plan.checked))).mean() > 0.9  # re-fed in another row
    assert (full != np.arange(1792).reshape(7, 256)).mean() > 0.8  # but its batch-mates change
    assert len(plan.checked) == 183 and plan.batch_sizes == (256,) * 7 + (33, 183)  # a tenth re-fed


@pytest.mark.skipif(isolation() is None, reason="SavedModels are predicted in a sandboxed child; none works here")
def test_the_next_window_model_is_refused_as_a_savedmodel(keras, tmp_path, run_cli):
    next_window_forecaster(keras).export(tmp_path / "exported", verbose=False)
    result = run_cli("grade", "task4", tmp_path / "exported")
    assert result.exit_code == 2 and DEPENDS in single_error(result)


@pytest.mark.skipif(isolation() is None, reason="SavedModels are predicted in a sandboxed child; none works here")
def test_a_savedmodel_that_keeps_state_between_calls_is_refused(tmp_path, run_cli):
    """A serving function that stores what it saw in a variable could answer later batches from it."""
    import tensorflow as tf

    class Remembers(tf.Module):
        def __init__(self):
            self.seen = tf.Variable(tf.zeros((1,)))

        @tf.function(input_signature=[tf.TensorSpec((None, 30, 1), tf.float32)])
        def serve(self, x):
            self.seen.assign(x[-1, -1])
            return x[:, -1, :] + 0 * self.seen

    module = Remembers()
    tf.saved_model.save(module, str(tmp_path / "stateful"), signatures={"serving_default": module.serve})
    result = run_cli("grade", "task4", tmp_path / "stateful")
    assert result.exit_code == 2 and "changes variables or touches files" in single_error(result)
