"""`tfcert batch|gradescope`: grading a whole class, here or on Gradescope."""

from pathlib import Path

import click

from grader.cli.options import TfcertGroup, db_option, echo_fitted, limit_overrides, sandbox_options


class BatchGroup(TfcertGroup):
    """`tfcert batch TASK SUBMISSIONS ...` grades (the `run` command, the default); `override` corrects a grade."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group("batch", cls=BatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
def batch_group():
    """Grade a class: `tfcert batch TASK SUBMISSIONS [options]` (see `tfcert batch run --help`), then correct
    a grade by hand with `tfcert batch override RUN STUDENT POINTS --note TEXT`."""


@batch_group.command("run")
@click.argument("task_id")
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV with a student (or student_id, id) column; its name, email, username, id number and "
                   "Canvas columns fill the canvas and moodle exports.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Grading processes.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("tfcert-batch"),
              show_default=True, help="Folder for the gradebook and exports.")
@click.option("--resume", is_flag=True,
              help="Continue the last run on these submissions: grade only what is not stored (its late rule "
                   "and overrides are kept).")
@click.option("--formats", default="csv,json,gradescope,html,feedback", show_default=True,
              help="Exports to write (comma-separated; also: canvas, moodle).")
@click.option("--deadline", metavar="WHEN",
              help="A late rule: files whose time is after WHEN (YYYY-MM-DD HH:MM, local time) are late and count 0, "
                   "as in practice sessions, unless --late-penalty.")
@click.option("--late-penalty", type=click.IntRange(min=0), metavar="POINTS",
              help="With --deadline: a late file loses POINTS per day started after it, instead of counting 0.")
@click.option("--trust", is_flag=True, help="Let model files run their own code, only in sandboxed children.")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: worker processes here; ray: Ray actors (pip install 'tfcert[ray]').")
@click.option("--address", help="With --executor ray: the Ray cluster to use (default: start a local one).")
@click.option("--allow-unisolated", is_flag=True,
              help="Where no sandbox view can be built, grade solution files and SavedModels anyway (recorded).")
@click.option("--similarity", is_flag=True,
              help="Also compare every pair of submissions (weights, predictions, code) and report the similar "
                   "ones; with --resume, a finished run is compared without regrading.")
@sandbox_options
@db_option
def batch_command(task_id, submissions, roster, workers, out, resume, formats, deadline, late_penalty, trust,
                  executor, address, allow_unisolated, similarity, disk_mb, cpu_seconds, db_path):
    """Grade every submission in SUBMISSIONS (a folder or .zip) for TASK_ID and export a gradebook."""
    from grader.batch.adjust import LateRule, parse_deadline
    from grader.batch.gradebook import EXPORTERS
    from grader.batch.progress import Progress
    from grader.batch.run import BatchOptions, run_batch
    from grader.catalog import load_task

    if late_penalty is not None and deadline is None:
        raise click.UsageError("--late-penalty needs --deadline")
    chosen = tuple(name.strip() for name in formats.split(",") if name.strip())
    unknown = [name for name in chosen if name not in EXPORTERS]
    if unknown:
        raise click.UsageError(f"--formats: unknown format '{unknown[0]}' (known: {', '.join(EXPORTERS)})")
    spec = load_task(task_id)
    rule = None if deadline is None else LateRule(parse_deadline(deadline), late_penalty)
    options = BatchOptions(out=out, workers=workers, roster=roster, resume=resume, trust=trust, db=db_path,
                           formats=chosen,
                           executor=executor, address=address, allow_unisolated=allow_unisolated,
                           limits=limit_overrides(disk_mb=disk_mb, cpu_seconds=cpu_seconds), late_rule=rule,
                           similarity=similarity)
    with Progress() as progress:
        summary = run_batch(spec, submissions, options, progress=progress.update, on_total=progress.start)
    counts: dict[str, int] = {}
    for row in summary.rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    echo_fitted(f"run {summary.run_id}: {len(summary.rows)} students: "
                + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
                + f"; graded now {summary.graded_now}, already stored {summary.skipped}")
    echo_fitted(f"submitted code: {summary.sandbox}")
    if summary.late_rule is not None:
        late = sum(1 for row in summary.rows if row.adjustment and row.adjustment.late_days is not None)
        echo_fitted(f"late rule: {summary.late_rule.describe()}; {late} late")
    if summary.worker_peak_mb:
        peaks = ", ".join(f"{mb:.0f}" for mb in summary.worker_peak_mb.values())
        echo_fitted(f"worker peak memory (MB): {peaks}")
    top_level = sorted({path.relative_to(out).parts[0] for path in summary.exports})
    echo_fitted(f"wrote {len(summary.exports)} files to {out}: {', '.join(top_level)}")
    if summary.similarity is not None:
        from grader.batch.similarity.exports import summary_text

        click.echo(summary_text(summary.similarity), nl=False)
    echo_fitted(f"to correct a grade by hand: tfcert batch override {summary.run_id} STUDENT POINTS --note TEXT")


@batch_group.command("override")
@click.argument("run_id", metavar="RUN", type=int)
@click.argument("student")
@click.argument("points", type=int)
@click.option("--note", required=True, help="Why: shown with the grade in every export, the student's included.")
@db_option
def override_command(run_id, student, points, note, db_path):
    """Set STUDENT's grade in batch run RUN to POINTS by hand, with a note; the run's exports are rewritten.

    The override is kept in the results database: a later `--resume` of the run keeps it, and the
    latest override of a student is the one that applies.
    """
    import time

    from grader.batch.adjust import check_override_points
    from grader.batch.run import export_run
    from grader.catalog import load_task
    from grader.store.db import open_store
    from grader.store.rows import Override

    check_override_points(points)
    if not note.strip():
        raise click.UsageError("--note is empty: say why the grade is set by hand")
    with open_store(db_path) as store:
        task = store.batch_run_task(run_id)
        if task is None:
            raise click.UsageError(f"no batch run {run_id} in {store.path}; `tfcert batch` prints each run's number")
        current = {row.student: row for row in store.batch_rows(run_id)}
        _, export = store.batch_settings(run_id)
        exported = {student: key for student, key in (export or {}).get("rows", [])}
        if student not in exported and student not in current:
            raise click.UsageError(f"run {run_id} has no student '{student}'")
        with store.transaction():
            store.insert_override(run_id, Override(student, points, note.strip(), exported.get(student, ""),
                                                   time.time()))
        rows, exports, _ = export_run(store, run_id, load_task(task))
    echo_fitted(f"run {run_id}: {student} set to {points} points ({note.strip()}); "
                f"rewrote {len(exports)} files in {Path(export['out'])}")


@click.command("similar")
@click.argument("task_id")
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the summary.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Processes that open the model files.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the report here, in the --formats asked for.")
@click.option("--formats", default="csv,json,html", show_default=True,
              help="With --out: similarity.csv, similarity.json, similarity.html (comma-separated).")
@click.option("--allow-unisolated", is_flag=True,
              help="Where no sandbox view can be built, open SavedModels anyway.")
def similar_command(task_id, submissions, as_json, workers, out, formats, allow_unisolated):
    """Compare every pair of TASK_ID's submissions in SUBMISSIONS (a folder or .zip); show the similar ones.

    Model files are compared by their weights and their predictions on the hidden test split,
    solution .py files by their code (the task's starter left out). Similar is not a verdict.
    """
    from grader.batch.similar import similar_in_folder
    from grader.batch.similarity.exports import report_json, summary_text
    from grader.catalog import load_task

    spec = load_task(task_id)
    chosen = tuple(name.strip() for name in formats.split(",") if name.strip())
    unknown = [name for name in chosen if name not in ("csv", "json", "html")]
    if unknown:
        raise click.UsageError(f"unknown format '{unknown[0]}' (known: csv, json, html)")
    report = similar_in_folder(spec, submissions, workers, allow_unisolated)
    if out is not None:
        from grader.batch.similarity.assemble import write_report

        written = write_report(report, spec, out, chosen)
        click.echo(f"wrote {', '.join(str(path) for path in written)}", err=as_json)
    click.echo(report_json(report) if as_json else summary_text(report), nl=False)


@click.command("gradescope")
@click.argument("task_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("autograder.zip"),
              show_default=True, help="The autograder archive to write.")
@click.option("--secret-env", metavar="NAME",
              help="Store the value of environment variable NAME in the archive as the secret that seeds the "
                   "hidden test split (TFCERT_SECRET); keep that archive private.")
@click.option("--wheel", type=click.Path(dir_okay=False, path_type=Path),
              help="The tfcert wheel to include (default: this tfcert's: its source from a checkout, no build "
                   "step; its installed files repacked otherwise).")
def gradescope_command(task_id, out, secret_env, wheel):
    """Write a Gradescope autograder (.zip) that grades TASK_ID's submissions with this tfcert."""
    from grader.catalog import load_task
    from grader.gradescope.archive import build_autograder

    spec = load_task(task_id)
    click.echo(f"packing the {task_id} autograder...", err=True)
    archive = build_autograder(spec, out, secret_env=secret_env, wheel=wheel)
    click.echo(f"wrote {archive.path}: {len(archive.members)} files, tfcert {archive.package}")
    if archive.has_secret:
        click.echo(f"it holds the secret from ${secret_env}: keep it private (upload it only to Gradescope)")
    else:
        click.echo("no secret: the hidden test split is the spec's default one, which anyone with tfcert can "
                   "rebuild (for a class, pass --secret-env TFCERT_SECRET)")
