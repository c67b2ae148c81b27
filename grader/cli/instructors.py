"""`tfcert batch|gradescope`: grading a whole class, here or on Gradescope."""

from pathlib import Path

import click

from grader.cli.options import db_option, limit_overrides, sandbox_options


@click.command("batch")
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
@click.option("--allow-unisolated", is_flag=True,
              help="Where no sandbox view can be built, grade solution files and SavedModels anyway (recorded).")
@sandbox_options
@db_option
def batch_command(task_id, submissions, roster, workers, out, resume, formats, trust, executor, address,
                  allow_unisolated, disk_mb, cpu_seconds, db_path):
    """Grade every submission in SUBMISSIONS (a folder or .zip) for TASK_ID and export a gradebook."""
    from grader.batch.progress import Progress
    from grader.batch.run import BatchOptions, run_batch
    from grader.catalog import load_task

    spec = load_task(task_id)
    options = BatchOptions(out=out, workers=workers, roster=roster, resume=resume, trust=trust, db=db_path,
                           formats=tuple(name.strip() for name in formats.split(",") if name.strip()),
                           executor=executor, address=address, allow_unisolated=allow_unisolated,
                           limits=limit_overrides(disk_mb=disk_mb, cpu_seconds=cpu_seconds))
    with Progress() as progress:
        summary = run_batch(spec, submissions, options, progress=progress.update, on_total=progress.start)
    counts: dict[str, int] = {}
    for row in summary.rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    click.echo(f"{len(summary.rows)} students: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
               + f"; graded now {summary.graded_now}, already stored {summary.skipped}")
    click.echo(f"submitted code: {summary.sandbox}")
    if summary.worker_peak_mb:
        peaks = ", ".join(f"{mb:.0f}" for mb in summary.worker_peak_mb.values())
        click.echo(f"worker peak memory (MB): {peaks}")
    top_level = sorted({path.relative_to(out).parts[0] for path in summary.exports})
    click.echo(f"wrote {len(summary.exports)} files to {out}: {', '.join(top_level)}")


@click.command("gradescope")
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
