"""`tfcert data add TASK PATH...`: register a copy of a task's data the learner already has.

Whatever shape the data came in is taken: one file (`Sunspots.csv`), a folder that holds it, the
files themselves (Fashion-MNIST's four `.gz` files), an archive of them (`.zip`, `.tar`,
`.tar.gz`), or several archives at once (the course's `horse-or-human.zip` and
`validation-horse-or-human.zip`). The copy is verified as a grade would read it (the content
checksum, or an image folder's classes and split folders) and only then stored in tfcert's
cache, whole or not at all; grading finds it there from then on, with or without `--data-dir`.

Example:
    add_data(load_task("fashion-mnist"), [Path("~/Downloads/fashion-mnist").expanduser()])
    add_data(load_task("dicoding-a2"), [Path("horse-or-human.zip"), Path("validation-horse-or-human.zip")])
"""

import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.data import acl_imdb, files, idx_images, image_folder
from grader.errors import DataFileError

MAX_UNPACKED = 8 * 2**30  # what archives may unpack to: more is not a dataset of these tasks
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")
SEARCH_DEPTH = 4  # how deep inside a given folder or archive the files are looked for


@dataclass(frozen=True)
class Added:
    """What `add_data` stored: where, and what it verified (e.g. '70,000 images', '3,235 rows')."""

    stored: Path
    verified: str


def add_data(spec, paths: list[Path]) -> Added:
    """Verify the data at `paths` (files, folders, archives) for `spec` and store it in tfcert's cache."""
    kind = spec.dataset.source.partition(":")[0]
    if kind not in ("url", "local"):
        nothing = "nothing to add" if kind == "builtin" else "use `tfcert data fetch` or --data-dir"
        raise DataFileError(f"{spec.id} reads {spec.dataset.source}, not files you have: {nothing}")
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise DataFileError(f"{missing[0]}: no such file or folder; give the path of {_needs(spec)}")
    adder = FOLDER_ADDERS.get(getattr(spec.dataset.params, "format", None))
    with tempfile.TemporaryDirectory(prefix="tfcert-add-") as scratch:
        roots = _unpacked(paths, Path(scratch), keep=acl_imdb.MEMBER_ARCHIVE if adder is _add_imdb else None)
        if adder is None:
            return _add_file(spec, roots)
        target = files.registered_folder(spec)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
        try:
            verified = adder(spec, roots, staging)
            staging.chmod(0o755)  # mkdtemp makes it private; the sandboxed children read the cache too
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return Added(target, verified)


def _needs(spec) -> str:
    """What the task's data is, in words, for messages."""
    params = spec.dataset.params
    return getattr(params, "file", None) or params.origin


def _unpacked(paths: list[Path], scratch: Path, keep: str | None = None) -> list[Path]:
    """The given paths, archives replaced by the folder they unpack to (named after the archive).

    An archive whose name matches `keep` (a glob) stays as it is: its reader reads it directly.
    """
    roots = []
    for number, path in enumerate(paths):
        if path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES) and not (keep and path.match(keep)):
            into = scratch / str(number) / _stem(path)
            _extract(path, into)
            roots.append(into)
        else:
            roots.append(path)
    return roots


def _stem(path: Path) -> str:
    name = path.name
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _extract(archive: Path, into: Path) -> None:
    """Unpack a zip or tar safely: nothing outside `into`, no links, no devices, no zip bombs."""
    into.mkdir(parents=True)
    try:
        if archive.name.lower().endswith(".zip"):
            with zipfile.ZipFile(archive) as opened:
                _check_size(archive, sum(info.file_size for info in opened.infolist()))
                opened.extractall(into)  # zipfile drops absolute paths and '..' components
            return
        with tarfile.open(archive) as opened:
            members = [m for m in opened.getmembers() if m.isfile() or m.isdir()]  # no links, no devices
            _check_size(archive, sum(member.size for member in members))
            for member in members:
                target = (into / member.name).resolve()
                if not target.is_relative_to(into.resolve()):
                    raise DataFileError(f"{archive}: holds a path outside the archive ({member.name}); not unpacked")
            opened.extractall(into, members=members, **_tar_filter())
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise DataFileError(f"{archive}: not a readable archive ({exc})") from None


