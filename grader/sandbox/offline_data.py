"""The bytes a known download address serves, made from tfcert's verified data (grader.data.urls says which).

Runs inside the sandboxed child, reading only what its view holds: tfcert's cache, the datasets
dir, the tfds and Keras folders. Each answer is written once per child under its working
directory; a missing copy raises `OfflineDataMissing` with the one line the learner sees: the
address, that the sandbox has no network, and the `tfcert data` command that provides the data.

Example:
    path = materialize("https://github.com/.../bbc-text.csv", Path("/work/.tfcert-downloads"))
"""

import contextlib
import gzip
import os
import shutil
import struct
import zipfile
from pathlib import Path

import numpy as np

from grader.catalog import load_task
from grader.data import files, idx_images
from grader.data.urls import KnownUrl, digest_matches, known_url, registered_path
from grader.errors import DataFileError, DataMissingError, TfcertError

NO_NETWORK = "the sandbox has no network"


class OfflineDataMissing(OSError):
    """A download the sandbox cannot answer; its message is the one line the learner sees."""


_first_missing: list[str] = []  # this process's first unanswered download


def note_missing(message: str) -> None:
    """Remember the first download that could not be answered (the run's outcome if the script then fails)."""
    if not _first_missing:
        _first_missing.append(message)


def first_missing() -> str | None:
    """The message of the first download that could not be answered, if any."""
    return _first_missing[0] if _first_missing else None


HOST_KERAS_HOME_ENV = "TFCERT_HOST_KERAS_HOME"  # the grading user's Keras folder (the child's HOME is its workdir)


def _keras_home() -> Path:
    """The grading user's Keras folder, where keras.datasets and applications left their downloads."""
    return Path(os.environ.get(HOST_KERAS_HOME_ENV) or os.environ.get("KERAS_HOME") or Path.home() / ".keras")


@contextlib.contextmanager
def _host_keras_home():
    """KERAS_HOME as the grading user's while tfcert's own readers look for a copy (never for the learner's code)."""
    saved = os.environ.get("KERAS_HOME")
    os.environ["KERAS_HOME"] = str(_keras_home())
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("KERAS_HOME", None)
        else:
            os.environ["KERAS_HOME"] = saved


def provide_command(entry: KnownUrl | None, url: str) -> str:
    """The `tfcert data` command that gives this machine the data `url` stands for."""
    if entry is None:
        return "`tfcert data urls` (the addresses tfcert answers offline)"
    if entry.form == "registered":
        return f"`tfcert data add {url} PATH` with a copy you downloaded"
    spec = load_task(entry.task)
    kind = spec.dataset.source.partition(":")[0]
    if entry.form == "image_zip":
        return f"`tfcert data add {entry.task} {Path(url).name}` (the zip, downloaded where you have a network)"
    if entry.form in ("mnist_npz", "idx_gz"):
        return f"`tfcert data fetch {entry.task}` when online, or --data-dir DIR holding the idx files"
    if kind == "url":
        return f"`tfcert data fetch {entry.task}` when online, or `tfcert data add {entry.task} PATH`"
    return f"`tfcert data add {entry.task} PATH` with a copy you have"


def missing(url: str, entry: KnownUrl | None, reason: str) -> OfflineDataMissing:
    """The one-line error for an address the sandbox cannot answer."""
    return OfflineDataMissing(f"{url}: {NO_NETWORK} and {reason}; provide it with {provide_command(entry, url)}")


def materialize(url: str, folder: Path) -> Path:
    """A file under `folder` holding what `url` serves; OfflineDataMissing when tfcert cannot make it here."""
    try:
        return _materialize(url, folder)
    except OfflineDataMissing as exc:
        note_missing(str(exc))
        raise


