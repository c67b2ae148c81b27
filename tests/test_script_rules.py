"""Reading a training script without running it: its entry function and the Keras it runs under."""


import pytest

from grader.errors import SubmissionError
from grader.sandbox.entry import choose_entry
from grader.sandbox.keras_runtime import choose_keras
from grader.spec import PROJECT_ROOT

REAL_CODE = PROJECT_ROOT.parent / "shared" / "realworld-code"
DICODING = ("solution_A2", "solution_model")


@pytest.mark.parametrize("source, entries, asked, chosen", [
    ("def solution_model():\n    pass\n", ("solution_model",), None, "solution_model"),
    ("def helper():\n    pass\ndef solution_A2():\n    pass\n", DICODING, None, "solution_A2"),
    ("def solution_B1():\n    pass\n", ("solution_C1", "solution_model"), None, "solution_B1"),  # the only solution_*
    ("def train():\n    pass\n", ("solution_model",), "train", "train"),
    ("def solution_model(:\n", ("solution_model",), None, "solution_model"),  # the child reports the syntax error
])
def test_the_entry_function_is_chosen_by_the_rule(source, entries, asked, chosen):
    assert choose_entry(source, entries, asked) == chosen


@pytest.mark.parametrize("source, entries, asked, words", [
    ("x = 1\n", ("solution_model",), None, "defines no solution_model() function (found no top-level function)"),
    ("def solution_A2():\n    pass\ndef solution_model():\n    pass\n", DICODING, None,
     "defines solution_A2() or solution_model(): which one trains the model? choose with --entry NAME"),
    ("def solution_X():\n    pass\ndef solution_Y():\n    pass\n", ("solution_model",), None,
     "several candidates (solution_X(), solution_Y()): choose with --entry NAME"),
    ("def fit():\n    pass\n", ("solution_model",), "train", "defines no train() function at the top level (found fit())"),
])
def test_no_entry_or_several_give_one_line_listing_what_was_found(source, entries, asked, words):
    with pytest.raises(SubmissionError, match=None) as error:
        choose_entry(source, entries, asked)
    assert words in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("source, runtime", [
    ("import tensorflow as tf\nm = tf.keras.Sequential()\n", 2),
    ("from keras_preprocessing.image import ImageDataGenerator\n", 2),
    ("import keras\nkeras.layers.Embedding(10, 2, input_length=5)\n", 2),
    ("import keras\nopt = keras.optimizers.Adam(lr=0.1)\n", 2),
    ("from keras.preprocessing.text import Tokenizer\n", 2),
    ("import keras\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\n", 3),
    ("import keras\nimport tensorflow as tf\nx = keras.ops.ones(3)\nm = tf.keras.Sequential()\n", 3),  # keras.ops: Keras 3 only
    ("import grader\nimport tensorflow as tf\nm = tf.keras.Sequential()\n", 3),  # tfcert's helpers are Keras 3
])
def test_auto_chooses_keras_2_for_exam_era_code_and_3_otherwise(source, runtime):
    assert choose_keras(source)[0] == runtime
    assert choose_keras(source, "3" if runtime == 2 else "2")[0] == 5 - runtime  # --keras overrides


def test_tfcert_starters_and_solutions_run_under_keras_3():
    scripts = sorted((PROJECT_ROOT / "starter").glob("*.py")) + sorted((PROJECT_ROOT / "solutions").glob("*.py"))
    assert scripts
    for script in scripts:
        assert choose_keras(script.read_text())[0] == 3, script


def test_every_real_exam_script_runs_under_keras_2():
    if not REAL_CODE.is_dir():
        pytest.skip(f"real learners' scripts not available: {REAL_CODE} is absent")
    scripts = sorted(REAL_CODE.glob("*.py"))
    assert len(scripts) == 17
    for script in scripts:
        assert choose_keras(script.read_text())[0] == 2, script


def test_standalone_keras_2_module_paths_choose_keras_2():
    assert choose_keras("from keras.layers.core import Dense\nfrom keras.utils.np_utils import to_categorical\n")[0] == 2
