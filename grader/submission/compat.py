"""Keras 2 -> Keras 3 shims: rewrite a saved model so Keras 3 can load it in safe mode.

Each shim is a function over one layer entry of the saved config (a dict from the JSON) that
may read that layer's saved weights, and says which Keras versions wrote what it fixes. No shim
runs code from the file: shims edit the JSON config and the weights of a temporary copy. What
no shim can translate, `explain_load_error` turns into one line: the layer, the Keras version
that saved it, and what to do.

Example:
    loadable, applied = shim_h5(Path("model.h5"), config, Path(workdir))
    # applied == ["lstm_time_major"] for a TF 2.x LSTM; `loadable` is the fixed copy in workdir
"""

import copy
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.models.runtime import import_keras

RNN_CLASSES = {"LSTM", "GRU", "SimpleRNN"}
# Where a layer config holds other layers that Keras 3 rebuilds with its new deserializer:
# Bidirectional/TimeDistributed (`layer`, `backward_layer`), RNN (`cell`), StackedRNNCells (`cells`).
WRAPPED_LAYER_KEYS = ("layer", "backward_layer", "cell", "cells")
RESAVE = "save it with model.save('model.keras') under Keras 3"
KEEP_WEIGHTS = f"call model.load_weights() on this file to keep the trained weights, and {RESAVE}"


class SavedWeights:
    """The saved weights of a file's top-level layers, read on demand, and the shims' edits to them."""

    def __init__(self, model_weights=None):
        self._group = model_weights  # the HDF5 `model_weights` group; None when there is no file
        self.dropped: list[str] = []  # layers whose weights moved into their config

    def arrays(self, layer_name: str) -> dict[str, np.ndarray]:
        """A layer's saved weights by short name ('mean' for 'normalization/mean:0'); {} if none."""
        if self._group is None or layer_name not in self._group:
            return {}
        group = self._group[layer_name]
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in group.attrs.get("weight_names", [])]
        return {name.rsplit("/", 1)[-1].split(":")[0]: group[name][()] for name in names}

    def drop(self, layer_name: str) -> None:
        """Ask for a layer's saved weights to be left out of loading."""
        self.dropped.append(layer_name)

    def apply_to(self, model_weights) -> None:
        """Write the edits into the `model_weights` group of the temporary copy."""
        for name in self.dropped:
            # Keras' order-based weight loading skips layers that list no weight names.
            model_weights[name].attrs["weight_names"] = np.array([], dtype="S1")


@dataclass(frozen=True)
class Shim:
    """One known difference between the Keras that saved a file and Keras 3."""

    name: str
    serves: str  # the Keras versions whose files need it
    fix: Callable[[dict, SavedWeights], bool]  # edits one layer entry in place; True when it changed it


def _drop_time_major(layer: dict, saved: SavedWeights) -> bool:
    """TF 2.x Keras saved `time_major: false` on RNN layers; Keras 3 has no such argument."""
    config = layer["config"]
    if layer["class_name"] in RNN_CLASSES and "time_major" in config:
        if config["time_major"]:
            # Keras 3 has no time-major RNNs: dropping the key would silently change the model.
            return False
        del config["time_major"]
        return True
    return False


def _add_wrapped_layer_module(layer: dict, saved: SavedWeights) -> bool:
    """Keras 2.0-2.12 saved a wrapped layer (Bidirectional's LSTM) without `module`.

    Keras 3 rebuilds wrapped layers with its new deserializer, which finds even built-in classes
    only through that key ("Could not locate class 'LSTM'"). Custom classes are left alone.
    """
    missing = [entry for entry in wrapped_layers(layer)
               if "module" not in entry and _is_builtin_layer(entry["class_name"])]
    for entry in missing:
        entry["module"] = "keras.layers"
    return bool(missing)


def _scalar_stats_into_config(layer: dict, saved: SavedWeights) -> bool:
    """Keras 2's Normalization(axis=None) saved a scalar mean and variance as weights.

    Keras 3's HDF5 loader drops the empty `axis`, builds per-feature weights and refuses the
    scalars. Given as config values instead, Keras 3 broadcasts them over the input, as Keras 2 did.
    """
    config = layer["config"]
    if layer["class_name"] != "Normalization" or config.get("mean") is not None:
        return False
    stats = saved.arrays(config.get("name", ""))
    if not {"mean", "variance"} <= stats.keys() or np.ndim(stats["mean"]) or np.ndim(stats["variance"]):
        return False
    config["mean"], config["variance"] = float(stats["mean"]), float(stats["variance"])
    saved.drop(config["name"])
    return True


SHIMS = (
    Shim("lstm_time_major", "Keras 2.x in TF 2.2-2.15 (tf.keras) and tf_keras 2.16+", _drop_time_major),
    Shim("wrapped_layer_module", "Keras 2.0-2.12 (TF 2.0-2.12): Bidirectional, TimeDistributed, RNN(cell)",
         _add_wrapped_layer_module),
    Shim("normalization_scalar_stats", "Keras 2.x (seen in 2.13-2.15) and tf_keras 2.16+: Normalization(axis=None)",
         _scalar_stats_into_config),
)


