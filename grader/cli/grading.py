"""`tfcert data|tasks|show|starter|grade|inspect|doctor`: the learner's commands for one task."""

from pathlib import Path

import click

from grader.cli.options import TfcertGroup, echo_fitted, echo_table, limit_overrides, sandbox_options, terminal_width


@click.group("data", cls=TfcertGroup)
def data_group():
    """The real datasets of the exam tasks: list what is here, fetch, or add a copy you have."""


@data_group.command("list")
def data_list_command():
    """What data each task needs and whether it is on this machine."""
    from grader.catalog import list_tasks
    from grader.data.status import status

    rows = [("task", "needs", "present", "where")]
    for item in map(status, list_tasks()):
        rows.append((item.task, item.needs, "yes" if item.present else "NO", item.where))
    echo_table(rows)


@data_group.command("fetch")
@click.argument("task_id")
def data_fetch_command(task_id):
    """Download TASK_ID's dataset (checksum verified) or prepare its tfds dataset; needs a network."""
    from grader.catalog import load_task
    from grader.data.status import fetch_data, fetch_imports_tensorflow

    spec = load_task(task_id)
    if fetch_imports_tensorflow(spec):
        from grader.models.runtime import import_keras

        import_keras()  # now, quietly: TensorFlow's start-up lines would bury the one line that matters
    echo_fitted(f"{task_id}: data ready at {fetch_data(spec)}")


@data_group.command("add")
@click.argument("task_id")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(path_type=Path))
def data_add_command(task_id, paths):
    """Register a copy of TASK_ID's data you already have: the file, its folder, its files, or archives of them.

    E.g. `tfcert data add fashion-mnist ~/Downloads/fashion-mnist` (the folder of the four .gz
    files; the files themselves or a .zip/.tar.gz of them work too); an image task takes the zips
    its publisher made (e.g. rps.zip). The content is verified, then kept in tfcert's cache.
    TASK_ID may also be a download address a training script uses (`tfcert data urls`): PATH is
    then what it serves, e.g. InceptionV3's notop weights, checked against its publisher's hash.
    """
    from grader.catalog import load_task
    from grader.data.register import add_data
    from grader.data.urls import add_registered, is_remote, known_url
    from grader.errors import DataFileError

    if is_remote(task_id):
        entry = known_url(task_id)
        if entry is None:
            raise DataFileError(f"{task_id}: an address tfcert does not know; `tfcert data urls` lists them")
        if entry.form == "registered":
            if len(paths) != 1:
                raise click.UsageError(f"{task_id} serves one file: give its PATH once")
            echo_fitted(f"{task_id}: verified {paths[0]}; stored at {add_registered(task_id, paths[0].expanduser())}")
            return
        task_id = entry.task
    added = add_data(load_task(task_id), [path.expanduser() for path in paths])
    echo_fitted(f"{task_id}: verified {added.verified}; stored at {added.stored}")


@data_group.command("urls")
def data_urls_command():
    """The download addresses training scripts use that tfcert answers offline, and whether their data is here."""
    from grader.catalog import load_task
    from grader.data.status import status
    from grader.data.urls import KNOWN_URLS, registered_path

    rows = [("address", "what", "from", "here")]
    for url, entry in KNOWN_URLS.items():
        if entry.form == "registered":
            source, present = "tfcert data add URL PATH", registered_path(entry).is_file()
        else:
            source, present = entry.task, status(load_task(entry.task)).present
        rows.append((url, entry.what, source, "yes" if present else "NO"))
    echo_table(rows)



@click.command("tasks")
def tasks_command():
    """List the tasks: id, title, metric and pass line."""
    from grader.catalog import list_tasks

    specs = list_tasks()
    rows = [("id", "title", "metric", "pass line")]
    for spec in specs:
        op = "<=" if spec.metric.lower_is_better else ">="
        threshold = spec.metric.ladder[spec.metric.pass_points]
        rows.append((spec.id, spec.title, spec.metric.label,
                     f"{spec.metric.pass_points}/5 points ({spec.metric.label} {op} {threshold:g})"))
    echo_table(rows)


@click.command("show")
@click.argument("task_id")
def show_command(task_id):
    """Print the whole contract of TASK_ID: data, input, output, scoring, limits, files."""
    from grader.catalog import load_task
    from grader.report.contract import format_contract

    echo_fitted(format_contract(load_task(task_id)))



