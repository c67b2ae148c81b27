"""`tfcert practice|exam|history|report`: timed practice sessions and mock exams."""

from pathlib import Path

import click

from grader.cli.options import (
    DEFAULT_SESSION_MINUTES,
    clock,
    db_option,
    echo_fitted,
    limit_overrides,
    sandbox_options,
    table_lines,
    terminal_width,
)


@click.group("practice")
def practice_group():
    """Timed practice sessions: start, status, submit, end."""


@practice_group.command("start")
@click.option("--tasks", "task_list", metavar="ID,ID,...", help="The tasks to practise (default: every task).")
@click.option("--exam", "exam_id", metavar="ID", help="A whole mock exam instead (see `tfcert exam list`).")
@click.option("--minutes", type=click.IntRange(min=1),
              help="Time allowed (default: 300, or the exam's duration).")
@click.option("--dir", "workspace", type=click.Path(file_okay=False, path_type=Path),
              help="New or empty folder for the starter files (default: ./tfcert-practice-DATE).")
@db_option
@click.pass_context
def practice_start_command(ctx, task_list, exam_id, minutes, workspace, db_path):
    """Start a session: a workspace with starter files and a deadline MINUTES from now."""
    from grader.practice import sessions as practice
    from grader.practice import text as practice_text
    from grader.store.db import open_store

    if exam_id and task_list:
        raise click.UsageError("pass --exam or --tasks, not both")
    with open_store(db_path) as store:
        if exam_id:
            from grader.catalog import load_exam
            from grader.practice.exam import start_exam

            click.echo("pre-flight check: versions, every problem's data, disk and memory...", err=True)
            session = start_exam(store, load_exam(exam_id), minutes, workspace, now=clock(ctx))
        else:
            session = practice.start(store, practice.choose_tasks(task_list), minutes or DEFAULT_SESSION_MINUTES,
                                     workspace, now=clock(ctx))
    echo_fitted(practice_text.format_started(session))
    if exam_id:
        return
    if task_list is None:
        from grader.catalog import list_tasks

        left_out = [spec.id for spec in list_tasks() if spec.id not in session.tasks]
        if left_out:
            echo_fitted(f"left out  {', '.join(left_out)}: their data is not on this machine "
                        "(`tfcert data list`; fetch it, or name tasks with --tasks)")


@practice_group.command("status")
@db_option
@click.pass_context
def practice_status_command(ctx, db_path):
    """Time left, and per task the best score so far and the number of attempts."""
    from grader.practice import sessions as practice
    from grader.practice import text as practice_text
    from grader.store.db import open_store

    with open_store(db_path) as store:
        standings = practice.standings(store, practice.require_active(store))
    click.echo(practice_text.format_standings(standings, clock(ctx)(), terminal_width()))


@practice_group.command("submit")
@click.argument("task_id")
@click.argument("submission", type=click.Path(path_type=Path))
@click.option("--time-limit", type=click.FloatRange(min=1),
              help="Train-mode time budget in seconds (default: the task's).")
@sandbox_options
@db_option
@click.pass_context
def practice_submit_command(ctx, task_id, submission, time_limit, disk_mb, cpu_seconds, db_path):
    """Grade SUBMISSION (.keras, .h5, or a solution .py) for TASK_ID and record the attempt."""
    from grader.practice import sessions as practice
    from grader.practice import text as practice_text
    from grader.report.text import format_result
    from grader.store.db import open_store

    now = clock(ctx)
    with open_store(db_path) as store:
        session = practice.check_submission(store, task_id, submission)
        click.echo(f"grading {submission} on {task_id} (session {session.id})...", err=True)
        submitted = practice.submit(store, task_id, submission, now=now, time_limit=time_limit,
                                    limits=limit_overrides(disk_mb=disk_mb, cpu_seconds=cpu_seconds))
    if submitted.error:
        click.echo(practice_text.format_submitted(submitted, now()), err=True)
        raise submitted.error
    echo_fitted(format_result(submitted.result))
    click.echo("")
    echo_fitted(practice_text.format_submitted(submitted, now()))


@practice_group.command("end")
@db_option
@click.pass_context
def practice_end_command(ctx, db_path):
    """Close the session; print the final per-task table and the total."""
    from grader.practice import sessions as practice
    from grader.practice import text as practice_text
    from grader.store.db import open_store

    now = clock(ctx)
    with open_store(db_path) as store:
        standings = practice.end(store, now=now)
    click.echo(practice_text.format_standings(standings, now(), terminal_width()))



@click.group("exam")
def exam_group():
    """Mock exams: the real exams' problems as one timed session (`tfcert practice start --exam ID`)."""


@exam_group.command("list")
def exam_list_command():
    """Every mock exam: its problems in order, their weights, and which stand in where data is missing."""
    from grader.catalog import list_exams, load_task
    from grader.data.status import status
    from grader.practice.exam import plan_exam

    for exam in list_exams():
        plan = plan_exam(exam)
        echo_fitted(f"{exam.id}: {exam.title}, {exam.duration_minutes} minutes"
                    + (f", pass line {exam.pass_percent:g}%" if exam.pass_percent else ""))
        rows = [("problem", "task", "weight", "here")]
        for problem in plan["problems"]:
            present = status(load_task(problem["task"])).present
            here = (f"stand-in for {problem['stands_in_for']}" if problem["stands_in_for"]
                    else "yes" if present else "NO: see `tfcert data list`")
            rows.append((problem["label"], problem["task"], f"{problem['weight'] / exam.total_weight:.0%}", here))
        width = terminal_width()
        click.echo("\n".join("  " + line for line in table_lines(rows, width and width - 2)))



@click.command("history")
@click.option("--last", type=click.IntRange(min=1), default=10, show_default=True, help="How many sessions to show.")
@db_option
@click.pass_context
def history_command(ctx, last, db_path):
    """Past practice sessions, newest first: per task, the scores over time."""
    from grader.practice import sessions as practice
    from grader.practice import text as practice_text
    from grader.store.db import open_store

    with open_store(db_path) as store:
        all_standings = [practice.standings(store, session) for session in store.sessions()[-last:]]
    echo_fitted(practice_text.format_history(all_standings, clock(ctx)()))


@click.command("report")
@click.argument("session_id", required=False, type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (default: ./tfcert-report-SESSION.html).")
@db_option
@click.pass_context
def report_command(ctx, session_id, out, db_path):
    """Write a self-contained HTML report of SESSION_ID (default: the active or latest session)."""
    from grader.practice import sessions as practice
    from grader.practice import text as practice_text
    from grader.practice.report import write_report
    from grader.store.db import open_store

    now = clock(ctx)()
    with open_store(db_path) as store:
        standings = practice.standings(store, practice.pick_session(store, session_id))
    out = out or Path(f"tfcert-report-{standings.session.id}.html")
    click.echo(f"plotting session {standings.session.id}...", err=True)
    report = write_report(standings, out, now)
    click.echo(practice_text.format_standings(standings, now, terminal_width()))
    echo_fitted(f"\nwrote {out} ({report.plots} plots)")
