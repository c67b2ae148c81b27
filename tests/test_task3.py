"""task3: the tokenization contract, both input kinds, baselines, reference and diagnostics."""

import json

import numpy as np
import pytest

import grader
from grader.data import hidden_test_split
from grader.errors import ContractError
from grader.spec import PROJECT_ROOT
from grader.text import OOV_ID, Tokenizer, build_vocabulary


@pytest.fixture(scope="module")
def task3():
    return grader.task("task3")


@pytest.fixture(scope="module")
def tokenizer(task3):
    return Tokenizer.for_task(task3)


@pytest.fixture(scope="module")
def reference(train_once):
    return train_once(PROJECT_ROOT / "solutions" / "task3.py")


def test_shipped_vocabulary_is_built_from_the_training_split(task3, tokenizer):
    texts, _ = grader.load_data("task3", "train")
    rebuilt = build_vocabulary(texts, task3.input.preprocessing["vocab_size"])
    assert list(tokenizer.words) == rebuilt, "regenerate it: python -m grader.data write-vocabulary task3"
    assert len(rebuilt) == 998  # 1000 ids minus padding and OOV


def test_vocabulary_order_is_count_then_first_appearance():
    assert build_vocabulary(["b a c", "a c d", "c"], 5) == ["c", "a", "b"]


def test_tokenizer_pads_truncates_post_and_maps_unknown_words_to_oov():
    tok = Tokenizer(("the", "team", "wins"), max_length=4)
    assert tok.encode(["The team, WINS!"]).tolist() == [[2, 3, 4, 0]]
    assert tok.encode(["zorg team wins the day again"]).tolist() == [[OOV_ID, 3, 4, 2]]
    pre = Tokenizer(("the", "team", "wins"), max_length=4, padding="pre", truncating="pre")
    assert pre.encode(["team wins"]).tolist() == [[0, 0, 3, 4]]
    assert pre.encode(["zorg team wins the day"]).tolist() == [[3, 4, 2, OOV_ID]]


def test_text_vectorization_with_the_vocabulary_file_gives_the_graders_ids(task3, tokenizer, keras):
    settings = task3.input.preprocessing
    vectorize = keras.layers.TextVectorization(
        max_tokens=settings["vocab_size"], output_sequence_length=task3.input.shape[0],
        vocabulary=str(task3.project_path(settings["vocabulary"])),
    )
    test = hidden_test_split(task3)
    np.testing.assert_array_equal(np.asarray(vectorize(test.text)), test.x)
    train, _ = grader.load_data("task3", "train")
    np.testing.assert_array_equal(np.asarray(vectorize(train[:2000])), tokenizer.encode(train[:2000]))


def test_hidden_test_has_unseen_words_and_long_headlines(task3, tokenizer):
    test = hidden_test_split(task3)
    train, _ = grader.load_data("task3", "train")
    train_words = {w for text in train for w in text.split()}
    test_words = {w for text in test.text for w in text.split()}
    assert len(test_words - train_words) > 100
    lengths = np.array([len(text.split()) for text in test.text])
    assert (lengths > task3.input.shape[0]).mean() > 0.1
    assert (test.x == OOV_ID).any(axis=1).mean() > 0.5


def test_reference_gets_full_marks_but_not_100_percent(reference, run_cli, task3):
    path, _ = reference
    result = json.loads(run_cli("grade", "task3", path, "--json").stdout)
    assert result["points"] == 5 and result["passed"]
    assert result["value"] < 0.99  # label noise: nothing reaches 100%
    baselines = {b["name"]: b for b in result["baselines"]}
    assert baselines["majority_class"]["points"] <= 2
    assert baselines["bag_of_words"]["points"] <= 2


def test_tokens_model_as_h5_and_as_a_text_model_score_the_same(reference, task3, keras, tmp_path):
    path, _ = reference
    tokens_model = keras.saving.load_model(path, compile=False)
    h5 = tmp_path / "task3.h5"
    tokens_model.save(h5)
    from_keras = grader.grade(task3, str(path))
    from_h5 = grader.grade(task3, str(h5))
    assert from_h5.value == pytest.approx(from_keras.value, abs=1e-4)

    settings = task3.input.preprocessing
    text_input = keras.Input(shape=(1,), dtype="string")
    vectorize = keras.layers.TextVectorization(
        max_tokens=settings["vocab_size"], output_sequence_length=task3.input.shape[0],
        vocabulary=str(task3.project_path(settings["vocabulary"])),
    )
    text_model = keras.Model(text_input, tokens_model(vectorize(text_input)))
    saved = tmp_path / "text_model.keras"
    text_model.save(saved)
    from_text = grader.grade(task3, str(saved))
    assert from_text.value == pytest.approx(from_keras.value, abs=1e-4)


def small_text_model(keras, length=24, input_dim=1000, units=1, activation="sigmoid"):
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((length,), dtype="int32"), keras.layers.Embedding(input_dim, 8),
                             keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(units, activation=activation)])


def test_wrong_sequence_length_and_small_embedding_are_refused(task3, keras):
    with pytest.raises(ContractError, match=r"your model takes \(None, 120\); task3 feeds \(None, 24\): "
                                            r"headlines as 24 token ids \(0 = padding, 1 = <OOV>\)"):
        grader.grade(task3, small_text_model(keras, length=120))
    with pytest.raises(ContractError, match=r"input_dim=500, but task3 feeds token ids up to 999"):
        grader.grade(task3, small_text_model(keras, input_dim=500))


def test_big_embedding_two_softmax_units_and_constant_output_are_explained(task3, keras):
    big = grader.grade(task3, small_text_model(keras, input_dim=10000))
    assert any("input_dim=10000" in note for note in big.diagnostics)
    two_units = grader.grade(task3, small_text_model(keras, units=2, activation="softmax"))
    assert two_units.value is not None  # accepted, graded by argmax
    with pytest.raises(ContractError, match=r"expects \(None, 1\).*2 classes: negative, positive"):
        grader.grade(task3, small_text_model(keras, units=3, activation="softmax"))
    constant = small_text_model(keras)
    weights = constant.get_weights()
    weights[-2] = np.zeros_like(weights[-2])  # the last Dense ignores its input
    constant.set_weights(weights)
    result = grader.grade(task3, constant)
    assert any(note.startswith("predictions are constant") for note in result.diagnostics)
