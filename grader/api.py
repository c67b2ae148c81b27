"""The grading pipeline, callable from Python: spec -> submission -> model -> evaluate -> score.

`tfcert grade` is a thin shell over `grade()`; a notebook calls it the same way.

Example:
    from grader import grade
    result = grade("task4", "model.keras")      # a path: .keras, .h5 or a solution .py
    result = grade("task4", model)              # or a Keras model in memory
    print(result.points, result.passed)
"""

import contextlib
from pathlib import Path

from grader.contract import check_contract
from grader.data import hidden_test_split
from grader.errors import SubmissionError
from grader.evaluate import evaluate
from grader.explain import figure_data
from grader.result import BaselineScore, GradeResult
from grader.scoring import MAX_POINTS, diagnose, points_for
from grader.spec import TaskSpec, load_task
from grader.submission import LoadedModel, load_model_file
from grader.train import train_solution
from grader.baselines import describe_baseline


def grade(task: str | TaskSpec, submission, *, time_limit: float | None = None, log=None) -> GradeResult:
    """Grade `submission` (a path or a Keras model) on `task`'s hidden test split.

    `time_limit` overrides the spec's train-mode budget in seconds; `log(line)` receives the
    training output of a solution file. User mistakes raise a `TfcertError` subclass.
    """
    spec = task if isinstance(task, TaskSpec) else load_task(task)
    with _open(spec, submission, time_limit, log) as (loaded, shown, mode, train_seconds):
        check_contract(loaded.model, spec)
        _check_size(loaded.model, spec, shown)
        evaluation = evaluate(loaded.model, spec, hidden_test_split(spec))
    value = evaluation.metric_value
    points = points_for(value, spec.metric)
    baselines = [
        BaselineScore(name, describe_baseline(name, spec.metric.baselines[name]), round(baseline_value, 6),
                      points_for(baseline_value, spec.metric))
        for name, baseline_value in evaluation.baseline_values.items()
    ]
    return GradeResult(
        task=spec.id, title=spec.title, submission=shown, mode=mode,
        metric=spec.metric.name, metric_label=spec.metric.label,
        lower_is_better=spec.metric.lower_is_better,
        value=None if evaluation.nonfinite_predictions else round(value, 6),
        points=points, max_points=MAX_POINTS, passed=points >= spec.metric.pass_points,
        pass_points=spec.metric.pass_points, ladder=dict(spec.metric.ladder),
        baselines=baselines, diagnostics=diagnose(evaluation, spec, loaded.model),
        test_examples=len(evaluation.targets), saved_by=loaded.saved_by, shims=loaded.shims,
        train_seconds=None if train_seconds is None else round(train_seconds, 1),
        figure=figure_data(evaluation, spec),
    )


@contextlib.contextmanager
def _open(spec: TaskSpec, submission, time_limit, log):
    """Yield (LoadedModel, shown name, mode, train seconds) for a model, a model file or a .py."""
    if not isinstance(submission, (str, Path)):
        shown = f"in-memory {type(submission).__name__}"
        yield LoadedModel(_require_keras_model(submission), "in-memory"), shown, "in-memory", None
        return
    path = Path(submission)
    if path.suffix.lower() == ".py":
        limit = time_limit if time_limit is not None else spec.limits.train_seconds
        with train_solution(path, limit, log) as trained:
            loaded = load_model_file(trained.model_path, spec.limits.max_file_mb)
            yield loaded, str(path), "train", trained.seconds
        return
    yield load_model_file(path, spec.limits.max_file_mb), str(path), "file", None


def _require_keras_model(obj):
    from grader.keras_runtime import import_keras

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
