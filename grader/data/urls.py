"""The download addresses real training scripts use, and which of tfcert's verified data answers each.

Exam-era scripts fetch their data themselves (`urlretrieve(URL, name)`, `pandas.read_csv(URL)`,
`keras.datasets.mnist.load_data()`, `tfds.load(...)`). A sandboxed child has no network, so tfcert
answers these addresses from the data it already has and verified: a task's file (as the address
serves it: the exam's sarcasm.json is one JSON array, tfcert's copy may be JSON Lines), a zip of a
task's image folder laid out as the original zip, Keras' dataset files rebuilt from the idx
images, or a file registered with `tfcert data add URL PATH` and checked against the checksum its
publisher gave (InceptionV3's ImageNet weights, Keras' imdb.npz). grader.sandbox.offline answers
the calls; grader.sandbox.offline_data makes the bytes.

Example:
    known_url("https://storage.googleapis.com/download.tensorflow.org/data/rps.zip").task   # "dicoding-b3"
"""

import hashlib
import shutil
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from grader.errors import DataFileError
from grader.paths import atomic_write, cache_dir

Form = Literal["file", "json_array", "table_zip", "image_zip", "mnist_npz", "idx_gz", "registered"]


@dataclass(frozen=True)
class KnownUrl:
    """What an address serves, and how tfcert makes the same bytes offline."""

    what: str  # in words, for messages and `tfcert data urls`
    form: Form  # how the bytes are made (see the module doc)
    task: str | None = None  # the task whose verified data answers it (None: a registered copy only)
    member: str = ""  # image_zip: the task folder's subfolder; idx_gz: the idx file's name
    prefix: str = ""  # image_zip: the folder the zip holds its class folders in ("" = at the top)
    sha256: str | None = None  # registered: of the bytes (or md5, 32 hex digits, as Keras states it)
    file: str = ""  # registered: the file's name (also where Keras' cache keeps it)


GOOGLE_DATA = "https://storage.googleapis.com/download.tensorflow.org/data/"
GOOGLE_LEARNING = "https://storage.googleapis.com/learning-datasets/"
DICODING_ML = "https://github.com/dicodingacademy/assets/raw/main/Simulation/machine_learning/"
DICODING_BLOB = "https://dicodingacademy.blob.core.windows.net/picodiploma/Simulation/machine_learning/"
DICODING_RELEASES = "https://github.com/dicodingacademy/assets/releases/download/"
BROWNLEE = "https://raw.githubusercontent.com/jbrownlee/Datasets/master/"
KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
INCEPTION_NOTOP = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"

_HORSES = KnownUrl("horses-or-humans training images (horses/, humans/)", "image_zip", "dicoding-a2",
                   member="horse-or-human")
_HORSES_VALID = KnownUrl("horses-or-humans validation images (horses/, humans/)", "image_zip", "dicoding-a2",
                         member="validation-horse-or-human")
_RPS = KnownUrl("rock-paper-scissors training images (rps/)", "image_zip", "dicoding-b3", member="rps", prefix="rps")
_RPS_TEST = KnownUrl("rock-paper-scissors test images (rps-test-set/)", "image_zip", "dicoding-b3",
                     member="rps-test-set", prefix="rps-test-set")
_CATS = KnownUrl("cats vs dogs (cats_and_dogs_filtered/train, validation)", "image_zip", "dicoding-c3",
                 member="", prefix="cats_and_dogs_filtered")
_SARCASM = KnownUrl("the sarcasm headlines as one JSON array", "json_array", "dicoding-c4")
_INCEPTION = KnownUrl("InceptionV3's ImageNet weights without the top", "registered",
                      sha256="bcbd6486424b2319ff4ef7d526e38f63", file=INCEPTION_NOTOP)