def _tar_filter() -> dict:
    """tarfile's 'data' filter where this Python has it (3.10.12+, 3.11.4+): modes and owners made safe."""
    return {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


def _check_size(archive: Path, unpacked: int) -> None:
    if unpacked > MAX_UNPACKED:
        raise DataFileError(f"{archive}: unpacks to more than {MAX_UNPACKED // 2**30} GB; not a copy of this data")


def _shown(roots: list[Path]) -> str:
    """What the user gave, for messages (an unpacked archive is named by its own name)."""
    return ", ".join(path.name if "tfcert-add-" in str(path) else str(path) for path in roots)


def _walk(roots: list[Path]):
    """Every file and folder under the roots (a root that is a file is itself), at most SEARCH_DEPTH deep."""
    for root in roots:
        yield root
        if root.is_dir():
            base = len(root.parts)
            for folder, folders, names in os.walk(root):
                depth = len(Path(folder).parts) - base
                if depth >= SEARCH_DEPTH:
                    folders.clear()
                for name in sorted(folders) + sorted(names):
                    yield Path(folder) / name


def _add_file(spec, roots: list[Path]) -> Added:
    """A url:/local: file source: one file, given as itself, in a folder or in an archive."""
    params = spec.dataset.params
    candidates = [path for path in roots if path.is_file()]
    inside = [path for path in _walk([root for root in roots if root.is_dir()]) if path.is_file()]
    for name in (params.file, params.file + ".zip"):  # the file itself, else its zipped copy
        candidates += [path for path in inside if path.name == name]
        if candidates:
            break
    if len(candidates) != 1:
        found = "none" if not candidates else ", ".join(str(path) for path in candidates[:3])
        raise DataFileError(f"{spec.id} reads one file, {params.file}; found {found} in what was given: "
                            f"give that file (or a folder or archive holding it)")
    stored, rows = files.add_copy(spec, candidates[0])
    return Added(stored, f"{rows:,} rows")


def _add_idx(spec, roots: list[Path], staging: Path) -> str:
    """Fashion-MNIST / MNIST: the four idx files (gzipped or not), from wherever in what was given."""
    wanted = {name for names in idx_images.FILES.values() for name in names}
    found: dict[str, Path] = {}
    for path in _walk(roots):
        base = path.name[:-3] if path.name.endswith(".gz") else path.name
        if path.is_file() and base in wanted and base not in found:
            found[base] = path
    absent = sorted(wanted - set(found))
    if absent:
        raise DataFileError(f"{spec.id} needs the 4 idx files ({', '.join(sorted(wanted))}, gzipped or not); "
                            f"missing from what was given: {', '.join(absent)}")
    for path in found.values():
        shutil.copyfile(path, staging / path.name)
    counts = idx_images.verified_counts(spec, staging, shown=_shown(roots))
    return f"{counts['train']:,} + {counts['test']:,} images"


def _add_imdb(spec, roots: list[Path], staging: Path) -> str:
    """The IMDB reviews: the aclImdb archive, or an aclImdb folder (the labelled reviews are copied)."""
    archives = [path for path in _walk(roots) if path.is_file() and path.match(acl_imdb.MEMBER_ARCHIVE)]
    folders = [path for path in _walk(roots) if path.is_dir() and acl_imdb.found_in(path.parent) == str(path)]
    if archives:
        shutil.copyfile(archives[0], staging / archives[0].name)
    elif folders:
        for part in acl_imdb.PARTS:
            for label in ("pos", "neg"):
                shutil.copytree(folders[0] / part / label, staging / "aclImdb" / part / label)
    else:
        raise DataFileError(f"{spec.id} needs {spec.dataset.params.origin}: give the aclImdb_v1.tar.gz archive or "
                            "the unpacked aclImdb folder (with train/ and test/)")
    counts = acl_imdb.verified_counts(spec, acl_imdb.found_in(staging), shown=_shown(roots))
    return f"{counts[0]:,} + {counts[1]:,} reviews"


def _add_images(spec, roots: list[Path], staging: Path) -> str:
    """An image folder: each split's folder (one subfolder per class), found by name or as an archive's content.

    The split folders may come in separate calls, as the course hands them out (`horse-or-human.zip`,
    then `validation-horse-or-human.zip`): a folder not given now is kept from the copy registered
    before, and one that is still missing is named, so the learner knows what to add next.
    """
    classes = set(spec.output.classes)
    wanted = list(dict.fromkeys(split.folder for split in spec.dataset.splits.values()))
    given, kept = {}, {}
    before = files.registered_folder(spec)
    def holds_classes(path: Path) -> bool:
        return path.is_dir() and classes <= {p.name for p in path.iterdir()}

    for name in wanted:
        named = [path for path in _walk(roots) if path.name == name and holds_classes(path)]
        if named:
            given[name] = named[0]
        elif holds_classes(before / name):
            kept[name] = before / name
    if not given:
        raise DataFileError(
            f"{spec.id} needs the folder{'s' if len(wanted) > 1 else ''} {', '.join(f'{n}/' for n in wanted)} "
            f"with one subfolder per class ({', '.join(sorted(classes))}); none found in what was given: "
            f"give that folder, its parent, or its zip ({', '.join(f'{n}.zip' for n in wanted)})")
    for name, folder in {**given, **kept}.items():
        for class_name in spec.output.classes:
            shutil.copytree(folder / class_name, staging / name / class_name)
    counted = sum(len(image_folder.split_files(spec, split, staging)[0])
                  for split, part in spec.dataset.splits.items() if part.folder in given)
    verified = f"{counted:,} images ({', '.join(f'{n}/' for n in given)})"
    if kept:
        verified += f", with {', '.join(f'{n}/' for n in kept)} kept from before"
    missing = [name for name in wanted if name not in given and name not in kept]
    if missing:
        verified += (f"; still needed before it grades: {', '.join(f'{n}/' for n in missing)} "
                     f"(`tfcert data add {spec.id} PATH` with it or its zip)")
    return verified


FOLDER_ADDERS: dict[str, Callable[[object, list[Path], Path], str]] = {
    "idx": _add_idx,
    "aclimdb": _add_imdb,
    "image_folder": _add_images,
}
