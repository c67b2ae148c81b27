"""The `tfcert` command: parse, call the grader library, print. Imports no TensorFlow up front.

Exit codes: 0 graded (whatever the score), 2 the submission or the command line is unusable
(the message says why), 1 an internal error (a bug in tfcert).
"""

import sys
import time
import traceback
from pathlib import Path

import click

from grader.errors import EXIT_INTERNAL, TfcertError


class TfcertGroup(click.Group):
    """Turns user errors into one line on stderr with exit 2, and bugs into exit 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TfcertError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception:
            traceback.print_exc()
            click.echo("internal error: this is a bug in tfcert; please report it with the traceback above", err=True)
            sys.exit(EXIT_INTERNAL)


@click.group(cls=TfcertGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tfcert")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of real datasets: local: paths are relative to it, tfds data lives in it "
                   "(default: $TFCERT_DATASETS_DIR).")
def main(data_dir):
    """Practise the TensorFlow Developer Certificate tasks and grade your models."""
    if data_dir is not None:
        import os

        from grader.data.files import DATASETS_DIR_ENV

        os.environ[DATASETS_DIR_ENV] = str(data_dir.expanduser().resolve())  # children inherit it


@main.group("data", cls=TfcertGroup)
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
    _echo_table(rows)


@data_group.command("fetch")
@click.argument("task_id")
def data_fetch_command(task_id):
    """Download TASK_ID's dataset (checksum verified) or prepare its tfds dataset; needs a network."""
    from grader.catalog import load_task
    from grader.data.status import fetch_data

    click.echo(f"{task_id}: data ready at {fetch_data(load_task(task_id))}")


@data_group.command("add")
@click.argument("task_id")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def data_add_command(task_id, path):
    """Register PATH, a copy of TASK_ID's data file you already have (its content is verified)."""
    from grader.catalog import load_task
    from grader.data.status import add_data

    stored, rows = add_data(load_task(task_id), path)
    click.echo(f"{task_id}: verified {rows} rows of {path}; stored at {stored}")


def _echo_table(rows: list[tuple[str, ...]]) -> None:
    """Print rows as left-aligned columns (the first row is the header)."""
    from grader.report.text import format_table

    click.echo(format_table(rows))


@main.command("tasks")
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
    _echo_table(rows)


@main.command("show")
@click.argument("task_id")
def show_command(task_id):
    """Print the whole contract of TASK_ID: data, input, output, scoring, limits, files."""
    from grader.catalog import load_task
    from grader.report.contract import format_contract

    click.echo(format_contract(load_task(task_id)))


@main.command("starter")
@click.argument("task_id")
@click.option("--out", type=click.Path(path_type=Path), help="The file to write (default: ./TASK_ID.py).")
@click.option("--force", is_flag=True, help="Replace --out if it already exists.")
def starter_command(task_id, out, force):
    """Write TASK_ID's starter file: fill in its TODOs, then grade it with `tfcert grade`."""
    from grader.catalog import load_task
    from grader.practice.starter import write_starter

    written = write_starter(load_task(task_id), out, force)
    click.echo(f"wrote {written}: fill in the TODOs, then run `tfcert grade {task_id} {written}`")


@main.command("grade")
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
def grade_command(task_id, submission, as_json, trust, time_limit, predict_time_limit, memory_mb, max_file_mb,
                  max_params):
    """Grade SUBMISSION (.keras, .h5, or a solution .py) on TASK_ID's hidden test split."""
    from grader.api import grade

    overrides = {
        name: value
        for name, value in (("predict_seconds", predict_time_limit), ("memory_mb", memory_mb),
                            ("max_file_mb", max_file_mb), ("max_params", max_params))
        if value is not None
    }
    if not as_json:
        click.echo(f"grading {submission} on {task_id}...", err=True)
    result = grade(task_id, submission, trust=trust, time_limit=time_limit, limits=overrides)
    click.echo(result.to_json() if as_json else str(result))


def _clock(ctx: click.Context):
    """The wall clock; tests pass a fake one as `CliRunner().invoke(main, args, obj={"now": clock})`."""
    return (ctx.obj or {}).get("now", time.time)


def _db_option(command):
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
        help="The results database (default: tfcert.db in $TFCERT_DATA_DIR, else $XDG_DATA_HOME/tfcert, "
             "else ~/.local/share/tfcert).",
    )(command)


