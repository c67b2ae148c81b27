"""Training code written with Keras 2 habits fails with one line that gives the Keras 3 way."""

import json
import textwrap

import pytest

from grader.sandbox.keras_habits import keras3_hint, with_hint
from grader.spec import PROJECT_ROOT

IMPORTS = "import keras\nimport numpy as np\nimport grader\n"
WINDOWS = "x, y = np.zeros((64, 30, 1), 'float32'), np.zeros((64, 1), 'float32')\n"

# name -> (solution_model body, words the one-line error must hold)
FAILING = {
    "compile's third positional argument": ("""
        model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
        model.compile("adam", "mse", ["mae"])
        model.fit(x, y, epochs=1, verbose=0)
        return model""", "metrics=[...]"),
    "keras.preprocessing.text.Tokenizer": ("""
        from keras.preprocessing.text import Tokenizer
        Tokenizer(num_words=1000, oov_token="<OOV>")""", "keras.layers.TextVectorization, or grader.text.Tokenizer"),
    "Embedding(input_length=...)": ("""
        model = keras.Sequential([keras.layers.Embedding(1000, 16, input_length=30), keras.layers.Flatten(),
                                  keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        return model""", "start it with keras.Input(shape=(max_length,))"),
    "ImageDataGenerator": ("""
        from keras.preprocessing.image import ImageDataGenerator
        ImageDataGenerator(rescale=1 / 255)""", "augmentation layers"),
    "model.save inside solution_model()": ("""
        model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
        model.save("mymodel")
        return model""", "the grader saves the model that solution_model() returns"),
    "a model never built": ("""
        return keras.Sequential([keras.layers.Dense(1)])""", "or was never built; task4 needs a model from keras.Input"),
    "Adam(lr=...)": ("""
        model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(lr=0.01), loss="mse")
        return model""", "learning_rate=, not lr="),
}


def _solution(tmp_path, body: str):
    path = tmp_path / "solution.py"
    path.write_text(IMPORTS + WINDOWS + "\n\ndef solution_model():\n" + textwrap.indent(textwrap.dedent(body), "    "))
    return path


@pytest.mark.parametrize("name", list(FAILING))
def test_a_keras_2_habit_fails_with_the_keras_3_way(name, tmp_path, run_cli):
    body, words = FAILING[name]
    result = run_cli("grade", "task4", _solution(tmp_path, body), "--time-limit", "120")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert result.exit_code == 2 and len(errors) == 1, result.stderr[-600:]
    assert words in errors[0], errors[0]


def test_the_fix_comes_before_keras_3s_own_words():
    message = "solution_model() raised ValueError: dtype='string' is not a valid dtype for Keras type promotion."
    line = with_hint(message, "model.compile('adam', 'mse', ['mae'])")
    assert line.startswith("Keras 3: compile()'s third positional argument is loss_weights")
    assert line.endswith("what failed: " + message)
    assert with_hint("ValueError: something else", "") == "ValueError: something else"


def test_a_model_never_compiled_is_graded_and_says_why_it_scores_low(tmp_path, run_cli):
    """Saving it to a .keras file inside solution_model() changes nothing, as the README says."""
    body = """
        model = keras.Sequential([keras.Input((30, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
        model.save("task4.keras")
        return model"""
    result = run_cli("grade", "task4", _solution(tmp_path, body), "--json", "--time-limit", "120")
    assert result.exit_code == 0, result.stderr[-600:]
    assert json.loads(result.stdout)["diagnostics"][0].startswith(
        "solution_model() returned a model that was never compiled, so it was never trained")
    assert 'model.save("task4.keras")`, is harmless' in (PROJECT_ROOT / "README.md").read_text()


@pytest.mark.parametrize(
    ("message", "source", "words"),
    [
        ("ValueError: dtype='string' is not a valid dtype for Keras type promotion.", "", "loss_weights"),
        ("ValueError: something else", "model.compile('adam', 'mse', ['mae'])", "loss_weights"),
        ("AttributeError: module 'keras.preprocessing' has no attribute 'text'", "", "TextVectorization"),
        ("AttributeError: 'Sequential' object has no attribute 'fit_generator'", "", "model.fit"),
        ("OSError: [Errno 30] Read-only file system: '/content/model.h5'", "model.save('/content/model.h5')",
         "the grader saves"),
    ],
)
def test_hints_come_from_the_error_or_the_code(message, source, words):
    assert words in keras3_hint(message, source)


def test_no_hint_for_an_ordinary_mistake():
    assert keras3_hint("ZeroDivisionError: division by zero", "model.save('x.keras')\n1 / 0") is None
