"""The model stage: Keras itself, pretrained backbones, and running a model on inputs.

Open `runtime.py` to import Keras quietly and only when needed (TensorFlow's import costs seconds),
`predict.py` for deterministic prediction, `feeding.py` for feeding the hidden examples in a secret
order and checking that no answer depends on its batch-mates, `structure.py` for reading a model's
layers and shapes, `pretrained.py` for ImageNet backbones that work offline and
`efficientnet_lite.py` for the EfficientNet-Lite0 port behind them. Learners import
`grader.pretrained`.
"""