@main.group("practice")
def practice_group():
    """Timed practice sessions: start, status, submit, end."""


@practice_group.command("start")
@click.option("--tasks", "task_list", metavar="ID,ID,...", help="The tasks to practise (default: every task).")
@click.option("--minutes", type=click.IntRange(min=1), default=300, show_default=True, help="Time allowed.")
@click.option("--dir", "workspace", type=click.Path(file_okay=False, path_type=Path),
              help="New or empty folder for the starter files (default: ./tfcert-practice-DATE).")
@_db_option
@click.pass_context
def practice_start_command(ctx, task_list, minutes, workspace, db_path):
    """Start a session: a workspace with starter files and a deadline MINUTES from now."""
    from grader.practice import sessions as practice
    from grader.practice import text as practice_text
    from grader.store.db import open_store

    with open_store(db_path) as store:
        session = practice.start(store, practice.choose_tasks(task_list), minutes, workspace, now=_clock(ctx))
    click.echo(practice_text.format_started(session))
    if task_list is None:
        from grader.catalog import list_tasks

        left_out = [spec.id for spec in list_tasks() if spec.id not in session.tasks]
        if left_out:
            click.echo(f"left out  {', '.join(left_out)}: their data is not on this machine "
                       "(`tfcert data list`; fetch it, or name tasks with --tasks)")


@practice_group.command("status")
@_db_option
@click.pass_context
def practice_status_command(ctx, db_path):
    """Time left, and per task the best score so far and the number of attempts."""
    from grader.practice import sessions as practice
    from grader.practice import text as practice_text
    from grader.store.db import open_store

    with open_store(db_path) as store:
        standings = practice.standings(store, practice.require_active(store))
    click.echo(practice_text.format_standings(standings, _clock(ctx)()))


@practice_group.command("submit")
@click.argument("task_id")
@click.argument("submission", type=click.Path(path_type=Path))
@click.option("--time-limit", type=click.FloatRange(min=1),
              help="Train-mode time budget in seconds (default: the task's).")
@_db_option
@click.pass_context
def practice_submit_command(ctx, task_id, submission, time_limit, db_path):
    """Grade SUBMISSION (.keras, .h5, or a solution .py) for TASK_ID and record the attempt."""
    from grader.practice import sessions as practice
    from grader.practice import text as practice_text
    from grader.report.text import format_result
    from grader.store.db import open_store

    now = _clock(ctx)
    with open_store(db_path) as store:
        session = practice.check_submission(store, task_id, submission)
        click.echo(f"grading {submission} on {task_id} (session {session.id})...", err=True)
        submitted = practice.submit(store, task_id, submission, now=now, time_limit=time_limit)
    if submitted.error:
        click.echo(practice_text.format_submitted(submitted, now()), err=True)
        raise submitted.error
    click.echo(format_result(submitted.result))
    click.echo("")
    click.echo(practice_text.format_submitted(submitted, now()))


@practice_group.command("end")
@_db_option
@click.pass_context
def practice_end_command(ctx, db_path):
    """Close the session; print the final per-task table and the total."""
    from grader.practice import sessions as practice
    from grader.practice import text as practice_text
    from grader.store.db import open_store

    now = _clock(ctx)
    with open_store(db_path) as store:
        standings = practice.end(store, now=now)
    click.echo(practice_text.format_standings(standings, now()))


@main.command("history")
@click.option("--last", type=click.IntRange(min=1), default=10, show_default=True, help="How many sessions to show.")
@_db_option
@click.pass_context
def history_command(ctx, last, db_path):
    """Past practice sessions, newest first: per task, the scores over time."""
    from grader.practice import sessions as practice
    from grader.practice import text as practice_text
    from grader.store.db import open_store

    with open_store(db_path) as store:
        all_standings = [practice.standings(store, session) for session in store.sessions()[-last:]]
    click.echo(practice_text.format_history(all_standings, _clock(ctx)()))


