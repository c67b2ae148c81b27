"""The grading pipeline, callable from Python: spec -> submission -> model -> evaluate -> score.

`tfcert grade` is a thin shell over `grade()`; a notebook calls it the same way.

Example:
    from grader import grade
    result = grade("task4", "model.keras")      # a path: .keras, .h5 or a solution .py
    result = grade("task4", model)              # or a Keras model in memory
    print(result.points, result.passed)
"""

import contextlib
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.catalog import load_task
from grader.data import Examples, grading_key, hidden_test_split, learner_split
from grader.data.splits import LEARNER_SPLITS
from grader.errors import ContractError, DataMissingError, SubmissionError
from grader.models.feeding import batch_dependence, feeding_plan, predict_planned
from grader.models.predict import ModelOutputError
from grader.models.traces import TraceCache
from grader.report.result import BaselineScore, GradeResult, Requirement
from grader.sandbox.keras_habits import with_hint
from grader.sandbox.limits import SandboxLimits, in_process_limits
from grader.sandbox.train import SCRIPT_SUFFIXES, TrainOptions, train_solution
from grader.sandbox.trusted import predict_in_child
from grader.scoring.diagnostics import diagnose
from grader.scoring.evaluate import baseline_values, evaluate_predictions
from grader.scoring.figure import figure_data
from grader.scoring.gaps import rung_gaps
from grader.scoring.points import MAX_POINTS, points_for
from grader.spec import METRICS, TaskSpec
from grader.spec.baselines import describe_baseline
from grader.submission.contract import check_contract
from grader.submission.load import LoadedModel, is_saved_model, load_model_file, refuse_links


@dataclass
class Warm:
    """What a process grading submission after submission of one task keeps between grades.

    The hidden test split, its baseline scores (computed at the first grade: they depend only on
    the task and the split) and the traced predict functions of the architectures seen so far.
    Grades through a `Warm` give the same numbers as cold ones, bit for bit.

    Example:
        warm = Warm("task4", hidden_test_split(spec))
        for path in paths:
            grade(spec, path, warm=warm)
    """

    task: str
    test: Examples
    traces: TraceCache = field(default_factory=TraceCache)
    baselines: dict[str, float] | None = None

    def baseline_values(self, spec: TaskSpec) -> dict[str, float]:
        if self.baselines is None:
            self.baselines = baseline_values(spec, self.test)
        return self.baselines


