"""`tfcert starter TASK`: a task's starter file, written where the learner wants it.

A starter may serve several tasks (starter/mnist.py: fashion-mnist, dicoding-b2, dicoding-c2);
the learner's copy is named after the task and its `TASK = "..."` line names that task, so the
copy trains on the task's own data.

Example:
    write_starter(load_task("task4"), None)            # ./task4.py
    write_starter(load_task("task4"), Path("my.py"))   # refuses to replace an existing my.py
"""

import re
from pathlib import Path

from grader.errors import TfcertError
from grader.paths import atomic_write


class StarterError(TfcertError):
    """The starter cannot be written where asked."""


def write_starter(spec, out: Path | None, force: bool = False) -> Path:
    """Copy `spec`'s starter to `out` (default: its file name, in the current folder); return the path.

    An existing file is kept unless `force`; the file appears whole or not at all.
    """
    target = out if out is not None else Path(starter_name(spec))
    if target.is_dir():
        raise StarterError(f"{target}: is a folder; give a file name, e.g. --out {target / starter_name(spec)}")
    if target.exists() and not force:
        raise StarterError(f"{target}: already exists; choose another --out, or pass --force to replace it")
    atomic_write(target, lambda temporary: temporary.write_text(starter_text(spec), encoding="utf-8"))
    target.chmod(0o644)  # the temporary file was private
    return target


def starter_name(spec) -> str:
    """The learner's copy of a task's starter: '<task id>.py' (e.g. fashion-mnist.py, not mnist.py)."""
    return f"{spec.id}.py"


_TASK_LINE = re.compile(r'^TASK = "[^"\n]*".*$', re.MULTILINE)


def starter_text(spec) -> str:
    """The starter's text, its `TASK = "..."` line (if it has one) naming `spec`'s task."""
    text = spec.project_path(spec.starter).read_text(encoding="utf-8")
    return _TASK_LINE.sub(f'TASK = "{spec.id}"', text, count=1)
