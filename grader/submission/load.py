"""Open what was submitted: a `.keras` or `.h5` model file, safely (no code from the file runs).

The model's saved config is read and checked before Keras sees it: a `Lambda` layer or a
custom class is refused with a message that names the layer and the built-in to use instead.
Known Keras 2 differences are shimmed (grader.submission.compat) on a temporary copy; the learner's file
is never modified. Loading is `compile=False` in Keras safe mode.

Example:
    loaded = load_model_file(Path("model.h5"), spec)
    loaded.model.predict(x)
"""

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import SubmissionError
from grader.models.runtime import import_keras
from grader.submission.compat import explain_load_error, iter_layer_configs, shim_h5

MODEL_SUFFIXES = (".keras", ".h5", ".hdf5")
MAX_CONFIG_BYTES = 16 * 2**20  # a model config is kilobytes; more is an attack or not a model
UNPACKED_SIZE_FACTOR = 4  # weights barely compress: far more unpacked than packed is a zip bomb


@dataclass
class LoadedModel:
    """A model ready to predict, and how it was opened."""

    model: Any
    format: str  # "keras", "h5" or "in-memory"
    saved_by: str | None = None  # e.g. "Keras 2.21.0"
    shims: list[str] = field(default_factory=list)


def is_saved_model(path: Path) -> bool:
    """True for a TensorFlow SavedModel directory (e.g. from model.export() or tf.saved_model.save)."""
    return path.is_dir() and not path.is_symlink() and (path / "saved_model.pb").is_file()


def refuse_links(path: Path) -> None:
    """Refuse a submission that is a symlink, or a SavedModel directory holding one.

    A link submits someone else's file under this name (bob/solution.py -> ../alice/solution.py
    would get alice's result): every kind of submission must be the file itself.
    """
    if path.is_symlink():
        raise SubmissionError(f"{path}: a symlink (to {os.readlink(path)}), not a file; submit the file itself")
    if path.is_dir() and (path / "saved_model.pb").is_file():  # a SavedModel: its files must be its own
        for folder, names, files in os.walk(path):
            for name in (*names, *files):
                if os.path.islink(os.path.join(folder, name)):
                    raise SubmissionError(f"{path}: holds a symlink ({os.path.join(folder, name)}); "
                                          "submit the SavedModel's files themselves")


def check_file(path: Path, max_file_mb: float) -> None:
    """Refuse paths that are not a readable regular model file within the size limit."""
    refuse_links(path)
    if not path.exists():
        raise SubmissionError(f"{path}: no such file; check the path")
    if path.is_dir() and not is_saved_model(path):
        raise SubmissionError(
            f"{path}: is a directory, and not a SavedModel (no saved_model.pb); submit a .keras or .h5 file "
            "(save with model.save('model.keras')) or a SavedModel directory (model.export('dir'))"
        )
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    size_mb = sum(p.stat().st_size for p in files) / 2**20
    if size_mb > max_file_mb:
        raise SubmissionError(
            f"{path}: {size_mb:.1f} MB is over the task's {max_file_mb:g} MB limit; use a smaller model"
        )
    if size_mb == 0:
        raise SubmissionError(f"{path}: the file is empty; save the model again")


def load_model_file(path: Path, max_file_mb: float, trust: bool = False) -> LoadedModel:
    """Open a `.keras` or `.h5` file, or raise SubmissionError saying why not.

    By default in safe mode, with Lambda layers and custom classes refused before Keras sees the
    file. `trust=True` lets Keras run the file's code: only ever inside a sandboxed child
    (grader.sandbox.trusted_child).
    """
    check_file(path, max_file_mb)
    kind, config, saved_by = read_saved_config(path, max_file_mb)
    if not trust:
        _refuse_code_layers(config, path)
    if kind == "keras":
        return LoadedModel(_keras_load(path, path, config, saved_by, safe_mode=not trust), kind, saved_by)
    with tempfile.TemporaryDirectory(prefix="tfcert-shim-") as workdir:
        loadable, shims = shim_h5(path, config, Path(workdir))
        return LoadedModel(_keras_load(loadable, path, config, saved_by, safe_mode=not trust), kind, saved_by, shims)


