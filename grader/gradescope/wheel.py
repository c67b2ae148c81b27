"""The tfcert wheel an autograder archive carries: the very code that made the archive.

Run from a source checkout, tfcert builds its wheel from a copy of the files the build reads
(`pip wheel` without build isolation, so nothing is downloaded, and no stale `build/` folder of
the checkout can slip files in).
Installed from a wheel, it repacks its installed files (the RECORD pip wrote) into one, so an
instructor can make an archive on any machine that has tfcert.

Example:
    wheel = this_wheel(Path(scratch))      # .../tfcert-0.1.0-py3-none-any.whl
"""

import base64
import csv
import hashlib
import io
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

from grader import resources
from grader.errors import TfcertError

DISTRIBUTION = "tfcert"
# What pyproject.toml builds the wheel from; nothing else of the checkout (venvs, outputs) is copied.
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "grader", *resources.FOLDERS)
SOLUTIONS_IN_WHEEL = "grader/resources/solutions/"  # the reference solutions, as the wheel installs them
NOT_REPACKED = ("INSTALLER", "REQUESTED", "RECORD", "direct_url.json")  # what the installer added


class WheelError(TfcertError):
    """No wheel of this tfcert can be made (or the one given is not one)."""


def this_wheel(into: Path) -> Path:
    """A wheel of the running tfcert in `into`: built from its checkout, or repacked from its installation."""
    package_parent = Path(resources.__file__).resolve().parents[2]
    if resources.root() == package_parent:  # grader/ beside tasks/: a source checkout
        return build_wheel(package_parent, into)
    return repack_installed(package_parent, into)


def build_wheel(project: Path, into: Path) -> Path:
    """Build the wheel of the checkout `project` from a copy of its build inputs; return its path."""
    missing = [name for name in BUILD_INPUTS if not (project / name).exists()]
    if missing:
        raise WheelError(f"{project}: not a whole tfcert checkout ({', '.join(missing)} missing); "
                         "pass a wheel with --wheel FILE")
    copy = into / "source"
    copy.mkdir()
    for name in BUILD_INPUTS:
        if (project / name).is_dir():
            shutil.copytree(project / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(project / name, copy / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "--wheel-dir", str(into), str(copy)],
        capture_output=True, text=True,
    )
    shutil.rmtree(copy, ignore_errors=True)
    wheels = sorted(into.glob(f"{DISTRIBUTION}-*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        said = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise WheelError(f"cannot build the tfcert wheel from {project} ({said}); "
                         "install setuptools>=77, or pass a wheel with --wheel FILE")
    return wheels[0]


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


def without_solutions(wheel: Path, into: Path) -> Path:
    """A copy of `wheel` in `into` without tfcert's reference solutions (and their RECORD lines).

    An autograder archive goes where students' code runs: it must carry nothing that solves the task.
    """
    target = into / wheel.name
    if target.resolve() == wheel.resolve():
        raise ValueError(f"{wheel}: the copy must go to another folder")
    try:
        with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
            for info in source.infolist():
                if info.filename.startswith(SOLUTIONS_IN_WHEEL):
                    continue
                data = source.read(info)
                if info.filename.endswith(".dist-info/RECORD"):
                    lines = data.decode("utf-8").splitlines(keepends=True)
                    data = "".join(line for line in lines if not line.startswith(SOLUTIONS_IN_WHEEL)).encode()
                copy.writestr(info, data)
    except zipfile.BadZipFile:
        target.unlink(missing_ok=True)
        raise WheelError(f"{wheel}: not a wheel (not a zip archive); pass a tfcert wheel with --wheel FILE") from None
    return target


def check_wheel(path: Path) -> Path:
    """A wheel given with --wheel: it must be a tfcert wheel file."""
    if not path.is_file() or not path.name.startswith(f"{DISTRIBUTION}-") or path.suffix != ".whl":
        raise WheelError(f"{path}: not a tfcert wheel file (expected tfcert-VERSION-py3-none-any.whl)")
    return path


def _belongs_in_wheel(file) -> bool:
    """Installed files that came from the wheel: not scripts (outside site-packages), caches or the installer's."""
    return file.parts[0] != ".." and "__pycache__" not in file.parts and file.name not in NOT_REPACKED
