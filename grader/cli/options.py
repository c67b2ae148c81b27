"""What the `tfcert` commands share: user errors as one line, tables, the clock, common options.

Example:
    @click.command("grade")
    @sandbox_options
    def grade_command(..., disk_mb, cpu_seconds): ...
"""

import os
import shutil
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


MIN_WIDTH = 40  # narrower than this, wrapping only makes tables harder to read


def terminal_width() -> int | None:
    """The width output is fitted to: $COLUMNS, else the terminal's; None when stdout is not a terminal.

    A pipe or a file gets whole rows, one per line, so `tfcert tasks | grep sarcasm` still works.
    """
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    if sys.stdout.isatty():
        return max(shutil.get_terminal_size().columns, MIN_WIDTH)
    return None


def echo_fitted(text: str) -> None:
    """Print `text` with every line fitted to the terminal (wrapped under its own label or bullet)."""
    from grader.report.text import wrap_lines

    click.echo(wrap_lines(text, terminal_width()))


def echo_table(rows: list[tuple[str, ...]]) -> None:
    """Print rows as left-aligned columns (the first row is the header), fitted to the terminal."""
    click.echo("\n".join(table_lines(rows, terminal_width())))


def table_lines(rows: list[tuple[str, ...]], width: int | None = None) -> list[str]:
    """Rows as left-aligned columns, one string per line, within `width` (None: unbounded)."""
    from grader.report.text import format_table

    return format_table(rows, width).splitlines()


def sandbox_options(command):
    """--disk-mb and --cpu-seconds: the sandboxed child's disk and CPU-time bounds."""
    command = click.option("--cpu-seconds", type=click.FloatRange(min=1),
                           help="CPU time a sandboxed child may use (default: the task's, else its wall time "
                                "x the cores).")(command)
    return click.option("--disk-mb", type=click.IntRange(min=16),
                        help="What a sandboxed child may write, in MB (default: the task's, 2048).")(command)


def limit_overrides(**values) -> dict:
    """The spec limits given on the command line (None: keep the task's)."""
    return {name: value for name, value in values.items() if value is not None}


DEFAULT_SESSION_MINUTES = 300  # the certificate exam's five hours


def clock(ctx: click.Context):
    """The wall clock; tests pass a fake one as `CliRunner().invoke(main, args, obj={"now": clock})`."""
    return (ctx.obj or {}).get("now", time.time)


def db_option(command):
    """--db: the results database to use."""
    return click.option(
        "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
        help="The results database (default: tfcert.db in $TFCERT_DATA_DIR, else $XDG_DATA_HOME/tfcert, "
             "else ~/.local/share/tfcert).",
    )(command)