def _materialize(url: str, folder: Path) -> Path:
    entry = known_url(url)
    if entry is None:
        raise missing(url, None, "tfcert knows no copy of this address")
    target = folder / (entry.file or entry.member or Path(url.split("?")[0]).name or "download")
    if entry.form == "image_zip":
        target = folder / Path(url.split("?")[0]).name
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with _host_keras_home():
            MAKERS[entry.form](entry, target)
    except OfflineDataMissing:
        raise
    except DataFileError as exc:  # a copy is here, but not the data the address serves
        target.unlink(missing_ok=True)
        raise missing(url, entry, f"the copy of {entry.what} here is not the expected data "
                                  f"({str(exc).split(':', 1)[-1].split(';')[0].strip()})") from None
    except TfcertError:  # DataMissingError: no copy here
        target.unlink(missing_ok=True)
        raise missing(url, entry, f"tfcert has no copy of {entry.what} on this machine") from None
    return target


def _task_file(entry: KnownUrl, target: Path) -> None:
    spec = load_task(entry.task)
    files.load_columns(spec)  # verified against the spec's checksum (DataMissingError when absent)
    shutil.copyfile(files.find_file(spec), target)


def _json_array(entry: KnownUrl, target: Path) -> None:
    """The records as one JSON array (the exam's sarcasm.json), from a JSON Lines or JSON array copy."""
    spec = load_task(entry.task)
    files.load_columns(spec)
    text = files.find_file(spec).read_text(encoding="utf-8")
    if not text.lstrip().startswith("["):
        text = "[" + ",\n".join(line for line in text.splitlines() if line.strip()) + "]\n"
    target.write_text(text, encoding="utf-8")


def _table_zip(entry: KnownUrl, target: Path) -> None:
    spec = load_task(entry.task)
    files.load_columns(spec)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(files.find_file(spec), spec.dataset.params.file)


def _image_zip(entry: KnownUrl, target: Path) -> None:
    """The task's image folder (its `member` subfolder) zipped as the original zip lays it out."""
    from grader.data.image_folder import require_root_folder

    source = require_root_folder(load_task(entry.task)) / entry.member
    if not source.is_dir():
        raise DataMissingError(f"no folder {source}")
    prefix = Path(entry.prefix) if entry.prefix else Path()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:  # photos are compressed already
        for path in sorted(source.rglob("*")):
            if path.is_file() and not path.is_symlink():
                archive.write(path, str(prefix / path.relative_to(source)))


def _mnist_npz(entry: KnownUrl, target: Path) -> None:
    spec = load_task(entry.task)
    arrays = {}
    for part in ("train", "test"):
        images, labels = idx_images.images_and_labels(spec, part)
        arrays[f"x_{part}"], arrays[f"y_{part}"] = images, labels.astype(np.uint8)
    with open(target, "wb") as stream:
        np.savez(stream, **arrays)


def _idx_gz(entry: KnownUrl, target: Path) -> None:
    """One of the four original idx files, gzipped, rebuilt from the verified images."""
    spec = load_task(entry.task)
    part = "train" if entry.member.startswith("train") else "test"
    images, labels = idx_images.images_and_labels(spec, part)
    if "images" in entry.member:
        payload = struct.pack(">IIII", 0x803, *images.shape) + images.astype(np.uint8).tobytes()
    else:
        payload = struct.pack(">II", 0x801, len(labels)) + labels.astype(np.uint8).tobytes()
    with gzip.open(target, "wb", compresslevel=1) as stream:
        stream.write(payload)


def _registered(entry: KnownUrl, target: Path) -> None:
    """A copy registered with `tfcert data add URL PATH`, or left in Keras' cache, checked against its hash."""
    for place in (registered_path(entry), _keras_home() / "models" / entry.file,
                  _keras_home() / "datasets" / entry.file):
        if place.is_file() and digest_matches(place, entry.sha256):
            shutil.copyfile(place, target)
            return
    raise DataMissingError(f"no verified copy in {registered_path(entry).parent} or {_keras_home()}")


MAKERS = {"file": _task_file, "json_array": _json_array, "table_zip": _table_zip, "image_zip": _image_zip,
          "mnist_npz": _mnist_npz, "idx_gz": _idx_gz, "registered": _registered}
