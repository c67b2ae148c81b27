"""Where the task specs and the files they name live: the builtin ones, or an author's folder.

The builtin specs, starters and solutions are tfcert's resources (`grader.resources.root()`:
the package once installed, the repository in a checkout). An author points `TFCERT_TASKS_DIR`
at a folder of specs of their own; a path a spec names (`starter/mytask.py`) is then looked up
beside that folder first, so an author's project keeps the builtin layout
(`tasks/`, `starter/`, `solutions/`), and falls back on the builtin files.

Example:
    tasks_dir()                          # .../tasks, or $TFCERT_TASKS_DIR
    project_file("starter/task4.py")     # the starter a spec names, wherever it is
"""

import os
from pathlib import Path

from grader import resources

TASKS_DIR_ENV = "TFCERT_TASKS_DIR"


def tasks_dir() -> Path:
    """The folder that holds the task specs (env TFCERT_TASKS_DIR overrides the builtin one)."""
    return Path(os.environ.get(TASKS_DIR_ENV) or resources.root() / "tasks")


def resource_dirs(solutions: bool = True) -> list[Path]:
    """The folders a spec's paths point into (specs, vocabularies, starters, solutions) that exist here.

    `solutions=False` leaves out the reference solutions' folders (`solution_dirs()`).
    """
    folders = [tasks_dir(), *(root / name for root in _project_roots() for name in resources.FOLDERS
                              if name != "tasks" and (solutions or name != "solutions"))]
    return [folder for folder in dict.fromkeys(folders) if folder.is_dir()]


def solution_dirs() -> list[Path]:
    """The folders holding reference solutions here: tfcert's, and an author's project's."""
    return [folder for folder in dict.fromkeys(root / "solutions" for root in _project_roots()) if folder.is_dir()]


def _project_roots() -> list[Path]:
    """tfcert's resources, after an author's project (as project_file reads them)."""
    roots = [resources.root()]
    if os.environ.get(TASKS_DIR_ENV):
        roots.insert(0, Path(os.environ[TASKS_DIR_ENV]).parent)
    return roots


def project_file(relative: str) -> Path:
    """Resolve a path a spec names (starter, solution, vocabulary): the author's project first, then tfcert's.

    A path that exists in neither is returned under tfcert's folder, for the caller's message.
    """
    override = os.environ.get(TASKS_DIR_ENV)
    if override and (authored := Path(override).parent / relative).exists():
        return authored
    return resources.root() / relative
