"""The offline EfficientNet-Lite0 port: real ImageNet predictions, safe-mode saving, a safe unpickler."""

import io
import pickle

import numpy as np
import pytest

from grader.models import pretrained

skimage_data = pytest.importorskip("skimage.data")

ESPRESSO = 967
CAT_CLASSES = range(281, 286)  # tabby, tiger cat, Persian, Siamese, Egyptian cat


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A fresh cache dir for this module, so the first load really converts the checkpoint."""
    folder = tmp_path_factory.mktemp("tfcert-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TFCERT_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def classifier(cache):
    return pretrained.imagenet_classifier((224, 224, 3))


def imagenet_probabilities(model, image: np.ndarray) -> np.ndarray:
    """Class probabilities for one uint8 RGB image, resized to the model's input size."""
    import tensorflow as tf

    size = tuple(model.input.shape[1:3])
    batch = tf.image.resize(image[None].astype("float32"), size).numpy()
    return model.predict(batch, verbose=0)[0]


def test_coffee_is_espresso(classifier):
    probabilities = imagenet_probabilities(classifier, skimage_data.coffee())
    assert probabilities.argmax() == ESPRESSO


def test_chelsea_is_a_cat(classifier):
    probabilities = imagenet_probabilities(classifier, skimage_data.chelsea())
    assert probabilities.argmax() in CAT_CLASSES


def test_conversion_is_cached_and_leaves_no_partial_file(classifier, cache, monkeypatch):
    assert [p.name for p in cache.iterdir()] == ["efficientnet-lite0-57934424.weights.h5"]

    def no_conversion(*args):
        raise AssertionError("converted again although the cache holds the weights")

    monkeypatch.setattr(pretrained, "_convert", no_conversion)
    assert pretrained.load_backbone("efficientnet_lite0", (64, 80, 3)).output.shape == (None, 1280)


def test_backbone_with_head_reloads_in_safe_mode(keras, cache, tmp_path):
    base = pretrained.load_backbone("efficientnet_lite0", (96, 96, 3))
    assert not base.trainable
    inputs = keras.Input((96, 96, 3))
    outputs = keras.layers.Dense(5, activation="softmax")(base(inputs))
    model = keras.Model(inputs, outputs)
    path = tmp_path / "transfer.keras"
    model.save(path)

    reloaded = keras.saving.load_model(path, compile=False, safe_mode=True)

    images = np.random.default_rng(0).uniform(0, 255, (4, 96, 96, 3)).astype("float32")
    np.testing.assert_array_equal(reloaded.predict(images, verbose=0), model.predict(images, verbose=0))


def test_unknown_backbone_names_the_known_ones():
    with pytest.raises(ValueError, match="known backbones: efficientnet_lite0"):
        pretrained.load_backbone("resnet50", (96, 96, 3))


@pytest.mark.parametrize("shape", [(16, 16, 3), (96, 96, 1), (96, 96)])
def test_unusable_input_shape_is_refused(shape):
    with pytest.raises(ValueError, match="height, width, 3"):
        pretrained.load_backbone("efficientnet_lite0", shape)


OS_SYSTEM_PICKLE = b"cos\nsystem\n(S'echo pwned'\ntR."


def test_unpickler_refuses_os_system():
    with pytest.raises(pickle.UnpicklingError, match="refused to load global os.system"):
        pretrained.RestrictedUnpickler(io.BytesIO(OS_SYSTEM_PICKLE)).load()


def test_checkpoint_reader_refuses_a_malicious_state_dict(tmp_path):
    header = [pickle.dumps(value, protocol=2) for value in (
        pretrained._LEGACY_MAGIC, pretrained._LEGACY_PROTOCOL, {"little_endian": True})]
    path = tmp_path / "evil.pth"
    path.write_bytes(b"".join(header) + OS_SYSTEM_PICKLE)
    with pytest.raises(pickle.UnpicklingError, match="os.system"):
        pretrained.read_legacy_torch_state_dict(path)


def test_checkpoint_reader_rejects_a_file_that_is_not_legacy_torch(tmp_path):
    path = tmp_path / "other.pth"
    path.write_bytes(pickle.dumps(12345) * 2)
    with pytest.raises(ValueError, match="not a legacy PyTorch file"):
        pretrained.read_legacy_torch_state_dict(path)


def test_tensor_views_outside_their_storage_are_refused():
    storage = pretrained._StorageRef("0", np.float32, 4)
    storages = {"0": np.arange(4, dtype=np.float32)}
    inside = pretrained._TensorRef(storage, 0, (2, 2), (1, 2))
    np.testing.assert_array_equal(pretrained._materialize(inside, storages), [[0, 2], [1, 3]])
    with pytest.raises(ValueError, match="exceeds its storage"):
        pretrained._materialize(pretrained._TensorRef(storage, 1, (2, 2), (2, 1)), storages)


def test_keras_applications_backbone_offline_gives_a_clear_error(monkeypatch):
    import keras.src.utils.file_utils as file_utils

    from grader.pretrained import BackboneUnavailableError, load_backbone

    def offline(*args, **kwargs):  # what keras raises when the download host cannot be reached
        raise Exception("URL fetch failure on https://storage.example/mobilenet_v2.h5: None -- [Errno -3] "
                        "Temporary failure in name resolution")

    monkeypatch.setattr(file_utils, "get_file", offline)
    with pytest.raises(BackboneUnavailableError, match="backbone 'mobilenet_v2' needs its ImageNet weights "
                       r"from the internet .* use 'efficientnet_lite0', which works offline"):
        load_backbone("mobilenet_v2", (96, 96, 3))
