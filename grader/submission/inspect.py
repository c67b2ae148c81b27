"""Inspect a model file: who saved it, its layers and shapes, whether it loads, which tasks it fits.

The config is read as data; the model is then opened only through `load_model_file`, which
refuses Lambda layers and custom classes before Keras sees the file, so no code from the file
runs. A model that does not load is still described from its config.

Example:
    report = inspect_file(Path("model.h5"))
    report.to_dict()               # plain data, ready for json.dumps
    # grader.report.inspection.format_report(report): what `tfcert inspect model.h5` prints
"""

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from grader.catalog import list_tasks
from grader.errors import ContractError, SubmissionError
from grader.models.structure import format_shape
from grader.submission.compat import wrapped_layers
from grader.submission.contract import check_contract
from grader.submission.load import check_file, load_model_file, read_saved_config


@dataclass(frozen=True)
class LayerLine:
    """One layer of the saved config; `depth` > 0 for layers inside a wrapper or a nested model."""

    depth: int
    class_name: str
    name: str


@dataclass(frozen=True)
class TaskFit:
    """Whether the model fits one task's input/output contract, and why (not)."""

    task_id: str
    fits: bool
    reason: str
    feeds: str = ""  # the task's input shape, e.g. "(None, 30, 1)"
    expects: str = ""  # and its output shape


@dataclass
class ModelReport:
    """What `tfcert inspect` says about one model file."""

    path: str
    format: str  # "keras" or "h5"
    saved_by: str | None  # e.g. "Keras 2.4.0"; None when the file does not record it
    backend: str | None  # .keras files do not record the backend
    model_class: str
    layers: list[LayerLine]
    loads: bool
    shims: list[str] = field(default_factory=list)
    problem: str | None = None  # why it does not load, in the learner's terms
    inputs: list[tuple] = field(default_factory=list)
    outputs: list[tuple] = field(default_factory=list)
    params: int | None = None
    tasks: list[TaskFit] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain data (lists, strings, numbers) for JSON output."""
        return dataclasses.asdict(self)


def inspect_file(path: Path) -> ModelReport:
    """Describe a `.keras` or `.h5` model file; raise SubmissionError when it is not a model file."""
    check_file(path, max_file_mb=float("inf"))
    # The file's own size as the limit: any size is inspected, and a .keras zip is still refused
    # when it unpacks to far more than that (a zip bomb).
    own_size_mb = path.stat().st_size / 2**20
    file_format, config, saved_by, backend = _read_saved(path, own_size_mb)
    report = ModelReport(str(path), file_format, saved_by, backend, config.get("class_name", "?"),
                         list(_layer_lines(_children(config), 0)), loads=False)
    try:
        loaded = load_model_file(path, own_size_mb)
    except SubmissionError as exc:
        report.problem = str(exc).removeprefix(f"{path}: ")
        return report
    model = loaded.model
    report.loads, report.shims = True, loaded.shims
    report.inputs = [tuple(tensor.shape) for tensor in model.inputs]
    report.outputs = [tuple(tensor.shape) for tensor in model.outputs]
    report.params = model.count_params()
    report.tasks = [_task_fit(model, spec) for spec in list_tasks()]
    return report


def _read_saved(path: Path, max_file_mb: float) -> tuple[str, dict, str | None, str | None]:
    """The format, config, Keras version and backend recorded in a model file."""
    kind, config, saved_by = read_saved_config(path, max_file_mb)
    return kind, config, saved_by, _h5_backend(path) if kind == "h5" else None


def _h5_backend(path: Path) -> str | None:
    """The backend an HDF5 model file records ('tensorflow' for every TF 2.x file)."""
    import h5py

    with h5py.File(path, "r") as h5:
        backend = h5.attrs.get("backend")
    return backend.decode() if isinstance(backend, bytes) else backend


def _children(entry: dict) -> list[dict]:
    """The layers inside a layer entry: a (nested) model's layers, then a wrapper's layer(s)."""
    nested = entry.get("config", {}).get("layers")
    return (nested if isinstance(nested, list) else []) + wrapped_layers(entry)


def _layer_lines(entries: list[dict], depth: int):
    """Flatten layer entries, and the layers inside them, into indented lines."""
    for entry in entries:
        yield LayerLine(depth, entry["class_name"], entry["config"].get("name", "?"))
        yield from _layer_lines(_children(entry), depth + 1)


def _task_fit(model, spec) -> TaskFit:
    """Check one task's contract; the reason says what it feeds and expects, or the mismatch."""
    feeds, expects = format_shape((None, *spec.input.shape)), format_shape((None, *spec.output.shape))
    try:
        check_contract(model, spec)
    except ContractError as exc:
        return TaskFit(spec.id, False, str(exc), feeds, expects)
    return TaskFit(spec.id, True, f"{spec.id} feeds {feeds} and expects {expects}", feeds, expects)