@main.command("report")
@click.argument("session_id", required=False, type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (default: ./tfcert-report-SESSION.html).")
@_db_option
@click.pass_context
def report_command(ctx, session_id, out, db_path):
    """Write a self-contained HTML report of SESSION_ID (default: the active or latest session)."""
    from grader.practice import sessions as practice
    from grader.practice import text as practice_text
    from grader.practice.report import write_report
    from grader.store.db import open_store

    now = _clock(ctx)()
    with open_store(db_path) as store:
        standings = practice.standings(store, practice.pick_session(store, session_id))
    out = out or Path(f"tfcert-report-{standings.session.id}.html")
    click.echo(f"plotting session {standings.session.id}...", err=True)
    report = write_report(standings, out, now)
    click.echo(practice_text.format_standings(standings, now))
    click.echo(f"\nwrote {out} ({report.plots} plots)")


@main.command("inspect")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the text report.")
def inspect_command(path, as_json):
    """Describe a model FILE: who saved it, its layers, whether it loads, which tasks it fits."""
    import json

    from grader.submission.inspect import format_report, inspect_file

    report = inspect_file(path)
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else format_report(report))


@main.command("batch")
@click.argument("task_id")
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with a student (or student_id, id) column.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Grading processes.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("tfcert-batch"),
              show_default=True, help="Folder for the gradebook and exports.")
@click.option("--resume", is_flag=True,
              help="Continue the last run on these submissions: grade only what is not stored.")
@click.option("--formats", default="csv,json,gradescope,html,feedback", show_default=True,
              help="Exports to write (comma-separated).")
@click.option("--trust", is_flag=True, help="Let model files run their own code, only in sandboxed children.")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: worker processes here; ray: Ray actors (pip install 'tfcert[ray]').")
@click.option("--address", help="With --executor ray: the Ray cluster to use (default: start a local one).")
@_db_option
def batch_command(task_id, submissions, roster, workers, out, resume, formats, trust, executor, address, db_path):
    """Grade every submission in SUBMISSIONS (a folder or .zip) for TASK_ID and export a gradebook."""
    from grader.batch.progress import Progress
    from grader.batch.run import BatchOptions, run_batch
    from grader.catalog import load_task

    spec = load_task(task_id)
    options = BatchOptions(out=out, workers=workers, roster=roster, resume=resume, trust=trust, db=db_path,
                           formats=tuple(name.strip() for name in formats.split(",") if name.strip()),
                           executor=executor, address=address)
    with Progress() as progress:
        summary = run_batch(spec, submissions, options, progress=progress.update, on_total=progress.start)
    counts: dict[str, int] = {}
    for row in summary.rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    click.echo(f"{len(summary.rows)} students: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
               + f"; graded now {summary.graded_now}, already stored {summary.skipped}")
    if summary.worker_peak_mb:
        peaks = ", ".join(f"{mb:.0f}" for mb in summary.worker_peak_mb.values())
        click.echo(f"worker peak memory (MB): {peaks}")
    top_level = sorted({path.relative_to(out).parts[0] for path in summary.exports})
    click.echo(f"wrote {len(summary.exports)} files to {out}: {', '.join(top_level)}")


@main.command("gradescope")
@click.argument("task_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("autograder.zip"),
              show_default=True, help="The autograder archive to write.")
@click.option("--secret-env", metavar="NAME",
              help="Store the value of environment variable NAME in the archive as the secret that seeds the "
                   "hidden test split (TFCERT_SECRET); keep that archive private.")
@click.option("--wheel", type=click.Path(dir_okay=False, path_type=Path),
              help="The tfcert wheel to include (default: this tfcert's, built or repacked).")
def gradescope_command(task_id, out, secret_env, wheel):
    """Write a Gradescope autograder (.zip) that grades TASK_ID's submissions with this tfcert."""
    from grader.catalog import load_task
    from grader.gradescope.archive import build_autograder

    spec = load_task(task_id)
    click.echo(f"packing the {task_id} autograder...", err=True)
    archive = build_autograder(spec, out, secret_env=secret_env, wheel=wheel)
    click.echo(f"wrote {archive.path}: {len(archive.members)} files, tfcert {archive.wheel}")
    if archive.has_secret:
        click.echo(f"it holds the secret from ${secret_env}: keep it private (upload it only to Gradescope)")
    else:
        click.echo("no secret: the hidden test split is the spec's default one, which anyone with tfcert can "
                   "rebuild (for a class, pass --secret-env TFCERT_SECRET)")


if __name__ == "__main__":
    main()