def grade(task: str | TaskSpec, submission, *, trust: bool = False, time_limit: float | None = None,
          limits: dict | None = None, log=None, test: Examples | None = None, warm: Warm | None = None,
          keep=None, train: TrainOptions | None = None) -> GradeResult:
    """Grade `submission` (a path or a Keras model) on `task`'s hidden test split.

    `trust=True` lets a model file run its own code (Lambda layers, custom objects), only in a
    sandboxed child; a SavedModel directory is always loaded in such a child. `time_limit`
    overrides the train-mode budget in seconds; `limits` overrides any field of the spec's limits
    (e.g. {"memory_mb": 8192}). `log(line)` receives training output. `test` passes a hidden test
    split built earlier; `warm` passes what a batch worker keeps between grades (the split
    included). `keep(model, evaluation)` sees the loaded Keras model (None when it ran in a
    sandboxed child) and the scored predictions: what batch grading compares across a class.
    `train` says how to run a training script (`.py` or `.ipynb`): its entry function, its Keras
    (2, 3 or auto) and the quick check's epoch cap (mode "quick-check"). User mistakes raise a
    `TfcertError` subclass.
    """
    spec = task if isinstance(task, TaskSpec) else load_task(task)
    if warm is not None:
        if warm.task != spec.id:
            raise ValueError(f"a Warm for {warm.task} cannot grade {spec.id}")
        test = warm.test
    traces = warm.traces if warm is not None else None
    overrides = dict(limits or {})
    if time_limit is not None:
        overrides["train_seconds"] = time_limit
    spec = dataclasses.replace(spec, limits=dataclasses.replace(spec.limits, **overrides))
    path = Path(submission) if isinstance(submission, (str, Path)) else None
    if path is not None:
        refuse_links(path)
    accepted, diagnostics = [], []  # notes on contract variants accepted; what the model's own checks found
    if path is not None and (is_saved_model(path) or (trust and path.suffix.lower() not in SCRIPT_SUFFIXES)):
        test = test if test is not None else hidden_test_split(spec)
        predictions = predict_in_child(spec, path, test, feeding_plan(len(test), grading_key(spec)))
        mode = "savedmodel" if is_saved_model(path) else "trusted"
        loaded, shown, train_seconds, notes = LoadedModel(None, mode), str(submission), None, ()
        entry = runtime = None
        with _named(shown):
            evaluation = evaluate_predictions(predictions, spec, test, warm.baseline_values(spec) if warm else None)
    else:
        with _open(spec, submission, log, train or TrainOptions()) as (loaded, shown, mode, trained, notes):
            train_seconds = trained.seconds if trained else None
            entry, runtime = (trained.entry, trained.keras) if trained else (None, None)
            # Everything that runs the submitted model does so under the task's time and memory limits.
            predict_limits = SandboxLimits(spec.limits.predict_seconds, spec.limits.memory_mb)
            with in_process_limits(predict_limits, shown):
                accepted = _check_contract(loaded.model, spec, path if runtime == 3 else None)
                _check_size(loaded.model, spec, shown)
            # Built only now: in train mode, after the child has saved its model and ended.
            test = test if test is not None else hidden_test_split(spec)
            with in_process_limits(predict_limits, shown), _named(shown):
                predictions = _independent_predictions(loaded.model, test, spec, shown, traces)
            with _named(shown):
                evaluation = evaluate_predictions(predictions, spec, test,
                                                  warm.baseline_values(spec) if warm else None)
            with in_process_limits(predict_limits, shown), _named(shown):
                diagnostics = diagnose(evaluation, spec, loaded.model, test, traces)
    if loaded.model is None:
        diagnostics = diagnose(evaluation, spec)
    if keep is not None:
        keep(loaded.model, evaluation)
    own_words = [*notes, *accepted]  # about the code and the contract: nothing from the hidden split
    value = evaluation.metric_value
    points = points_for(value, spec.metric)
    baselines = [
        BaselineScore(name, describe_baseline(name, spec.metric.baselines[name]), _stored(baseline_value),
                      points_for(baseline_value, spec.metric))
        for name, baseline_value in evaluation.baseline_values.items()
    ]
    requirements = [_requirement(name, bound, evaluation.also_values[name]) for name, bound in spec.metric.also.items()]
    return GradeResult(
        task=spec.id, title=spec.title, submission=shown, mode=mode,
        metric=spec.metric.name, metric_label=spec.metric.label,
        lower_is_better=spec.metric.lower_is_better,
        value=None if evaluation.nonfinite_predictions else _stored(value),
        points=points, max_points=MAX_POINTS,
        passed=points >= spec.metric.pass_points and all(r.met for r in requirements),
        pass_points=spec.metric.pass_points, ladder=dict(spec.metric.ladder),
        baselines=baselines, diagnostics=[*own_words, *(note.text for note in diagnostics)],
        public_diagnostics=[*own_words, *(note.public for note in diagnostics)],
        test_examples=len(evaluation.targets), saved_by=loaded.saved_by, shims=loaded.shims,
        train_seconds=None if train_seconds is None else round(train_seconds, 1),
        figure=figure_data(evaluation, spec, test), requirements=requirements, entry=entry, keras_runtime=runtime,
        gaps=[] if evaluation.nonfinite_predictions else rung_gaps(value, spec),
    )


