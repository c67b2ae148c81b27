"""A Jupyter or Colab notebook (.ipynb) as the training script its code cells make, run in order.

Learners work in Colab and Jupyter, as the course does. Train mode takes a notebook wherever it
takes a `.py`: its code cells, in order, become one script. What is not Python is skipped and
said once: shell lines (`!pip install ...`), line magics (`%matplotlib inline`) and cells that a
cell magic turns into something else (`%%bash`, `%%writefile`); `%%time`-like magics keep their
cell. The course's download and unzip lines (`!wget URL -O /tmp/rps.zip`, `!unzip ...`) run as
their Python equivalents instead, so the download is answered offline like a script's. A
top-level call of the entry function (`model = solution_model()`) trains the model in a
notebook; tfcert calls the entry itself, so that call and the rest of its cell (saving, plotting
the result) are skipped, as a script's `if __name__ == "__main__":` block is.

Example:
    script = notebook_script(Path("A2.ipynb"))
    script.source, script.note          # the Python, and "skipped 2 shell/magic lines ..."
    script.place(17)                    # "cell 4, line 3": where line 17 of the script came from
"""

import ast
import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import SubmissionError

PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")  # the cell is still Python


def shell_as_python(command: str) -> str | None:
    """The Python for a download or unzip shell line of the course's notebooks, else None.

    `!wget [--no-check-certificate] URL [-O PATH | -P DIR]`, `!curl [-L] URL (-o PATH | -O)` and
    `!unzip [-q] [-o] ZIP [-d DIR]` become urlretrieve (answered offline in the sandbox) and zipfile.
    """
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words or words[0] not in ("wget", "curl", "unzip"):
        return None
    tool, rest = words[0], words[1:]
    if tool == "unzip":
        files = [word for word in rest if not word.startswith("-")]
        folder = rest[rest.index("-d") + 1] if "-d" in rest[:-1] else "."
        files = [word for word in files if word != folder] or [None]
        if files[0] is None:
            return None
        return f"__import__('zipfile').ZipFile({files[0]!r}).extractall({folder!r})"
    urls = [word for word in rest if word.startswith(("http://", "https://"))]
    if len(urls) != 1:
        return None
    url, target = urls[0], urls[0].split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    for flag in (("-O", "--output-document") if tool == "wget" else ("-o", "--output")):
        if flag in rest[:-1]:
            target = rest[rest.index(flag) + 1]
    for word in rest:
        if word.startswith("--output-document="):
            target = word.partition("=")[2]
    if tool == "wget" and "-P" in rest[:-1]:
        folder = rest[rest.index("-P") + 1]
        return (f"__import__('os').makedirs({folder!r}, exist_ok=True); "
                f"__import__('urllib.request').request.urlretrieve({url!r}, {folder + '/' + target!r})")
    return f"__import__('urllib.request').request.urlretrieve({url!r}, {target!r})"


@dataclass(frozen=True)
class NotebookScript:
    """The script a notebook's code cells make, and where each of its lines came from."""

    source: str
    origins: list[tuple[int, int]] = field(default_factory=list)  # script line - 1 -> (cell number, line in cell)
    skipped: list[str] = field(default_factory=list)  # what was left out, in words
    translated: int = 0  # download and unzip shell lines run as Python

    def place(self, line: int) -> str:
        """'cell 4, line 3' for line `line` (1-based) of the script."""
        if 1 <= line <= len(self.origins):
            cell, in_cell = self.origins[line - 1]
            return f"cell {cell}, line {in_cell}"
        return f"line {line}"

    @property
    def note(self) -> str | None:
        """One line saying what was skipped or translated, or None."""
        said = [f"the notebook's {'; '.join(self.skipped)} were skipped (not Python, or tfcert's to run)"] \
            if self.skipped else []
        if self.translated:
            said.append(f"{self.translated} download or unzip shell lines (wget, curl, unzip) ran as Python, "
                        "answered offline")
        return "; ".join(said) or None


def _cells(path: Path) -> list[list[str]]:
    """The code cells' lines, in order."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise SubmissionError(f"{path}: not a readable Jupyter notebook ({type(exc).__name__}); "
                              "save it again from Jupyter or Colab (File > Download > .ipynb)") from None
    code = []
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            text = cell.get("source", "")
            text = "".join(text) if isinstance(text, list) else str(text)
            code.append(text.splitlines())
    return code


def _entry_calls(lines: list[str], entries: tuple[str, ...]) -> int | None:
    """The index of the first top-level statement of a cell that calls an entry function, or None."""
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return None
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If)):
            continue  # definitions, and `if __name__ == "__main__":` (never true in the child)
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in entries:
                return statement.lineno - 1
    return None


def notebook_script(path: Path, entries: tuple[str, ...] = ("solution_model",)) -> NotebookScript:
    """The notebook's code cells as one script (see the module doc); `entries`: the names tfcert will call."""
    lines, origins = [], []
    shell = magic = magic_cells = entry_calls = downloads = 0
    for number, cell in enumerate(_cells(path), start=1):
        if cell and cell[0].lstrip().startswith("%%") and not cell[0].lstrip().startswith(PYTHON_CELL_MAGICS):
            magic_cells += 1
            continue
        kept = []
        for index, line in enumerate(cell):
            stripped = line.lstrip()
            translated = shell_as_python(stripped[1:]) if stripped.startswith("!") else None
            if translated:
                downloads += 1
                line = line[: len(line) - len(stripped)] + translated
            elif stripped.startswith(("!", "%")):  # `pass` keeps an indented block valid
                shell, magic = (shell + 1, magic) if stripped.startswith("!") else (shell, magic + 1)
                line = line[: len(line) - len(stripped)] + "pass"
            kept.append((index, line))
        stop = _entry_calls([line for _, line in kept], entries)
        if stop is not None:
            entry_calls += 1
            kept = kept[:stop]
        for index, line in kept:
            lines.append(line)
            origins.append((number, index + 1))
    skipped = [f"{count} {what}" for count, what in ((shell, "shell (!) lines"), (magic, "magic (%) lines"),
                                                     (magic_cells, "cells of a %% magic"),
                                                     (entry_calls, "top-level calls of the entry function"))
               if count]
    return NotebookScript("\n".join(lines) + "\n", origins, skipped, downloads)
