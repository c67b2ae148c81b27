"""`tfcert gradescope TASK`: a Gradescope autograder archive that grades one task's submissions.

The zip holds, at its root (Gradescope unpacks it into /autograder/source):

    setup.sh                  run once when Gradescope builds the image: Python, bubblewrap, and a
                              virtual environment with tfcert installed from the package below
    run_autograder            run for every submission: grades /autograder/submission and writes
                              /autograder/results/results.json (grader/gradescope/autograder.py)
    tfcert-VERSION.tar.gz     this tfcert: the archive grades as the instructor's copy does (its source,
                              from a checkout; from an installed tfcert, tfcert-VERSION-py3-none-any.whl)
    tfcert-autograder.json    the task id, the tfcert version, whether a secret is included
    tasks/<id>.yaml           the task's spec, and the files it names that grading needs (starter,
                              vocabulary); never the reference solution, which the wheel leaves out too
    secret                    with --secret-env NAME: the value of $NAME, which seeds the hidden test
                              split (TFCERT_SECRET). Keep such an archive private.

Example:
    build_autograder(load_task("task4"), Path("autograder.zip"), secret_env="TFCERT_SECRET")
"""

import json
import os
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from grader.errors import TfcertError
from grader.gradescope.autograder import CONFIG_FILE, SECRET_FILE
from grader.gradescope.wheel import check_wheel, package_version, this_package, without_solutions
from grader.paths import atomic_write
from grader.spec import TaskSpec, spec_path, tasks_dir

SCRIPTS = ("setup.sh", "run_autograder")


class ArchiveError(TfcertError):
    """The archive cannot be made as asked (e.g. the secret's variable is not set)."""


@dataclass(frozen=True)
class Archive:
    """What `build_autograder` wrote."""

    path: Path
    members: tuple[str, ...]
    package: str  # the tfcert file inside: a wheel, or a checkout's source archive
    has_secret: bool


def build_autograder(spec: TaskSpec, out: Path, secret_env: str | None = None, wheel: Path | None = None) -> Archive:
    """Write the autograder zip for `spec` to `out` (atomically); `wheel` defaults to this tfcert's package."""
    secret = _secret(secret_env) if secret_env else None
    with tempfile.TemporaryDirectory(prefix="tfcert-gradescope-") as scratch:
        built = Path(scratch, "built")
        built.mkdir()
        package = without_solutions(check_wheel(wheel) if wheel else this_package(built), Path(scratch))
        members = _members(spec, package, secret)
        atomic_write(out, lambda temporary: _write_zip(temporary, members, private=secret is not None))
    return Archive(out, tuple(name for name, _, _ in members), package.name, secret is not None)


def _secret(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ArchiveError(f"--secret-env {name}: the environment variable {name} is not set or empty; "
                           f"export {name}=... (any long random string) and run again")
    return value


def _members(spec: TaskSpec, package: Path, secret: str | None) -> list[tuple[str, bytes, int]]:
    """(name in the zip, content, file mode) of every member."""
    version = package_version(package)
    config = {"task": spec.id, "tfcert": version, "secret": secret is not None}
    spec_file = spec_path(spec.id)
    members = [(name, resources.files(__package__).joinpath(name).read_bytes(), 0o755) for name in SCRIPTS]
    members += [
        (CONFIG_FILE, (json.dumps(config, indent=2) + "\n").encode(), 0o644),
        (package.name, package.read_bytes(), 0o644),
        (f"tasks/{spec_file.relative_to(tasks_dir()).as_posix()}", spec_file.read_bytes(), 0o644),
    ]
    members += [(relative, spec.project_path(relative).read_bytes(), 0o644) for relative in _named_files(spec)]
    if secret is not None:
        members.append((SECRET_FILE, (secret + "\n").encode(), 0o600))
    return members


def _named_files(spec: TaskSpec) -> list[str]:
    """The files a spec names that grading needs (the starter, a vocabulary), relative to its project.

    Never the reference solution: students' code runs beside these files.
    """
    named = [spec.starter, spec.input.preprocessing.get("vocabulary")]
    return list(dict.fromkeys(Path(name).as_posix() for name in named if name))


def _write_zip(target: Path, members: list[tuple[str, bytes, int]], private: bool) -> None:
    """Write the members; an archive holding a secret stays readable by its owner only."""
    target.chmod(0o600 if private else 0o644)
    with zipfile.ZipFile(target, "w") as archive:
        for name, content, mode in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | mode) << 16  # unzip keeps the scripts executable
            packed = name.endswith((".whl", ".tar.gz"))  # compressed already
            info.compress_type = zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