def _independent_predictions(model, test: Examples, spec: TaskSpec, shown: str, traces):
    """The model's answers to the hidden test inputs, fed in a secret order, after the independence check."""
    plan = feeding_plan(len(test), grading_key(spec))
    scored, rechecked = predict_planned(model, test, plan, traces)
    problem = batch_dependence(scored, rechecked, plan)
    if problem:
        raise SubmissionError(f"{shown}: {problem}")
    return scored


@contextlib.contextmanager
def _named(shown: str):
    """Name the submission in a refusal of its answers (the prediction code does not know the file)."""
    try:
        yield
    except ModelOutputError as exc:
        raise SubmissionError(f"{shown}: {exc}") from None


def _stored(value: float) -> float:
    """A metric value as results keep it: 6 decimals, or 6 significant digits below 0.001 (MSE 2.5e-07 is not 0)."""
    return round(value, 6) if abs(value) >= 1e-3 else float(f"{value:.6g}")


def _requirement(name: str, bound: float, value: float) -> Requirement:
    """Whether `value` of metric `name` meets `bound` (NaN never does)."""
    lower_is_better = METRICS[name][0] == "min"
    met = value <= bound if lower_is_better else value >= bound  # False for NaN either way
    shown = None if np.isnan(value) else _stored(value)
    return Requirement(name, METRICS[name][1], bound, shown, bool(met))


@contextlib.contextmanager
def _open(spec: TaskSpec, submission, log, options: TrainOptions):
    """Yield (LoadedModel, shown name, mode, TrainedModel or None, training notes) for a model, a file or a script."""
    if not isinstance(submission, (str, Path)):
        shown = f"in-memory {type(submission).__name__}"
        yield LoadedModel(_require_keras_model(submission), "in-memory"), shown, "in-memory", None, ()
        return
    path = Path(submission)
    limits = spec.limits
    if path.suffix.lower() in SCRIPT_SUFFIXES:
        for split in LEARNER_SPLITS:  # the child sees tfcert's cache read-only: fill it here, once
            _fill_learner_split(spec, split)
        with train_solution(path, SandboxLimits.for_task(limits, limits.train_seconds), log, spec,
                            options) as trained:
            with in_process_limits(SandboxLimits(limits.predict_seconds, limits.memory_mb), str(path)):
                loaded = load_model_file(trained.model_path, limits.max_file_mb)
            mode = "quick-check" if options.quick else "train"
            yield loaded, str(path), mode, trained, trained.notes
        return
    with in_process_limits(SandboxLimits(limits.predict_seconds, limits.memory_mb), str(path)):
        loaded = load_model_file(path, limits.max_file_mb)
    yield loaded, str(path), "file", None, ()


def _fill_learner_split(spec: TaskSpec, split: str) -> None:
    """Build a learner split into tfcert's cache; a script that downloads its own data needs none of it here.

    Only tfcert's starters read these splits (grader.load_data); a real script fetches its data,
    and the child answers with the verified copy or says, in one line, how to provide it.
    """
    try:
        learner_split(spec, split)
    except DataMissingError:
        pass


def _check_contract(model, spec: TaskSpec, solution: Path | None) -> list[str]:
    """The contract check (its notes on accepted variants), before any test data is read.

    In train mode a refusal carries the Keras 3 fix where a Keras 2 habit explains it.
    """
    try:
        return check_contract(model, spec)
    except ContractError as exc:
        if solution is None:
            raise
        raise ContractError(with_hint(str(exc), solution.read_text(encoding="utf-8", errors="replace"))) from None


def _require_keras_model(obj):
    from grader.models.runtime import import_keras

    if not isinstance(obj, import_keras().Model):
        raise SubmissionError(
            f"cannot grade a {type(obj).__name__}; pass a Keras model, or the path of a .keras/.h5 file or solution .py"
        )
    return obj


def _check_size(model, spec: TaskSpec, shown: str) -> None:
    count = model.count_params()
    if count > spec.limits.max_params:
        raise SubmissionError(
            f"{shown}: the model has {count:,} parameters, over the task's limit of "
            f"{spec.limits.max_params:,}; use fewer or smaller layers"
        )
