"""Train mode: run a learner's training script in a sandboxed child and keep the saved model.

The script is a `.py` or a notebook (`.ipynb`, grader.submission.notebook). Before the child
starts, the parent reads the script (never runs it) to choose its entry function
(grader.sandbox.entry: `solution_model()`, Dicoding's `solution_A1()`.., or `--entry`) and its
Keras (grader.sandbox.keras_runtime: Keras 2 for exam-era code, Keras 3 for tfcert's starters, or
`--keras`). The child (grader.sandbox.train_child, under grader.sandbox: scrubbed environment, no
network where the platform allows it, memory and time limits) answers the script's downloads
from tfcert's verified data, checks the model against the task's contract when `fit` starts,
calls the entry and saves the model (`.keras`, or `.h5` under Keras 2) in a fresh temporary
directory, which is also its working directory. Only that file crosses back; the hidden test
split is built later, in the parent.

Example:
    with train_solution(Path("Problem_A2.py"), SandboxLimits(900, 4096), spec=spec,
                        options=TrainOptions(max_epochs=1)) as trained:
        loaded = load_model_file(trained.model_path, max_file_mb=60)
"""

import contextlib
import dataclasses
import json
import os
import re
import stat
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SubmissionError, TrainingError
from grader.sandbox.entry import choose_entry
from grader.sandbox.keras_habits import with_hint
from grader.sandbox.keras_runtime import KERAS_CHOICES, choose_keras
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.runner import run_module, shows_solutions
from grader.sandbox.status import read_status
from grader.submission.load import refuse_links
from grader.submission.notebook import notebook_script

SCRIPT_SUFFIXES = (".py", ".ipynb")
MODEL_FILES = {2: "model.h5", 3: "model.keras"}  # what the child saves under Keras 2 (the exam's format) and 3
NOT_COMPILED = "not_compiled"  # a note the child may report: the returned model was never compiled
NOTES = {
    NOT_COMPILED: "{entry}() returned a model that was never compiled, so it was never trained: "
                  "call model.compile(...) and model.fit(...) before returning it",
}


@dataclass(frozen=True)
class TrainOptions:
    """How to run a script: its entry function, its Keras, the quick check's epoch cap."""

    entry: str | None = None  # --entry NAME; None: the rule of grader.sandbox.entry
    keras: str = "auto"  # --keras 2|3|auto (grader.sandbox.keras_runtime)
    max_epochs: int | None = None  # --max-epochs N: a quick check, each fit() call capped at N epochs
    max_steps: int | None = None  # --max-steps S: a quick check, each epoch capped at S batches

    @property
    def quick(self) -> bool:
        """A quick check: its result is labelled so and never recorded as a practice attempt."""
        return self.max_epochs is not None or self.max_steps is not None

    def __post_init__(self):
        if self.keras not in KERAS_CHOICES:
            raise SubmissionError(f"--keras {self.keras}: use one of {', '.join(KERAS_CHOICES)}")
        for name, value in (("--max-epochs", self.max_epochs), ("--max-steps", self.max_steps)):
            if value is not None and value < 1:
                raise SubmissionError(f"{name} must be at least 1")


@dataclass(frozen=True)
class TrainedModel:
    """Where the child saved the model, how long training took, and how the script was run."""

    model_path: Path
    seconds: float
    notes: tuple[str, ...] = ()  # what the run noticed (never compiled, the runtime chosen, a quick check...)
    entry: str = "solution_model"
    keras: int = 3


def _contract(spec) -> dict | None:
    """The part of the spec the child checks when training starts (grader.sandbox.fit_hooks)."""
    if spec is None:
        return None
    return {"id": spec.id, "input": dataclasses.asdict(spec.input), "output": dataclasses.asdict(spec.output)}


def _keras_home() -> str:
    return str(Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser())


@contextlib.contextmanager
def _script(solution: Path, entries: tuple[str, ...]):
    """(the .py to run, a function that maps its line numbers to the learner's, a note): a notebook is converted."""
    if solution.suffix.lower() != ".ipynb":
        yield solution.resolve(), (lambda message: message), None
        return
    script = notebook_script(solution, entries)
    with tempfile.TemporaryDirectory(prefix="tfcert-notebook-") as folder:
        converted = Path(folder) / (solution.stem + ".py")
        converted.write_text(script.source, encoding="utf-8")

        def to_cells(message: str) -> str:
            return re.sub(r"\bline (\d+), in ", lambda match: f"{script.place(int(match.group(1)))}, in ", message)

        yield converted, to_cells, script.note


