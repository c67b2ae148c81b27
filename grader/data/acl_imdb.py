"""`local:<folder>` with format `aclimdb`: the IMDB reviews (Maas et al. 2011) in tensorflow-datasets' order.

Dicoding's A4 template read `tfds.load('imdb_reviews', as_supervised=True)` and fit its word
index on the 25,000 training reviews in the order tfds gives them; the word index depends on
that order (ties in word counts are broken by first appearance), and the real A4 files only
score well with it. So the reviews are put in tfds' order whatever copy they come from:
1. the folder the spec names (relative to `--data-dir`), holding the unpacked `aclImdb/` folder
   or the original archive `aclImdb*.tar.gz` (`aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt`),
   sorted as tfds sorts them: by md5(part + member path) (grader.data.tfds_order);
2. a prepared tfds `imdb_reviews` (`params.tfds`), already in that order.
A review's text is its file's bytes with ASCII whitespace stripped, as tfds' builder reads it
(`<br />` tags kept); label 0 = neg, 1 = pos. Every copy is checked against the spec's content
checksum. Reading the archive takes a few seconds, so the parsed reviews are cached on disk once
(grader.data.cache), keyed by the copy's files and the checksum.

Example:
    texts, labels = learner_split(spec, "train")   # object array of str, int64 labels, tfds order
    test = hidden_test(spec, seed=None)            # Examples(x=texts, y=labels, text=texts)
"""

import re
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from grader.data.cache import cached_arrays
from grader.data.examples import Examples
from grader.data.files import local_candidates, local_location, registered_folder
from grader.data.parts import PartSplit, check_part_splits, learner_slice
from grader.data.readers import content_sha256
from grader.data.tfds_order import tfds_data_dir, tfds_rank_order
from grader.errors import DataFileError, DataMissingError

PARTS = ("train", "test")
COUNT = 25000  # reviews per part
MEMBER = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/(\d+_\d+\.txt)$")
MEMBER_ARCHIVE = "aclImdb*.tar.gz"  # the archive as published (aclImdb_v1.tar.gz), read without unpacking


@dataclass(frozen=True)
class ImdbParams:
    """`dataset.params` of the IMDB reviews: the content checksum and where else a copy may be."""

    format: Literal["aclimdb"]
    sha256: str  # content_sha256 of (texts, labels): the train part, then the test part, in tfds order
    origin: str  # in words: where a learner gets the reviews
    tfds: str | None = None  # the tensorflow-datasets name of the same reviews


def check_splits(params: ImdbParams, splits: dict[str, PartSplit]) -> None:
    check_part_splits(splits, COUNT)


def found_in(folder: Path) -> str | None:
    """The unpacked aclImdb folder or the archive inside `folder`, or None."""
    if (folder / "aclImdb" / "test" / "pos").is_dir():
        return str(folder / "aclImdb")
    archives = sorted(folder.glob(MEMBER_ARCHIVE))
    return str(archives[0]) if archives else None


def found_copy(spec) -> str | None:
    """The unpacked aclImdb folder, the archive, or 'tfds:<name>' holding the reviews; None if none is here.

    Looked for in the copy `tfcert data add` keeps (grader.data.register), then the folder the spec names.
    """
    for folder in [registered_folder(spec), *local_candidates(spec)[:1]]:
        found = found_in(folder) if folder.is_dir() else None
        if found is not None:
            return found
    name = spec.dataset.params.tfds
    if name and any((tfds_data_dir() / name).glob("*/dataset_info.json")):
        return f"tfds:{name}"
    return None


def _files_of(where: str):
    """(member path as tfds keys it, bytes) of every review of an unpacked folder or an archive."""
    path = Path(where)
    if path.is_dir():
        for file in sorted(path.glob("*/*/*.txt")):
            yield f"aclImdb/{file.parent.parent.name}/{file.parent.name}/{file.name}", file.read_bytes()
        return
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                if member.isfile() and MEMBER.search(member.name):
                    yield member.name, archive.extractfile(member).read()
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise DataFileError(f"{path}: not a readable aclImdb archive ({exc})") from None


def _parse_files(where: str) -> dict[str, tuple[list[str], list[int]]]:
    """Both parts' texts and labels, each part sorted into tfds' order."""
    found = {part: [] for part in PARTS}
    for name, raw in _files_of(where):
        match = MEMBER.search(name)
        if match and match.group(1) in found:
            part, label, file = match.groups()
            key = f"aclImdb/{part}/{label}/{file}"
            found[part].append((key, raw.strip().decode("utf-8"), int(label == "pos")))  # bytes.strip: ASCII only
    parsed = {}
    for part, reviews in found.items():
        order = tfds_rank_order(part, [key for key, _, _ in reviews])
        parsed[part] = ([reviews[i][1] for i in order], [reviews[i][2] for i in order])
    return parsed