def _is_layer_entry(node) -> bool:
    """True for {'class_name': str, 'config': dict}: a layer (or another Keras object) in a config."""
    return isinstance(node, dict) and isinstance(node.get("class_name"), str) and isinstance(node.get("config"), dict)


def _is_builtin_layer(class_name: str) -> bool:
    """True when Keras 3 has a built-in layer of that name (a lookup: nothing from the file runs)."""
    return isinstance(getattr(import_keras().layers, class_name, None), type)


def iter_layer_configs(node) -> Iterator[dict]:
    """Yield every layer entry ({'class_name': ..., 'config': {...}}) nested anywhere in a config."""
    if isinstance(node, dict):
        if _is_layer_entry(node):
            yield node
        for value in node.values():
            yield from iter_layer_configs(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_layer_configs(item)


def wrapped_layers(layer: dict) -> list[dict]:
    """The layer entries a wrapper holds: Bidirectional's layer(s), an RNN's cell(s)."""
    found = []
    for key in WRAPPED_LAYER_KEYS:
        value = layer["config"].get(key)
        found.extend(entry for entry in (value if isinstance(value, list) else [value]) if _is_layer_entry(entry))
    return found


def apply_shims(model_config: dict, saved: SavedWeights | None = None) -> tuple[dict, list[str]]:
    """Return a shimmed copy of `model_config` and the names of the shims that changed it.

    Weight edits the shims ask for are recorded in `saved` (see `SavedWeights.apply_to`).
    """
    saved = saved or SavedWeights()
    fixed = copy.deepcopy(model_config)
    applied = []
    for shim in SHIMS:
        changed = [shim.fix(layer, saved) for layer in iter_layer_configs(fixed)]
        if any(changed):
            applied.append(shim.name)
    return fixed, applied


def shim_h5(path: Path, config: dict, workdir: Path) -> tuple[Path, list[str]]:
    """The file Keras 3 should load for `path`, and the shims applied.

    Without shims that is `path` itself; otherwise a copy in `workdir` whose saved config and
    weights have been rewritten (the learner's file is never modified).
    """
    import h5py

    with h5py.File(path, "r") as h5:
        saved = SavedWeights(h5.get("model_weights"))
        shimmed, applied = apply_shims(config, saved)
    if not applied:
        return path, []
    copy_path = workdir / "shimmed.h5"
    shutil.copyfile(path, copy_path)
    with h5py.File(copy_path, "r+") as h5:
        h5.attrs["model_config"] = json.dumps(shimmed)
        saved.apply_to(h5.get("model_weights"))
    return copy_path, applied


def explain_load_error(error: Exception, config: dict, saved_by: str | None) -> str:
    """One line for a model Keras 3 cannot load even shimmed: the layer, who saved it, what to do.

    Example:
        explain_load_error(exc, config, "Keras 2.4.0")
        # "Keras 3 cannot load layer 'lstm' (LSTM) of this model saved by Keras 2.4.0 (Unrecognized
        #  keyword arguments passed to LSTM: {'time_major': True}); Keras 3 RNNs are batch-major..."
    """
    message = " ".join(str(error).split())
    reason = _first_sentence(message)
    layer = _describe(_blamed_layers(message, config))
    where = f" {layer} of" if layer else ""
    return (f"Keras 3 cannot load{where} this model saved by {saved_by or 'an unrecorded Keras version'} "
            f"({reason}); {_remedy(reason, layer or 'the model')}")


def _blamed_layers(message: str, config: dict) -> list[dict]:
    """The layers a Keras error names: by layer name when it gives one, else by class."""
    layers = [entry for entry in iter_layer_configs(config) if "name" in entry["config"]]
    for match in re.finditer(r"named (\w+)|'name': '([^']+)'|[Ll]ayer '([^']+)'", message):
        named = [entry for entry in layers if entry["config"]["name"] in match.groups()]
        if named:
            return named[:1]
    for entry in layers:
        if re.search(rf"\b{re.escape(entry['class_name'])}\b", message):
            return [other for other in layers if other["class_name"] == entry["class_name"]]
    return []


def _describe(layers: list[dict]) -> str:
    """Name layers as a message does: layer 'lstm' (LSTM), or layers 'lstm', 'lstm_1' (LSTM)."""
    if not layers:
        return ""
    names = ", ".join(f"'{entry['config']['name']}'" for entry in layers)
    return f"layer{'s' if len(layers) > 1 else ''} {names} ({layers[0]['class_name']})"


def _remedy(reason: str, layer: str) -> str:
    """What the learner can do about a load error, in their terms."""
    if "time_major" in reason:
        return (f"Keras 3 RNNs are batch-major only: rebuild {layer} without time_major=True "
                f"(inputs shaped (batch, time, features)), {KEEP_WEIGHTS}")
    unknown = re.search(r"Could not locate class '([^']+)'", reason)
    if unknown and not _is_builtin_layer(unknown.group(1)):
        return (f"{unknown.group(1)} is not a built-in Keras 3 class: replace {layer} with built-in Keras "
                f"layers, retrain, and {RESAVE}")
    return f"rebuild the same layers in Keras 3 code, {KEEP_WEIGHTS}"


def _first_sentence(text: str, limit: int = 200) -> str:
    sentence = text.split(". ")[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 3] + "..."