def read_saved_config(path: Path, max_file_mb: float) -> tuple[str, dict, str | None]:
    """("keras" | "h5", the saved model config, "Keras x.y.z" or None), read without loading anything."""
    suffix = path.suffix.lower()
    if suffix == ".keras":
        return ("keras", *_read_keras_zip_config(path, max_file_mb))
    if suffix in (".h5", ".hdf5"):
        return ("h5", *_read_h5_config(path))
    raise SubmissionError(
        f"{path}: unsupported file type '{path.suffix or '(none)'}'; "
        "submit a .keras or .h5 model file, or a solution .py defining solution_model()"
    )


def _read_keras_zip_config(path: Path, max_file_mb: float) -> tuple[dict, str | None]:
    """The model config and Keras version stored in a `.keras` zip archive (zip bombs refused)."""
    try:
        with zipfile.ZipFile(path) as archive:
            _refuse_zip_bomb(archive, path, max_file_mb)
            names = set(archive.namelist())
            if "config.json" not in names:
                raise SubmissionError(
                    f"{path}: a zip file but not a Keras model (no config.json); save with model.save('model.keras')"
                )
            config = json.loads(archive.read("config.json"))
            metadata = json.loads(archive.read("metadata.json")) if "metadata.json" in names else {}
    except zipfile.BadZipFile:
        raise SubmissionError(
            f"{path}: not a valid .keras file (not a zip archive); save with model.save('model.keras')"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SubmissionError(
            f"{path}: the model config inside the .keras file is not valid JSON; save the model again"
        ) from None
    version = metadata.get("keras_version") if isinstance(metadata, dict) else None
    return config, f"Keras {version}" if version else None


def _refuse_zip_bomb(archive: zipfile.ZipFile, path: Path, max_file_mb: float) -> None:
    unpacked = sum(info.file_size for info in archive.infolist())
    allowed = max(UNPACKED_SIZE_FACTOR * max_file_mb, 64) * 2**20
    config = next((info for info in archive.infolist() if info.filename == "config.json"), None)
    if unpacked > allowed or (config is not None and config.file_size > MAX_CONFIG_BYTES):
        raise SubmissionError(
            f"{path}: the archive unpacks to {unpacked / 2**20:,.0f} MB, far more than a model of this size "
            "(a zip bomb?); save the model again with model.save('model.keras')"
        )


def _read_h5_config(path: Path) -> tuple[dict, str | None]:
    """The model config and Keras version stored in an HDF5 model file."""
    import h5py

    try:
        with h5py.File(path, "r") as h5:
            raw = h5.attrs.get("model_config")
            version = h5.attrs.get("keras_version")
    except OSError:
        raise SubmissionError(
            f"{path}: not a valid HDF5 file (truncated or another format); save with model.save('model.h5')"
        ) from None
    if raw is None:
        raise SubmissionError(
            f"{path}: an HDF5 file with no model in it (weights only, or other data); save the whole model "
            "with model.save('model.h5'), not save_weights()"
        )
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    if isinstance(version, bytes):
        version = version.decode("utf-8")
    try:
        config = json.loads(raw)
    except json.JSONDecodeError:
        raise SubmissionError(
            f"{path}: the model config in the HDF5 file is not valid JSON; save the model again"
        ) from None
    return config, f"Keras {version}" if version else None


def _refuse_code_layers(config: dict, path: Path) -> None:
    """Refuse Lambda layers and custom classes: loading them would run code from the file."""
    for layer in iter_layer_configs(config):
        class_name = layer["class_name"]
        name = layer["config"].get("name", "?")
        if class_name == "Lambda":
            raise SubmissionError(
                f"{path}: layer '{name}' is a Lambda layer, which runs arbitrary code and is not allowed "
                "(the exam's rule too); use built-in layers instead, e.g. keras.layers.Rescaling(400) "
                "for `x * 400`, keras.layers.Reshape or an Input of the task's shape (`tfcert show TASK`) "
                "for `tf.expand_dims(x, -1)`, then save the model again"
            )
        module = layer.get("module")
        if isinstance(module, str) and not module.startswith("keras"):
            raise SubmissionError(
                f"{path}: layer '{name}' uses the custom class {module}.{class_name}, whose code would run "
                "on loading; rebuild that part from built-in Keras layers and save the model again"
            )


def _keras_load(path: Path, shown: Path, config: dict, saved_by: str | None, safe_mode: bool = True):
    """`keras.saving.load_model` (safe mode unless trusted); Keras' errors become one-line SubmissionErrors."""
    keras = import_keras()
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=safe_mode)
    except Exception as exc:  # Keras raises ValueError, TypeError, KeyError... for bad files
        if isinstance(exc, MemoryError) or type(exc).__name__ == "ResourceExhaustedError":
            raise  # a limit was hit, not a bad file: grader.sandbox.in_process_limits says so
        raise SubmissionError(f"{shown}: {explain_load_error(exc, config, saved_by)}") from None


