"""Read real dataset files in the forms they come in, and fingerprint what they hold.

The same data circulates in several forms: the sunspots CSV with CRLF (the course copy) or LF
line endings (the exam's download), the sarcasm headlines as one JSON array (the exam's
`sarcasm.json`) or as JSON Lines (Misra's original), each of them zipped or not. Readers parse
all of these to the same values, and `content_sha256` fingerprints the parsed values rather than
the bytes, so every faithful copy verifies against one checksum in the task spec.

Example:
    values = read_series(Path("Sunspots.csv"), column=2)                       # float32 (3235,)
    texts, labels = read_records(Path("sarcasm.json"), "headline", "is_sarcastic")
    content_sha256(values)                                                      # '063b...'
"""

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np

from grader.errors import DataFileError

DATA_SUFFIXES = (".csv", ".json", ".jsonl", ".txt")


def read_text(path: Path) -> str:
    """The file's text (UTF-8, BOM dropped); a `.zip` yields its one data member's text."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                members = [
                    name for name in archive.namelist()
                    if name.lower().endswith(DATA_SUFFIXES) and not name.startswith("__MACOSX/")
                ]
                if len(members) != 1:
                    raise DataFileError(
                        f"{path}: the zip holds {len(members)} data files ({', '.join(members) or 'none'}); "
                        "expected exactly one .csv or .json: unzip it and pass the data file"
                    )
                raw = archive.read(members[0])
        else:
            raw = path.read_bytes()
        return raw.decode("utf-8-sig")
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataFileError(f"{path}: cannot read the file ({exc})") from None
    except UnicodeDecodeError:
        raise DataFileError(f"{path}: not UTF-8 text; pass the original data file") from None


def read_series(path: Path, column: int) -> np.ndarray:
    """Column `column` of a CSV with one header line, as float32; CRLF and LF both work."""
    rows = list(csv.reader(io.StringIO(read_text(path))))  # csv takes \r\n and \n alike
    values = []
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue  # a blank line (e.g. the file ends with two newlines)
        try:
            values.append(float(row[column]))
        except (IndexError, ValueError):
            raise DataFileError(
                f"{path}: line {number}: expected a number in column {column}, got {row!r}; "
                "is this the task's file?"
            ) from None
    if not values:
        raise DataFileError(f"{path}: no data rows under the header")
    return np.asarray(values, dtype=np.float32)


def read_table(path: Path, index_column: str, columns: tuple[str, ...]) -> np.ndarray:
    """A CSV whose header is `index_column` then `columns`, as float32 (rows, len(columns)).

    The header must name exactly those columns, in that order (a table without a content
    checksum is checked by its columns, see grader.data.real_table).
    """
    text = read_text(path)
    header = next(csv.reader(io.StringIO(text[: text.find("\n") + 1 or len(text)])), [])
    expected = [index_column, *columns]
    if [name.strip() for name in header] != expected:
        raise DataFileError(f"{path}: the header is {header[:9]}, expected {expected}; is this the task's file?")
    try:
        values = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1, usecols=range(1, len(expected)),
                            dtype=np.float32, ndmin=2)
    except ValueError as exc:
        raise DataFileError(f"{path}: {' '.join(str(exc).split())[:160]}; expected numbers in every column") from None
    if not len(values):
        raise DataFileError(f"{path}: no data rows under the header")
    return values


def read_records(path: Path, text_field: str, label_field: str) -> tuple[np.ndarray, np.ndarray]:
    """`(texts, labels)` from a JSON array, JSON Lines or a CSV with a header; labels keep their type."""
    text = read_text(path)
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        records = _json_records(path, stripped)
    else:
        records = list(csv.DictReader(io.StringIO(text)))
    try:
        texts = [str(record[text_field]) for record in records]
        labels = [record[label_field] for record in records]
    except (KeyError, TypeError):
        raise DataFileError(
            f"{path}: records need the fields '{text_field}' and '{label_field}'; is this the task's file?"
        ) from None
    if not texts:
        raise DataFileError(f"{path}: no records")
    return np.asarray(texts, dtype=object), np.asarray(labels, dtype=object)


def _json_records(path: Path, text: str) -> list:
    """One JSON array of objects, or one JSON object per line (JSON Lines)."""
    try:
        if text.startswith("["):
            return json.loads(text)
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: not valid JSON or JSON Lines ({exc.msg} at line {exc.lineno})") from None


def content_sha256(*columns: np.ndarray) -> str:
    """sha256 of the parsed values, row by row: the same for every faithful copy of a dataset."""
    digest = hashlib.sha256()
    for row in zip(*columns, strict=True):
        digest.update(json.dumps([_plain(value) for value in row], ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _plain(value):
    """A JSON-stable form: floats by their float32 repr, numbers given as strings stay strings."""
    if isinstance(value, (float, np.floating)):
        return repr(float(np.float32(value)))
    if isinstance(value, np.integer):
        return int(value)
    return value
