"""Practice sessions as text: the workspace README, the standings table, history, one-line verdicts.

Example:
    print(format_standings(standings(store, session), now=time.time()))
    when(session.deadline)        # '2024-05-01 14:10'
"""

from datetime import datetime

from grader.report.contract import format_contract
from grader.report.text import format_table
from grader.scoring.points import MAX_POINTS

START_HINT = "start one with `tfcert practice start`"


def workspace_readme(session, specs) -> str:
    """The workspace's README.md: the rules, the commands, and every task's contract."""
    example = specs[0].id
    lines = [
        f"# tfcert practice session {session.id}",
        "",
        f"Started {when(session.started_at)}, deadline {when(session.deadline)} "
        f"({duration(session.deadline - session.started_at)}). The best attempt before the deadline counts "
        "for each task; later attempts are graded but marked late and do not count.",
        "",
        "```text",
        *(f"{command:<44} # {comment}" for command, comment in [
            ("tfcert practice status", "time left; best score and attempts per task"),
            (f"python {example}.py", f"runs solution_model(), saves {example}.keras here"),
            (f"tfcert practice submit {example} {example}.keras", "grade a saved model (.keras or .h5)"),
            (f"tfcert practice submit {example} {example}.py", "or let the grader train solution_model()"),
            ("tfcert practice end", "close the session: final table and total"),
        ]),
        "```",
    ]
    for spec in specs:
        lines += ["", f"## {spec.id} - {spec.title}", "", "```text", format_contract(spec), "```"]
    return "\n".join(lines) + "\n"


def format_submitted(submitted, now: float) -> str:
    """One line after the score table: counted or late, the best so far, the time left."""
    session, attempt, best = submitted.session, submitted.attempt, submitted.standing.best
    head = f"{attempt.task} attempt {submitted.number} (session {session.id})"
    best_text = f"{best.points}/{MAX_POINTS}" if best else "nothing yet"
    if attempt.status == "error":
        return f"{head} recorded as an error: it scores nothing; best so far {best_text}"
    if attempt.late:
        lateness = (f"{duration(attempt.submitted_at - session.deadline)} after the deadline"
                    if attempt.submitted_at > session.deadline else "after the session ended")
        return (f"{head}: {attempt.points}/{MAX_POINTS}, LATE: submitted {lateness}; it is graded but does not count "
                f"(best stays {best_text}); `tfcert practice end` closes the session")
    return f"{head}: {attempt.points}/{MAX_POINTS}, counted; best so far {best_text}; {session_state(session, now)}"


def format_started(session) -> str:
    """What `practice start` prints: the deadline, the workspace, what to do next."""
    return "\n".join([
        f"practice session {session.id} started: {', '.join(session.tasks)}; "
        f"{duration(session.deadline - session.started_at)} allowed",
        f"deadline   {when(session.deadline)}",
        f"workspace  {session.workspace}   (README.md: the contracts; one starter file per task)",
        "next       fill in a starter, then `tfcert practice submit TASK FILE`; "
        "`tfcert practice status` shows the time left",
    ])


def format_standings(standings, now: float) -> str:
    """The session header (times, workspace) and the per-task table with the total."""
    session = standings.session
    return "\n".join([
        f"practice session {session.id}: started {when(session.started_at)}, deadline {when(session.deadline)}, "
        f"{session_state(session, now)}",
        f"workspace  {session.workspace}",
        "",
        format_table(standings_rows(standings)),
    ])


def standings_rows(standings) -> list[tuple[str, ...]]:
    """The per-task table: a header row, one row per task (its best counted attempt), the total."""
    rows = [("task", "best", "metric", "verdict", "attempts")]
    for standing in standings.tasks:
        best = standing.best
        if best is None:
            rows.append((standing.task, "-", "-", "-", standing.summary()))
            continue
        value = "n/a" if best.value is None else f"{best.value:.4f}"
        rows.append((standing.task, f"{best.points}/{MAX_POINTS}", f"{best.result['metric_label']} {value}",
                     "PASS" if best.result["passed"] else "FAIL", standing.summary()))
    rows.append(("total", f"{standings.total}/{standings.max_total}", "", "", ""))
    return rows


def format_history(all_standings, now: float) -> str:
    """Sessions, newest first; per task its scores over time (h:mm after the start)."""
    if not all_standings:
        return f"no practice sessions yet; {START_HINT}"
    blocks = []
    for standings in reversed(all_standings):
        session = standings.session
        lines = [f"session {session.id}  started {when(session.started_at)}, "
                 f"{duration(session.deadline - session.started_at)} allowed, {session_state(session, now)}; "
                 f"total {standings.total}/{standings.max_total}"]
        for standing in standings.tasks:
            scores = [f"{elapsed(a, session)} {score_text(a)}" for a in standing.attempts] or ["no attempts"]
            lines.append(f"  {standing.task:<8} " + ", ".join(scores))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def score_text(attempt) -> str:
    """'4/5', '4/5 late' or 'error'."""
    if attempt.status == "error":
        return "error"
    return f"{attempt.points}/{MAX_POINTS}" + (" late" if attempt.late else "")


def elapsed(attempt, session) -> str:
    """When the attempt was submitted, as h:mm after the session started."""
    minutes = int(attempt.submitted_at - session.started_at) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def session_state(session, now: float) -> str:
    """'time left 0:42:10', 'deadline passed ... ago: ...' or 'ended 2024-05-01 14:10'."""
    if not session.active:
        return f"ended {when(session.ended_at)}"
    left = session.deadline - now
    if left >= 0:
        return f"time left {duration(left)}"
    return f"deadline passed {duration(-left)} ago: submissions are marked late"


def when(epoch: float) -> str:
    """Local wall-clock time, to the minute."""
    return f"{datetime.fromtimestamp(epoch):%Y-%m-%d %H:%M}"


def duration(seconds: float) -> str:
    """h:mm:ss"""
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
