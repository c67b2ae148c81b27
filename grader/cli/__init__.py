"""The `tfcert` command: parse, call the grader library, print. Imports no TensorFlow up front.

Exit codes: 0 graded (whatever the score), 2 the submission or the command line is unusable
(the message says why), 1 an internal error (a bug in tfcert). The commands live by who uses
them: `grading.py` (one task: data, tasks, show, starter, grade, inspect, doctor),
`sessions.py` (practice sessions, mock exams, history, report), `instructors.py` (batch,
similar, gradescope); `options.py` holds what they share.
"""

from pathlib import Path

import click

from grader.cli import grading, instructors, sessions
from grader.cli.options import TfcertGroup


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


COMMANDS = [
    grading.data_group, grading.tasks_command, grading.show_command, grading.starter_command,
    grading.grade_command, grading.inspect_command, grading.doctor_command,
    sessions.practice_group, sessions.exam_group, sessions.history_command, sessions.report_command,
    instructors.batch_group, instructors.similar_command, instructors.gradescope_command,
]
for command in COMMANDS:
    main.add_command(command)
