"""The tfcert package an autograder archive carries: the very code that made the archive, with no build step.

Run from a source checkout (the README's `pip install -e .`), tfcert packs the files a build reads
into a source archive, `tfcert-VERSION.tar.gz` (an sdist's layout: one `tfcert-VERSION/` folder),
and Gradescope's `pip install` builds it when it builds the image (with the build backend
pyproject.toml asks for, fetched there). Nothing is built here, so no build tool has to be in the
instructor's environment: a fresh venv's setuptools 65 (Python 3.11's ensurepip), or none at all
(3.12+), is fine.
Installed from a wheel, it repacks its installed files (the RECORD pip wrote) into one, so an
instructor can make an archive on any machine that has tfcert.

Example:
    package = this_package(Path(scratch))   # .../tfcert-0.1.0.tar.gz (checkout) or ...-py3-none-any.whl
"""

import base64
import csv
import hashlib
import io
import re
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

from grader import resources
from grader.errors import TfcertError

DISTRIBUTION = "tfcert"
# What pyproject.toml builds the package from; nothing else of the checkout (venvs, outputs) is packed.
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "grader", *resources.FOLDERS)
SOLUTIONS_IN_WHEEL = "grader/resources/solutions/"  # the reference solutions, as the wheel installs them
NOT_REPACKED = ("INSTALLER", "REQUESTED", "RECORD", "direct_url.json")  # what the installer added
NOT_PACKED = ("__pycache__", "*.pyc", "*.egg-info", ".*")  # caches and build leftovers of a checkout
_VERSION = re.compile(r'^\[project\][^\[]*?^version\s*=\s*"([^"]+)"', re.MULTILINE | re.DOTALL)


class WheelError(TfcertError):
    """No package of this tfcert can be made (or the one given is not a tfcert wheel)."""


def this_package(into: Path) -> Path:
    """This tfcert as one installable file in `into`: its checkout's source archive, or its installed wheel."""
    package_parent = Path(resources.__file__).resolve().parents[2]
    if resources.root() == package_parent:  # grader/ beside tasks/: a source checkout
        return source_archive(package_parent, into)
    return repack_installed(package_parent, into)


def source_archive(project: Path, into: Path) -> Path:
    """Pack the checkout `project`'s build inputs as `tfcert-VERSION.tar.gz`; return its path."""
    missing = [name for name in BUILD_INPUTS if not (project / name).exists()]
    if missing:
        raise WheelError(f"{project}: not a whole tfcert checkout ({', '.join(missing)} missing); "
                         "pass a wheel with --wheel FILE")
    found = _VERSION.search((project / "pyproject.toml").read_text(encoding="utf-8"))
    if found is None:
        raise WheelError(f"{project / 'pyproject.toml'}: no [project] version; pass a wheel with --wheel FILE")
    top = f"{DISTRIBUTION}-{found.group(1)}"
    target = into / f"{top}.tar.gz"

    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        if any(Path(info.name).match(pattern) for pattern in NOT_PACKED):
            return None
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with tarfile.open(target, "w:gz") as archive:
        for name in BUILD_INPUTS:
            archive.add(project / name, arcname=f"{top}/{name}", filter=keep)
    return target


def repack_installed(site_folder: Path, into: Path) -> Path:
    """Zip the files of the tfcert installed in `site_folder` back into a wheel; return its path."""
    found = list(metadata.distributions(name=DISTRIBUTION, path=[str(site_folder)]))
    files = [file for file in (found[0].files or []) if _belongs_in_wheel(file)] if found else []
    if not any(file.parts[0] == "grader" for file in files):
        raise WheelError(f"no installed tfcert files under {site_folder} (an editable install?); "
                         "pass a wheel with --wheel FILE")
    distribution = found[0]
    target = into / f"{DISTRIBUTION}-{distribution.version}-py3-none-any.whl"
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as wheel:
        for file in sorted(files, key=str):
            data = Path(file.locate()).read_bytes()
            wheel.writestr(str(file), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            writer.writerow([str(file), f"sha256={digest}", len(data)])
        record_name = f"{DISTRIBUTION}-{distribution.version}.dist-info/RECORD"
        writer.writerow([record_name, "", ""])
        wheel.writestr(record_name, record.getvalue())
    return target


def without_solutions(package: Path, into: Path) -> Path:
    """A copy of `package` (a wheel or a source archive) in `into` without tfcert's reference solutions.

    An autograder archive goes where students' code runs: it must carry nothing that solves the
    task. A wheel loses `grader/resources/solutions/*` and their RECORD lines; a source archive
    the files of its `solutions/` folder (the empty folder stays: pyproject.toml maps a package
    onto it, so the archive still builds).
    """
    target = into / package.name
    if target.resolve() == package.resolve():
        raise ValueError(f"{package}: the copy must go to another folder")
    try:
        if package.name.endswith(".tar.gz"):
            _copy_tar_without_solutions(package, target)
        else:
            _copy_wheel_without_solutions(package, target)
    except (zipfile.BadZipFile, tarfile.TarError):
        target.unlink(missing_ok=True)
        raise WheelError(f"{package}: not a wheel or a source archive; pass a tfcert wheel with --wheel FILE") from None
    return target


def _copy_wheel_without_solutions(wheel: Path, target: Path) -> None:
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            if info.filename.startswith(SOLUTIONS_IN_WHEEL):
                continue
            data = source.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                lines = data.decode("utf-8").splitlines(keepends=True)
                data = "".join(line for line in lines if not line.startswith(SOLUTIONS_IN_WHEEL)).encode()
            copy.writestr(info, data)


def _copy_tar_without_solutions(archive: Path, target: Path) -> None:
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            parts = Path(member.name).parts
            if len(parts) > 2 and parts[1] == "solutions":  # tfcert-VERSION/solutions/<anything>
                continue
            copy.addfile(member, source.extractfile(member) if member.isfile() else None)


def package_version(path: Path) -> str:
    """The version in a package's file name: tfcert-VERSION-py3-none-any.whl or tfcert-VERSION.tar.gz."""
    name = path.name.removesuffix(".tar.gz")
    return name.split("-")[1]


def check_wheel(path: Path) -> Path:
    """A wheel given with --wheel: it must be a tfcert wheel file."""
    if not path.is_file() or not path.name.startswith(f"{DISTRIBUTION}-") or path.suffix != ".whl":
        raise WheelError(f"{path}: not a tfcert wheel file (expected tfcert-VERSION-py3-none-any.whl)")
    return path


def _belongs_in_wheel(file) -> bool:
    """Installed files that came from the wheel: not scripts (outside site-packages), caches or the installer's."""
    return file.parts[0] != ".." and "__pycache__" not in file.parts and file.name not in NOT_REPACKED
