"""Keras 2 -> Keras 3 shims: rewrite a saved model's config so Keras 3 can load it in safe mode.

Each shim is a pure function over one layer's config (a dict from the saved JSON) and says
which Keras versions wrote what it fixes. No shim runs code from the file: they only edit JSON.

Example:
    config = json.loads(h5file.attrs["model_config"])
    fixed, applied = apply_shims(config)   # applied == ["lstm_time_major"] for a TF 2.x LSTM
"""

import copy
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

RNN_CLASSES = {"LSTM", "GRU", "SimpleRNN"}


@dataclass(frozen=True)
class Shim:
    """One known difference between the Keras that saved a file and Keras 3."""

    name: str
    serves: str  # the Keras versions whose files need it
    fix: Callable[[dict], bool]  # edits one layer entry in place; True when it changed it


def _drop_time_major(layer: dict) -> bool:
    """TF 2.x Keras saved `time_major: false` on RNN layers; Keras 3 has no such argument."""
    config = layer.get("config")
    if layer.get("class_name") in RNN_CLASSES and isinstance(config, dict) and "time_major" in config:
        if config["time_major"]:
            # Keras 3 has no time-major RNNs: dropping the key would silently change the model.
            return False
        del config["time_major"]
        return True
    return False


SHIMS = (
    Shim("lstm_time_major", "Keras 2.x in TF 2.2-2.15 (tf.keras) and tf_keras 2.16+", _drop_time_major),
)


def iter_layer_configs(node) -> Iterator[dict]:
    """Yield every layer entry ({'class_name': ..., 'config': {...}}) nested anywhere in a config."""
    if isinstance(node, dict):
        if isinstance(node.get("class_name"), str) and isinstance(node.get("config"), dict):
            yield node
        for value in node.values():
            yield from iter_layer_configs(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_layer_configs(item)


def apply_shims(model_config: dict) -> tuple[dict, list[str]]:
    """Return a shimmed copy of `model_config` and the names of the shims that changed it."""
    fixed = copy.deepcopy(model_config)
    applied = []
    for shim in SHIMS:
        changed = [shim.fix(layer) for layer in iter_layer_configs(fixed)]
        if any(changed):
            applied.append(shim.name)
    return fixed, applied


def shim_h5(path: Path, config: dict, workdir: Path) -> tuple[Path, list[str]]:
    """The file Keras 3 should load for `path`, and the shims applied.

    Without shims that is `path` itself; otherwise a copy in `workdir` whose saved config has
    been rewritten (the learner's file is never modified).
    """
    import h5py

    shimmed, applied = apply_shims(config)
    if not applied:
        return path, []
    copy_path = workdir / "shimmed.h5"
    shutil.copyfile(path, copy_path)
    with h5py.File(copy_path, "r+") as h5:
        h5.attrs["model_config"] = json.dumps(shimmed)
    return copy_path, applied
