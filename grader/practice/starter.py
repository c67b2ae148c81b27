"""`tfcert starter TASK`: a task's starter file, written where the learner wants it.

Example:
    write_starter(load_task("task4"), None)            # ./task4.py
    write_starter(load_task("task4"), Path("my.py"))   # refuses to replace an existing my.py
"""

import shutil
from pathlib import Path

from grader.errors import TfcertError
from grader.paths import atomic_write


class StarterError(TfcertError):
    """The starter cannot be written where asked."""


def write_starter(spec, out: Path | None, force: bool = False) -> Path:
    """Copy `spec`'s starter to `out` (default: its file name, in the current folder); return the path.

    An existing file is kept unless `force`; the file appears whole or not at all.
    """
    target = out if out is not None else Path(Path(spec.starter).name)
    if target.is_dir():
        raise StarterError(f"{target}: is a folder; give a file name, e.g. --out {target / Path(spec.starter).name}")
    if target.exists() and not force:
        raise StarterError(f"{target}: already exists; choose another --out, or pass --force to replace it")
    atomic_write(target, lambda temporary: shutil.copyfile(spec.project_path(spec.starter), temporary))
    target.chmod(0o644)  # the temporary file was private
    return target
