"""Which Keras a training script runs under (2 or 3), chosen from the script itself, and Keras 2 set up in the child.

The exam (TF 2.x), the course and Dicoding's templates are Keras 2: `tf.keras`, `keras_preprocessing`,
`Tokenizer`, `ImageDataGenerator`, `Embedding(input_length=)`, `Adam(lr=)`. Such a script trains
unchanged under Google's `tf_keras` (Keras 2, released in step with TensorFlow). tfcert's own
starters and reference solutions are Keras 3.

The rule of `--keras auto` (the default), first match wins:
1. the script imports tfcert (`grader`, `solutions`): Keras 3, as tfcert's helpers are;
2. it uses an API only Keras 3 has (`keras.ops`, `keras.random`, `keras.saving`, `keras.config`,
   `keras.src`, `keras_core`, `keras_hub`): Keras 3;
3. it uses TensorFlow's Keras (`tf.keras`, `tensorflow.keras`, `from tensorflow import keras`),
   `keras_preprocessing`, or an API only Keras 2 has (`keras.preprocessing.text|sequence|image`,
   standalone Keras 2's `keras.layers.core` and kin, `ImageDataGenerator`, `fit_generator`,
   `Embedding(input_length=)`, an optimizer's `lr=`): Keras 2;
4. otherwise (a bare `import keras` and nothing of Keras 2): Keras 3.

In the child, `activate_keras2()` runs before anything imports Keras: TF_USE_LEGACY_KERAS=1 makes
`tf.keras` and `tensorflow.keras.*` tf_keras, and an import alias makes `keras.*` (standalone
Keras 2's `keras.layers.core` and kin: tf_keras.src's) and `keras_preprocessing.*` tf_keras too.
Why an alias and not the old keras_preprocessing package: its last release (1.1.2, 2020) fails
under NumPy 2 (`pad_sequences` uses `np.unicode_`), and tf_keras carries the same code, maintained.

Example:
    choose_keras(source, asked="auto")   # 2 for an exam-era script, 3 for tfcert's starters
"""

import ast
import importlib
import importlib.abc
import importlib.util
import os
import sys

KERAS_CHOICES = ("2", "3", "auto")
TFCERT_PACKAGES = {"grader", "solutions"}
KERAS3_ONLY_MODULES = {"keras_core", "keras_hub", "keras_nlp", "keras_cv"}
KERAS3_ONLY_ATTRIBUTES = {"ops", "random", "saving", "config", "src", "export", "tree", "distribution"}
KERAS2_ONLY_CALLS = {"ImageDataGenerator", "fit_generator", "evaluate_generator", "predict_generator"}
OPTIMIZERS = {"Adam", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl"}
KERAS2_PREPROCESSING = {"text", "sequence", "image"}
# Standalone Keras 2's module paths (keras 2.0-2.5), gone from Keras 3: `from keras.layers.core import Dense`
KERAS2_ONLY_MODULES = ("keras.layers.core", "keras.layers.convolutional", "keras.layers.recurrent",
                       "keras.layers.embeddings", "keras.layers.pooling", "keras.layers.normalization",
                       "keras.utils.np_utils", "keras.wrappers", "keras.engine", "keras.legacy")
# What tf_keras stands in for under Keras 2, alias -> real module.
ALIASES = {"keras": "tf_keras", "keras_preprocessing": "tf_keras.preprocessing"}


def _dotted(node: ast.AST) -> str:
    """'tf.keras.layers' for an attribute chain, '' for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _imported_modules(tree: ast.AST) -> list[str]:
    """Every module an import statement names, with `from X import y` also giving 'X.y'."""
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.append(node.module)
            modules += [f"{node.module}.{alias.name}" for alias in node.names]
    return modules


def keras_markers(source: str) -> tuple[set[str], set[str], set[str]]:
    """(tfcert imports, Keras 3-only uses, Keras 2 uses) found in `source`, each as short descriptions."""
    tree = ast.parse(source)
    modules = _imported_modules(tree)
    tfcert = {m for m in modules if m.split(".")[0] in TFCERT_PACKAGES}
    keras3 = {m for m in modules if m.split(".")[0] in KERAS3_ONLY_MODULES}
    keras3 |= {m for m in modules if m.startswith("keras.") and m.split(".")[1] in KERAS3_ONLY_ATTRIBUTES}
    keras2 = {m for m in modules if m.startswith(("tensorflow.keras", "keras_preprocessing", *KERAS2_ONLY_MODULES))
              or (m.startswith("keras.preprocessing.") and m.split(".")[2] in KERAS2_PREPROCESSING)}
    for node in ast.walk(tree):
        dotted = _dotted(node) if isinstance(node, ast.Attribute) else ""
        if dotted.startswith(("tf.keras", "tensorflow.keras")):
            keras2.add("tf.keras")
        elif dotted.startswith("keras.") and dotted.split(".")[1] in KERAS3_ONLY_ATTRIBUTES:
            keras3.add(".".join(dotted.split(".")[:2]))
        elif dotted.startswith("keras.preprocessing.") and dotted.split(".")[2] in KERAS2_PREPROCESSING:
            keras2.add(".".join(dotted.split(".")[:3]))
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            keywords = {keyword.arg for keyword in node.keywords}
            if called in KERAS2_ONLY_CALLS:
                keras2.add(called)
            elif called == "Embedding" and "input_length" in keywords:
                keras2.add("Embedding(input_length=)")
            elif called in OPTIMIZERS and "lr" in keywords:
                keras2.add(f"{called}(lr=)")
    return tfcert, keras3, keras2


def choose_keras(source: str, asked: str = "auto") -> tuple[int, str]:
    """(2 or 3, why in a few words) for `source` under `--keras asked` (see the module doc for the rule)."""
    if asked in ("2", "3"):
        return int(asked), f"--keras {asked}"
    try:
        tfcert, keras3, keras2 = keras_markers(source)
    except (SyntaxError, ValueError):
        return 3, "the file does not parse"
    if tfcert:
        return 3, f"imports tfcert ({sorted(tfcert)[0]})"
    if keras3:
        return 3, f"uses {sorted(keras3)[0]}, which only Keras 3 has"
    if keras2:
        return 2, f"uses {sorted(keras2)[0]}"
    return 3, "uses no Keras 2 API"


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import `keras.x` as `tf_keras.x` (the same module object, under both names)."""

    def find_spec(self, fullname, path=None, target=None):
        head, dot, rest = fullname.partition(".")
        if head not in ALIASES:
            return None
        real = ALIASES[head] + (dot + rest)
        if not self._exists(real) and head == "keras":  # standalone Keras 2's module paths: keras.layers.core
            real = f"{ALIASES[head]}.src.{rest}"
        if not self._exists(real):
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=real)

    @staticmethod
    def _exists(name: str) -> bool:
        try:
            return importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # a parent package is missing
            return False

    def __init__(self):
        self._real_specs = {}  # real module name -> its own spec

    def create_module(self, spec):
        module = importlib.import_module(spec.origin)
        self._real_specs.setdefault(spec.origin, module.__spec__)
        return module

    def exec_module(self, module):
        # The import system gave the module the alias's spec: put its own back (it is already executed).
        module.__spec__ = self._real_specs[module.__spec__.origin]


def activate_keras2() -> None:
    """Make this process's Keras tf_keras (Keras 2); call before anything imports TensorFlow or Keras."""
    if any(name in sys.modules for name in ("keras", "tensorflow")):
        raise RuntimeError("activate_keras2() must run before TensorFlow or Keras is imported")
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    sys.meta_path.insert(0, _Alias())