KNOWN_URLS: dict[str, KnownUrl] = {
    GOOGLE_DATA + "Sunspots.csv": KnownUrl("monthly sunspots to 2018 (Sunspots.csv)", "file", "sunspots"),
    GOOGLE_DATA + "sarcasm.json": _SARCASM,
    GOOGLE_DATA + "rps.zip": _RPS,
    GOOGLE_DATA + "rps-test-set.zip": _RPS_TEST,
    GOOGLE_LEARNING + "rps.zip": _RPS,
    GOOGLE_LEARNING + "rps-test-set.zip": _RPS_TEST,
    GOOGLE_DATA + "horse-or-human.zip": _HORSES,
    GOOGLE_DATA + "validation-horse-or-human.zip": _HORSES_VALID,
    GOOGLE_LEARNING + "horse-or-human.zip": _HORSES,
    GOOGLE_LEARNING + "validation-horse-or-human.zip": _HORSES_VALID,
    "https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip": _CATS,
    DICODING_ML + "sunspots.csv": KnownUrl("monthly sunspots to 2021 (Dicoding's sunspots.csv)", "file",
                                           "dicoding-a5"),
    DICODING_ML + "sarcasm.json": _SARCASM,
    DICODING_ML + "bbc-text.csv": KnownUrl("the BBC news articles (bbc-text.csv)", "file", "dicoding-b4"),
    DICODING_ML + "validation-horse-or-human.zip": _HORSES_VALID,
    DICODING_ML + "horse-or-human.zip": _HORSES,
    DICODING_ML + "rps.zip": _RPS,
    DICODING_ML + "cats_and_dogs.zip": _CATS,
    DICODING_BLOB + "horse-or-human.zip": _HORSES,
    DICODING_BLOB + "validation-horse-or-human.zip": _HORSES_VALID,
    DICODING_BLOB + "rps.zip": _RPS,
    DICODING_BLOB + "cats_and_dogs.zip": _CATS,
    DICODING_BLOB + "sarcasm.json": _SARCASM,
    DICODING_BLOB + "sunspots.csv": KnownUrl("monthly sunspots to 2021 (Dicoding's sunspots.csv)", "file",
                                             "dicoding-a5"),
    DICODING_BLOB + "bbc-text.csv": KnownUrl("the BBC news articles (bbc-text.csv)", "file", "dicoding-b4"),
    DICODING_RELEASES + "release-horse-or-human/horse-or-human.zip": _HORSES,
    DICODING_RELEASES + "release-rps/rps.zip": _RPS,
    BROWNLEE + "daily-max-temperatures.csv": KnownUrl("Melbourne daily maximum temperatures", "file", "dicoding-b5"),
    BROWNLEE + "daily-min-temperatures.csv": KnownUrl("Melbourne daily minimum temperatures", "file", "dicoding-c5"),
    "https://raw.githubusercontent.com/dicodingacademy/dicoding_dataset/main/household_power.zip": KnownUrl(
        "household power consumption (household_power.zip)", "table_zip", "dicoding-c5-power"),
    "https://storage.googleapis.com/mledu-datasets/" + INCEPTION_NOTOP: _INCEPTION,
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/" + INCEPTION_NOTOP: _INCEPTION,
    KERAS_DATASETS + "mnist.npz": KnownUrl("MNIST as keras.datasets.mnist reads it", "mnist_npz", "dicoding-c2"),
    KERAS_DATASETS + "imdb.npz": KnownUrl(
        "keras.datasets.imdb's word-index reviews (imdb.npz)", "registered",
        sha256="69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f", file="imdb.npz"),
    KERAS_DATASETS + "imdb_word_index.json": KnownUrl(
        "keras.datasets.imdb's word index", "registered", sha256="bfafd718b763782e994055a2d397834f",
        file="imdb_word_index.json"),
    **{KERAS_DATASETS + f"{name}.gz": KnownUrl(f"Fashion-MNIST's {name}", "idx_gz", "dicoding-b2", member=name)
       for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")},
}


def normalized(url: str) -> str:
    """The address as the table keys it: https, no query or fragment, no `www.` on github.com."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme
    host = parts.netloc.lower().removeprefix("www.")
    return urllib.parse.urlunsplit((scheme, host, parts.path, "", ""))


def known_url(url: str) -> KnownUrl | None:
    """What tfcert answers for `url` offline, or None when it does not know the address."""
    return KNOWN_URLS.get(normalized(str(url)))


def is_remote(url) -> bool:
    """True for an http(s) or ftp address (what a sandboxed child cannot reach)."""
    return isinstance(url, str) and urllib.parse.urlsplit(url.strip()).scheme.lower() in ("http", "https", "ftp")


def registered_path(entry: KnownUrl) -> Path:
    """Where `tfcert data add URL PATH` keeps a registered copy."""
    return cache_dir() / "files" / "urls" / entry.sha256[:16] / entry.file


def digest_matches(path: Path, expected: str) -> bool:
    """The file's md5 (32 hex digits, as Keras states its hashes) or sha256 is `expected`."""
    digest = hashlib.md5() if len(expected) == 32 else hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == expected


def add_registered(url: str, path: Path) -> Path:
    """Store a copy of what `url` serves (a `registered` address), checked against its publisher's checksum."""
    entry = known_url(url)
    if entry is None or entry.form != "registered":
        raise DataFileError(f"{url}: not an address whose file tfcert registers; `tfcert data urls` lists them")
    if not path.is_file():
        raise DataFileError(f"{path}: no such file; give the path of {entry.file}")
    if not digest_matches(path, entry.sha256):
        raise DataFileError(f"{path}: not {entry.what} (its checksum differs from the one its publisher gives "
                            f"for {entry.file}): download it again from {url}")
    target = registered_path(entry)
    atomic_write(target, lambda temporary: shutil.copyfile(path, temporary))
    return target