def _parse_tfds(name: str) -> dict[str, tuple[list[str], list[int]]]:
    import tensorflow_datasets as tfds

    builder = tfds.builder(name, data_dir=str(tfds_data_dir()))
    parsed = {}
    for part in PARTS:
        texts, labels = [], []
        for text, label in builder.as_dataset(split=part, as_supervised=True, shuffle_files=False).as_numpy_iterator():
            texts.append(text.decode("utf-8"))
            labels.append(int(label))
        parsed[part] = (texts, labels)
    return parsed


def _stamp(where: str) -> tuple:
    """What identifies a copy on disk: its path, modification time and size (a folder: its top entries)."""
    if where.startswith("tfds:"):
        path = tfds_data_dir() / where.partition(":")[2]
    else:
        path = Path(where)
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)


def _verified_arrays(where: str, params: ImdbParams, task_id: str) -> dict[str, np.ndarray]:
    """Parse and verify a copy; the texts as one UTF-8 blob with offsets (an .npz holds no str objects)."""
    parsed = _parse_tfds(params.tfds) if where.startswith("tfds:") else _parse_files(where)
    texts = parsed["train"][0] + parsed["test"][0]
    labels = parsed["train"][1] + parsed["test"][1]
    counts = [len(parsed[part][0]) for part in PARTS]
    if counts != [COUNT, COUNT] or content_sha256(np.asarray(texts, dtype=object), np.asarray(labels)) != params.sha256:
        raise DataFileError(
            f"{where}: holds other reviews than {task_id} expects ({counts[0]} train + {counts[1]} test, content "
            f"sha256 differs): another version of the data? {task_id} needs {params.origin}"
        )
    encoded = [text.encode("utf-8") for text in texts]
    offsets = np.cumsum([0] + [len(text) for text in encoded])
    return {"blob": np.frombuffer(b"".join(encoded), dtype=np.uint8), "offsets": offsets,
            "labels": np.asarray(labels, dtype=np.int8)}


def verified_counts(spec, where: str, shown: str) -> tuple[int, int]:
    """Check a copy (an archive or an aclImdb folder) against the spec (grader.data.register); its review counts.

    `shown`: how messages name the copy (what the user gave, not the staging folder).
    """
    try:
        _verified_arrays(where, spec.dataset.params, spec.id)
    except DataFileError as exc:
        raise DataFileError(str(exc).replace(where, shown, 1)) from None
    return COUNT, COUNT


def reviews(spec, part: str) -> tuple[np.ndarray, np.ndarray]:
    """All reviews of a part in tfds' order: (texts as an object array of str, int64 labels)."""
    where = found_copy(spec)
    if where is None:
        raise DataMissingError(missing_message(spec))
    params = spec.dataset.params
    arrays = cached_arrays(("aclimdb", _stamp(where), params.sha256),
                           lambda: _verified_arrays(where, params, spec.id))
    first = 0 if part == "train" else COUNT
    blob, offsets = arrays["blob"].tobytes(), arrays["offsets"]
    texts = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(first, first + COUNT)]
    return np.asarray(texts, dtype=object), arrays["labels"][first : first + COUNT].astype(np.int64)


def missing_message(spec) -> str:
    """One line: what the task needs, where it was looked for, and how to provide it."""
    params = spec.dataset.params
    looked = f"{local_location(spec)}/aclImdb or {local_location(spec)}/aclImdb*.tar.gz"
    if params.tfds:
        looked += f", or tfds '{params.tfds}' in {tfds_data_dir()}"
    return (
        f"{spec.id} needs {params.origin}; not found in {looked}. Provide it: `tfcert data add {spec.id} PATH` with "
        f"aclImdb_v1.tar.gz or the unpacked aclImdb folder, or put one in {local_location(spec)}, or pass --data-dir "
        "DIR where it is"
    )


def learner_split(spec, name: str) -> tuple[np.ndarray, np.ndarray]:
    """`train` or `valid`: (texts, int64 labels), a range of the training reviews in tfds' order."""
    split = spec.dataset.splits[name]
    return learner_slice(split, *reviews(spec, split.part))


def hidden_test(spec, seed: int | None) -> Examples:
    """The 25,000 test reviews as texts; grader.data.splits tokenizes them. `seed` is unused."""
    texts, labels = reviews(spec, "test")
    return Examples(texts, labels, text=texts)
