"""Real dataset files behind `url:` and `local:` sources: find, download once, register, verify.

Where a task's file is looked up, in order:
1. the cache, `<cache>/files/<sha256 prefix>/<file>`, filled by `tfcert data fetch` (a download)
   or `tfcert data add TASK PATH` (a copy the user already has);
2. for `local:<path>`: the path itself, relative to `--data-dir` / $TFCERT_DATASETS_DIR, or the
   same path with `.zip` appended (a zipped copy);
3. for `url:<address>`: a download into the cache, unless $TFCERT_OFFLINE is set.
Every copy is parsed and its content checked against the spec's `sha256` before it is used or
stored, so a truncated download or another version of the data never reaches a grade.

Example:
    columns = load_columns(spec)         # (values,) for a series, (texts, labels) for records
    add_copy(spec, Path("~/Downloads/Sunspots.csv").expanduser())
"""

import functools
import hashlib
import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from grader.data.readers import content_sha256, read_records, read_series, read_table
from grader.errors import DataFileError, DataMissingError
from grader.paths import atomic_write, cache_dir

DATASETS_DIR_ENV = "TFCERT_DATASETS_DIR"
OFFLINE_ENV = "TFCERT_OFFLINE"
DOWNLOAD_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class FileParams:
    """`dataset.params` of a `url:` or `local:` source: which file, how to read it, its checksum."""

    file: str  # the file's name: what the cache keeps and what messages ask for
    format: Literal["series_csv", "records", "table_csv"]
    origin: str  # in words: where a learner gets the file
    # Of the parsed content (grader.data.readers.content_sha256), not of the bytes. Only a
    # `table_csv` may go without, when no faithful copy was at hand to take it from: its
    # `columns` and `min_rows` are checked instead.
    sha256: str | None = None
    column: int | None = None  # series_csv: the value column (0-based)
    text_field: str | None = None  # records: the text column or JSON key
    label_field: str | None = None  # records: the label column or JSON key
    index_column: str | None = None  # table_csv: the first column's name (e.g. a datetime, not read)
    columns: tuple[str, ...] = ()  # table_csv: the value columns' names, in order
    min_rows: int | None = None  # table_csv without sha256: fewer rows than this is not the task's file

    @property
    def cache_key(self) -> str:
        """The cache folder of the verified copy: the checksum's prefix, else one derived from the columns."""
        if self.sha256:
            return self.sha256[:16]
        return "columns-" + hashlib.sha256(repr((self.index_column, self.columns)).encode()).hexdigest()[:12]


def datasets_dir() -> Path | None:
    """The folder `local:` paths and tfds data live in: --data-dir / $TFCERT_DATASETS_DIR, if set."""
    explicit = os.environ.get(DATASETS_DIR_ENV)
    return Path(explicit).expanduser() if explicit else None


def offline() -> bool:
    """True when $TFCERT_OFFLINE is set: never try the network (tests and air-gapped machines)."""
    return os.environ.get(OFFLINE_ENV, "") not in ("", "0")


def cached_path(params: FileParams) -> Path:
    """Where the verified copy of a file lives in the cache (shared by tasks that use the same data)."""
    return cache_dir() / "files" / params.cache_key / params.file


def parse(path: Path, params: FileParams) -> tuple[np.ndarray, ...]:
    """The file's columns: `(values,)` for a series, `(texts, labels)` for records, `(table,)` for a table."""
    if params.format == "series_csv":
        return (read_series(path, params.column),)
    if params.format == "table_csv":
        return (read_table(path, params.index_column, params.columns),)
    return read_records(path, params.text_field, params.label_field)


def verified_columns(path: Path, params: FileParams, task_id: str) -> tuple[np.ndarray, ...]:
    """Parse `path` and check its content against the spec's checksum; raise DataFileError if it differs."""
    columns = parse(path, params)
    if params.sha256 is None:  # no checksum to compare: the header was checked by the reader
        if len(columns[0]) < params.min_rows:
            raise DataFileError(f"{path}: {len(columns[0])} rows, but {task_id} expects at least {params.min_rows}: "
                                f"a cut-down copy? {task_id} needs {params.file} from {params.origin}")
        return columns
    digest = content_sha256(*columns)
    if digest != params.sha256:
        raise DataFileError(
            f"{path}: holds other data than {task_id} expects ({len(columns[0])} rows, content sha256 "
            f"{digest[:12]}... instead of {params.sha256[:12]}...): another version of the file? "
            f"{task_id} needs {params.file} from {params.origin}"
        )
    return columns


def registered_folder(spec) -> Path:
    """Where `tfcert data add` keeps a verified copy of a folder-shaped `local:` source (idx, aclimdb, images).

    `<cache>/files/<checksum prefix>/<the source's folder name>`; an image folder has no
    checksum, so its key comes from what it must hold (its origin and classes).
    """
    where = spec.dataset.source.partition(":")[2]
    params = spec.dataset.params
    sha256 = getattr(params, "sha256", None)
    key = sha256[:16] if sha256 else "folder-" + hashlib.sha256(
        repr((where, params, spec.output.classes)).encode()).hexdigest()[:12]
    return cache_dir() / "files" / key / Path(where).name


