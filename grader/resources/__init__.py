"""The files tfcert ships beside its code: task specs (`tasks/`), starters and reference solutions.

In the repository they live at the top (`tasks/`, `starter/`, `solutions/`); a wheel installs
them inside this package (pyproject.toml maps the three folders here), so an installed tfcert
works from any directory. `root()` is the folder that holds the three, whichever applies; spec
paths such as `starter/task4.py` are relative to it.

Example:
    root() / "tasks" / "task4.yaml"      # the builtin spec of task4, installed or in a checkout
"""

from importlib import resources
from pathlib import Path

FOLDERS = ("tasks", "starter", "solutions")


def root() -> Path:
    """The folder holding tasks/, starter/ and solutions/: this package once installed, else the checkout."""
    installed = resources.files(__name__)
    if isinstance(installed, Path) and (installed / "tasks").is_dir():
        return installed
    return Path(__file__).resolve().parents[2]  # a source checkout (or an editable install of one)
