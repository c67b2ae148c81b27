"""Keras 2 habits that fail under Keras 3, recognised in a failed training run: one line with the fix.

Learners bring code from the course and the exam era (TF 2.x, Keras 2). Under Keras 3 it fails
with messages that do not say why (`compile("adam", "mse", ["mae"])` surfaces as "dtype='string'
is not a valid dtype for Keras type promotion"). Each habit is recognised by the error's words,
or by the solution's own code where the error is generic, and answered with the Keras 3 way.

Example:
    keras3_hint("ValueError: dtype='string' is not a valid dtype for Keras type promotion.", source)
    # "Keras 3: compile()'s third positional argument is loss_weights, not metrics: ..."
"""

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Habit:
    """A Keras 2 habit: the error words or the code that give it away, and the Keras 3 fix."""

    fix: str
    error: re.Pattern | None = None  # matched against the one-line error
    code: Callable[[ast.AST], bool] | None = None  # or true of the solution's syntax tree (with a generic error)
    code_errors: tuple[str, ...] = ()  # the generic errors the code check explains (empty: any)


def _calls(tree: ast.AST, name: str):
    """Every call of a function or method called `name` in `tree`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called == name:
                yield node


def _compile_with_positional_metrics(tree: ast.AST) -> bool:
    return any(len(call.args) >= 3 for call in _calls(tree, "compile"))


def _embedding_with_input_length(tree: ast.AST) -> bool:
    return any(keyword.arg == "input_length" for call in _calls(tree, "Embedding") for keyword in call.keywords)


def _saves_a_model(tree: ast.AST) -> bool:
    return any(_calls(tree, "save"))


NEVER_BUILT = "was never built"
HABITS = (
    Habit("compile()'s third positional argument is loss_weights, not metrics: write "
          "model.compile(optimizer=..., loss=..., metrics=[...]) with names",
          re.compile(r"dtype='string' is not a valid dtype for Keras type promotion"),
          _compile_with_positional_metrics),
    Habit("keras.preprocessing.text.Tokenizer is gone: use keras.layers.TextVectorization, or "
          "grader.text.Tokenizer.for_task(spec), which gives the task's own ids",
          re.compile(r"keras\.preprocessing\.text|keras\.preprocessing' has no attribute 'text'"
                     r"|cannot import name 'Tokenizer'")),
    Habit("Embedding(input_length=...) no longer builds the model: start it with "
          "keras.Input(shape=(max_length,)) before the Embedding",
          code=_embedding_with_input_length, code_errors=(NEVER_BUILT,)),
    Habit("ImageDataGenerator is gone: put augmentation layers (keras.layers.RandomFlip, RandomRotation, "
          "RandomZoom) in the model and read image folders with keras.utils.image_dataset_from_directory",
          re.compile(r"ImageDataGenerator")),
    Habit("fit_generator and its kin are gone: model.fit, evaluate and predict take generators and datasets",
          re.compile(r"has no attribute '(fit|evaluate|predict)_generator'")),
    Habit("optimizers take learning_rate=, not lr=",
          re.compile(r"Argument\(s\) not recognized: \{'lr'")),
    Habit("the grader saves the model that solution_model() returns: remove model.save(...) (Keras 3 "
          "saves only .keras and .h5 files; a SavedModel needs model.export)",
          re.compile(r"Invalid filepath extension for saving"),
          _saves_a_model, ("Read-only file system", "Permission denied")),
)


def keras3_hint(message: str, source: str) -> str | None:
    """'Keras 3: <the fix>' for the first habit that `message` (a one-line error) or `source` shows."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = None
    for habit in HABITS:
        if habit.error is not None and habit.error.search(message):
            return f"Keras 3: {habit.fix}"
        explains = not habit.code_errors or any(words in message for words in habit.code_errors)
        if habit.code is not None and tree is not None and explains and habit.code(tree):
            return f"Keras 3: {habit.fix}"
    return None


def with_hint(message: str, source: str) -> str:
    """'Keras 3: <fix>; what failed: <message>' when a Keras 2 habit explains `message`, else `message`.

    The fix comes first: Keras 3's own words (e.g. "dtype='string' is not a valid dtype") say
    nothing about the habit, so a learner reading from the left must meet the fix before them.
    """
    hint = keras3_hint(message, source)
    return f"{hint}; what failed: {message}" if hint else message
