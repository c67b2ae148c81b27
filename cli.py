"""The `tfcert` command: parse, call the grader library, print. Imports no TensorFlow up front.

Exit codes: 0 graded (whatever the score), 2 the submission or the command line is unusable
(the message says why), 1 an internal error (a bug in tfcert).
"""

import sys
import traceback

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
def main():
    """Practise the TensorFlow Developer Certificate tasks and grade your models."""


@main.command("tasks")
def tasks_command():
    """List the tasks: id, title, metric and pass line."""
    from grader.spec import list_tasks

    specs = list_tasks()
    rows = [("id", "title", "metric", "pass line")]
    for spec in specs:
        op = "<=" if spec.metric.lower_is_better else ">="
        threshold = spec.metric.ladder[spec.metric.pass_points]
        rows.append((spec.id, spec.title, spec.metric.label,
                     f"{spec.metric.pass_points}/5 points ({spec.metric.label} {op} {threshold:g})"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


@main.command("show")
@click.argument("task_id")
def show_command(task_id):
    """Print the whole contract of TASK_ID: data, input, output, scoring, limits, files."""
    from grader.spec import load_task
    from grader.show import format_contract

    click.echo(format_contract(load_task(task_id)))


@main.command("grade")
@click.argument("task_id")
@click.argument("submission", type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@click.option("--time-limit", type=click.FloatRange(min=1), help="Train-mode time budget in seconds (default: the task's).")
def grade_command(task_id, submission, as_json, time_limit):
    """Grade SUBMISSION (.keras, .h5, or a solution .py) on TASK_ID's hidden test split."""
    from grader.api import grade

    if not as_json:
        click.echo(f"grading {submission} on {task_id}...", err=True)
    result = grade(task_id, submission, time_limit=time_limit)
    click.echo(result.to_json() if as_json else str(result))


if __name__ == "__main__":
    main()