# Ops a serving function never needs: they keep state between calls (variables, tables, queues)
# or read and write files. A model's answers must depend on its input alone (grader.models.feeding).
STATE_OR_FILE_OPS = frozenset({
    "Assign", "AssignAdd", "AssignSub", "AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp",
    "ScatterUpdate", "ScatterAdd", "ScatterSub", "ScatterMul", "ScatterDiv", "ScatterMin", "ScatterMax",
    "ScatterNdUpdate", "ScatterNdAdd", "ScatterNdSub", "StridedSliceAssign", "ResourceStridedSliceAssign",
    "ReadFile", "WriteFile", "MatchingFiles", "Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2",
    "RestoreSlice", "MergeV2Checkpoints", "ImmutableConst",
})
STATE_OR_FILE_OP_PREFIXES = ("ResourceScatter", "ResourceApply", "ResourceSparseApply", "Apply", "SparseApply",
                             "LookupTableInsert", "LookupTableImport", "LookupTableRemove", "InitializeTable",
                             "Queue", "Barrier", "Accumulator", "ConditionalAccumulator", "ResourceAccumulator",
                             "Write", "CreateSummary", "FlushSummary", "CloseSummary")


def _graph_op_types(function) -> set[str]:
    """Every op type in a restored function's graphs, the functions they call included."""
    concretes = [function] if hasattr(function, "graph") else list(function.concrete_functions)
    types = set()
    for concrete in concretes:
        graph_def = concrete.graph.as_graph_def()
        types |= {node.op for node in graph_def.node}
        types |= {node.op for library_function in graph_def.library.function for node in library_function.node_def}
    return types


def load_saved_model(path: Path, spec) -> LoadedModel:
    """A SavedModel directory as a Keras model on the task's input (keras.layers.TFSMLayer).

    Only ever called in a sandboxed child: a SavedModel holds no Python, but its graph may hold
    TensorFlow ops that read or write files.
    """
    keras = import_keras()
    layer = None
    for endpoint in ("serve", "serving_default"):  # model.export() / tf.saved_model.save()
        try:
            layer = keras.layers.TFSMLayer(str(path), call_endpoint=endpoint)
            break
        except ValueError:
            continue
    if layer is None:
        raise SubmissionError(
            f"{path}: the SavedModel has no 'serve' or 'serving_default' endpoint; export it with model.export('dir')"
        )
    kept = sorted(op for op in _graph_op_types(layer.call_endpoint_fn)
                  if op in STATE_OR_FILE_OPS or op.startswith(STATE_OR_FILE_OP_PREFIXES))
    if kept:
        raise SubmissionError(
            f"{path}: the SavedModel's serving function changes variables or touches files ({', '.join(kept[:5])}), "
            "so its answers could depend on what it was fed before; export a plain model with model.export('dir')"
        )
    dtype = "string" if spec.input.dtype == "string" else spec.input.dtype
    inputs = keras.Input(spec.input.shape, dtype=dtype)
    try:
        outputs = layer(inputs)
    except Exception:  # TF's signature mismatch errors run to many lines; the shapes say it all
        raise SubmissionError(
            f"{path}: the SavedModel's serving signature does not take {spec.id}'s input "
            f"(None, {', '.join(map(str, spec.input.shape))}) {spec.input.dtype}; export a model with that input"
        ) from None
    if isinstance(outputs, dict):
        if len(outputs) != 1:
            raise SubmissionError(
                f"{path}: the SavedModel returns {len(outputs)} outputs ({', '.join(outputs)}); {spec.id} expects one"
            )
        outputs = next(iter(outputs.values()))
    return LoadedModel(keras.Model(inputs, outputs), "savedmodel", None)