@click.command("starter")
@click.argument("task_id")
@click.option("--out", type=click.Path(path_type=Path), help="The file to write (default: ./TASK_ID.py).")
@click.option("--force", is_flag=True, help="Replace --out if it already exists.")
def starter_command(task_id, out, force):
    """Write TASK_ID's starter file: fill in its TODOs, then grade it with `tfcert grade`."""
    from grader.catalog import load_task
    from grader.practice.starter import write_starter

    written = write_starter(load_task(task_id), out, force)
    echo_fitted(f"wrote {written}: fill in the TODOs, then run `tfcert grade {task_id} {written}`")


@click.command("grade")
@click.argument("task_id")
@click.argument("submission", type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@click.option("--trust", is_flag=True,
              help="Let a model file run its own code (Lambda, custom objects); "
                   "it is loaded only in a sandboxed child.")
@click.option("--time-limit", type=click.FloatRange(min=1),
              help="Train-mode time budget in seconds (default: the task's).")
@click.option("--predict-time-limit", type=click.FloatRange(min=1),
              help="Seconds for loading + predicting (default: the task's).")
@click.option("--memory-mb", type=click.IntRange(min=256), help="Memory limit in MB (default: the task's).")
@click.option("--max-file-mb", type=click.FloatRange(min=0.001), help="File size limit in MB (default: the task's).")
@click.option("--max-params", type=click.IntRange(min=1), help="Parameter count limit (default: the task's).")
@sandbox_options
@click.option("--entry", metavar="NAME",
              help="The function of a training script that returns the model (default: the task's, e.g. "
                   "solution_model or Dicoding's solution_A1, or the file's only solution_* function).")
@click.option("--keras", "keras_version", type=click.Choice(["2", "3", "auto"]), default="auto", show_default=True,
              help="Run a training script under Keras 2 (tf_keras: tf.keras, keras_preprocessing, as the exam's "
                   "TF 2.x) or Keras 3; auto chooses from the script (README: 'Which Keras').")
@click.option("--max-epochs", type=click.IntRange(min=1), metavar="N",
              help="Quick check of a training script: every fit() call trains at most N epochs; the result is "
                   "labelled a quick check and never recorded as an attempt.")
@click.option("--max-steps", type=click.IntRange(min=1), metavar="S",
              help="Quick check: every epoch trains on at most S batches (and validates on at most S).")
def grade_command(task_id, submission, as_json, trust, time_limit, predict_time_limit, memory_mb, max_file_mb,
                  max_params, disk_mb, cpu_seconds, entry, keras_version, max_epochs, max_steps):
    """Grade SUBMISSION on TASK_ID's hidden test split.

    SUBMISSION is a model file (.keras, .h5 from Keras 3 or the exam's TF 2.x, a SavedModel
    directory) or a training script (.py, or a Jupyter/Colab .ipynb whose code cells run in order)
    that defines solution_model() (the exam's and the course's templates) or solution_<ID>()
    (Dicoding's, e.g. solution_A1); `tfcert show TASK_ID` names the task's. The script runs
    offline in a sandbox: its downloads are answered from tfcert's verified data.
    """
    from grader.api import grade
    from grader.sandbox.train import TrainOptions

    overrides = limit_overrides(predict_seconds=predict_time_limit, memory_mb=memory_mb, max_file_mb=max_file_mb,
                                 max_params=max_params, disk_mb=disk_mb, cpu_seconds=cpu_seconds)
    if not as_json:
        quick = " (quick check)" if max_epochs or max_steps else ""
        click.echo(f"grading {submission} on {task_id}{quick}...", err=True)
    options = TrainOptions(entry=entry, keras=keras_version, max_epochs=max_epochs, max_steps=max_steps)
    result = grade(task_id, submission, trust=trust, time_limit=time_limit, limits=overrides, train=options)
    if as_json:
        click.echo(result.to_json())
    else:
        echo_fitted(str(result))



@click.command("inspect")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the text report.")
def inspect_command(path, as_json):
    """Describe a model FILE: who saved it, its layers, whether it loads, which tasks it fits."""
    import json

    from grader.report.inspection import format_report
    from grader.submission.inspect import inspect_file

    report = inspect_file(path)
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else format_report(report, terminal_width()))


@click.command("doctor")
def doctor_command():
    """Check what isolation submitted code gets on this machine (network, processes, files, disk, CPU)."""
    from grader.sandbox.doctor import check_sandbox, format_report

    click.echo("probing the sandbox from inside a child, as a submission would run...", err=True)
    echo_fitted(format_report(check_sandbox()))