def local_candidates(spec) -> list[Path]:
    """The paths a `local:` source names: as written (relative to the datasets dir) and zipped."""
    kind, _, where = spec.dataset.source.partition(":")
    if kind != "local":
        return []
    path = Path(where).expanduser()
    if not path.is_absolute():
        base = datasets_dir()
        if base is None:
            return []
        path = base / path
    return [path, path.with_name(path.name + ".zip")]


def local_location(spec) -> str:
    """Where a `local:` source is expected, for messages: its path, or `--data-dir DIR/<path>` when no dir is set."""
    candidates = local_candidates(spec)
    return str(candidates[0]) if candidates else f"--data-dir DIR/{spec.dataset.source.partition(':')[2]}"


def find_file(spec) -> Path | None:
    """The first copy of the task's file that exists (cache, then local paths), or None."""
    cached = cached_path(spec.dataset.params)
    if cached.is_file():
        return cached
    return next((path for path in local_candidates(spec) if path.is_file()), None)


def load_columns(spec) -> tuple[np.ndarray, ...]:
    """The task's data, verified; downloads a `url:` source once when online.

    One grade reads a file several times (the hidden split, the vocabulary, a baseline's fit);
    it is parsed and checksummed once per process while it is unchanged on disk. Callers get
    copies, so a learner normalizing their split in place cannot change what the grader reads.
    """
    path = find_file(spec)
    if path is None:
        path = fetch(spec)
    stat = path.stat()
    columns = _parsed_once(str(path), stat.st_mtime_ns, stat.st_size, spec.dataset.params, spec.id)
    return tuple(column.copy() for column in columns)


@functools.lru_cache(maxsize=8)
def _parsed_once(path: str, mtime_ns: int, size: int, params: FileParams, task_id: str) -> tuple[np.ndarray, ...]:
    """verified_columns, memoized on the file's path, modification time and size."""
    return verified_columns(Path(path), params, task_id)


def fetch(spec) -> Path:
    """Download a `url:` source into the cache (verified); raise DataMissingError when that cannot work."""
    kind, _, url = spec.dataset.source.partition(":")
    if kind != "url":
        raise DataMissingError(missing_message(spec))
    if offline():
        raise DataMissingError(missing_message(spec, reason=f"offline (${OFFLINE_ENV} is set)"))
    target = cached_path(spec.dataset.params)
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
            atomic_write(target, lambda temporary: _save_verified(response, temporary, spec))
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DataMissingError(missing_message(spec, reason=f"the download failed: {download_failure(exc)}")) from None
    return target


def download_failure(exc: BaseException, longest: int = 100) -> str:
    """Why a download failed, in a few words: the innermost network error's own (no URL, no errno).

    Libraries wrap the network error (keras.utils.get_file raises "URL fetch failure on <url>:
    None -- [Errno -3] ..."), so the chain is walked down to the URLError or OSError that says it.
    A long reason is cut at a word, never inside one.
    """
    reason: object = exc
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (urllib.error.URLError, OSError)):
            reason = getattr(seen, "reason", seen)
            break
        seen = seen.__cause__ or seen.__context__
    text = (getattr(reason, "strerror", None) if isinstance(reason, OSError) else None) or str(reason)
    text = " ".join(text.split()) or type(exc).__name__
    return text if len(text) <= longest else text[:longest].rsplit(" ", 1)[0] + "..."


def _save_verified(response, temporary: Path, spec) -> None:
    with open(temporary, "wb") as out:
        shutil.copyfileobj(response, out)
    verified_columns(temporary, spec.dataset.params, spec.id)  # a bad download is never renamed into place


def add_copy(spec, path: Path) -> tuple[Path, int]:
    """Verify a copy the user has and store it in the cache; return (cached path, rows)."""
    if not path.is_file():
        raise DataFileError(f"{path}: no such file; give the path of {spec.dataset.params.file}")
    columns = verified_columns(path, spec.dataset.params, spec.id)
    target = cached_path(spec.dataset.params)
    atomic_write(target, lambda temporary: shutil.copyfile(path, temporary))
    return target, len(columns[0])


def missing_message(spec, reason: str | None = None) -> str:
    """One line: which file the task needs, where it was looked for, and how to provide it."""
    params = spec.dataset.params
    kind, _, where = spec.dataset.source.partition(":")
    looked = [str(cached_path(params))] + [str(path) for path in local_candidates(spec)[:1]]
    how = f"`tfcert data add {spec.id} PATH` with a copy you have"
    if kind == "url":
        how = f"`tfcert data fetch {spec.id}` when online ({where}), or {how}"
    elif not Path(where).is_absolute():
        how += f", or pass --data-dir DIR where DIR/{where} exists"
    because = f" ({reason})" if reason else ""
    return (
        f"{spec.id} needs {params.file} ({params.origin}); not found at {' or '.join(looked)}{because}. "
        f"Provide it: {how}"
    )