@contextlib.contextmanager
def train_solution(solution: Path, limits: SandboxLimits, log=None, spec=None, options: TrainOptions = TrainOptions()):
    """Run the script's entry function in a sandboxed child; yield a TrainedModel, then clean up.

    `spec` (optional) gives the entry names and the contract checked when training starts;
    `log(line)` receives each line the child prints (training progress); default: our stderr.
    """
    refuse_links(solution)
    if not solution.is_file():
        raise SubmissionError(f"{solution}: no such file; check the path")
    refuse_links(solution)
    if not solution.is_file():
        raise SubmissionError(f"{solution}: no such file; check the path")
    if solution.suffix.lower() not in SCRIPT_SUFFIXES:
        raise SubmissionError(f"{solution}: train mode runs a .py script or a .ipynb notebook")
    entries = spec.entry if spec is not None else ("solution_model",)
    with _script(solution, entries) as (script, learner_lines, script_note):
        source = script.read_text(encoding="utf-8", errors="replace")
        try:
            entry = choose_entry(source, entries, options.entry)
        except SubmissionError as exc:
            raise SubmissionError(f"{solution}: {exc}") from None
        runtime, why = choose_keras(source, options.keras)
        config = {"entry": entry, "keras": runtime, "max_epochs": options.max_epochs, "max_steps": options.max_steps,
                  "contract": _contract(spec),
                  "host_keras_home": _keras_home()}
        with tempfile.TemporaryDirectory(prefix="tfcert-train-") as workdir:
            workdir = Path(workdir)
            started = time.monotonic()
            run = run_module("grader.sandbox.train_child", [str(script), str(workdir), json.dumps(config)], workdir,
                             limits, log or _to_stderr, readonly=[script], solutions=shows_solutions(solution))
            seconds = time.monotonic() - started
            if run.timed_out:
                raise TrainingError(
                    f"{solution}: {entry}() did not finish within the {limits.wall_seconds:g} s limit; "
                    "train for fewer epochs or use a smaller model (or raise the limit with --time-limit); "
                    "--max-epochs 1 checks the whole script quickly"
                )
            report = read_status(workdir, run, limits, expected=("saved",))
            if report.outcome != "saved":
                message = f"{solution}: {learner_lines(report.message)}"
                # The Keras 3 way, in the grader's words, where a Keras 2 habit explains the failure.
                raise TrainingError(with_hint(message, source) if runtime == 3 else message)
            notes = [learner_lines(_note(code, entry)) for code in report.notes]
            notes += [script_note] if script_note else []
            if runtime == 2:
                notes.append(f"trained under Keras 2 (tf_keras), as the script {why}; --keras 3 runs it under Keras 3")
            if options.quick:
                caps = [f"at most {value} {what}" for value, what in ((options.max_epochs, "epoch(s) per fit()"),
                                                                      (options.max_steps, "batches per epoch"))
                        if value is not None]
                notes.append(f"quick check: {' and '.join(caps)}; not a practice attempt, and not the score of "
                             "a full run")
            model_path = _saved_model_file(workdir, solution, MODEL_FILES[runtime], entry)
            yield TrainedModel(model_path, seconds, tuple(notes), entry, runtime)


def _saved_model_file(workdir: Path, solution: Path, name: str, entry: str) -> Path:
    """The model file the child saved: a regular file, never a link or a directory in its place."""
    path = workdir / name
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is None or not stat.S_ISREG(mode):
        what = "no" if mode is None else "a directory or a link, not a"
        raise TrainingError(f"{solution}: training left {what} model file ({name}); end {entry}() "
                            "with `return model` and let the grader save it")
    return path


def _note(code: str, entry: str) -> str:
    """A note of the child in the grader's words where it knows the code; the child's own words quoted otherwise."""
    return NOTES[code].format(entry=entry) if code in NOTES else f"your code said: {code}"


def _to_stderr(line: str) -> None:
    sys.stderr.write(line)
    sys.stderr.flush()
