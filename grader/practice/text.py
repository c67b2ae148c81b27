"""Practice sessions as text: the workspace README, the standings table, history, one-line verdicts.

Example:
    print(format_standings(standings(store, session), now=time.time()))
    when(session.deadline)        # '2024-05-01 14:10'
"""

import re
from datetime import datetime

from grader.report.contract import format_contract
from grader.report.text import format_table, wrap_lines
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
    if session.exam:
        exam = session.exam
        return "\n".join([
            f"mock exam {exam['title']} started (session {session.id}): {len(exam['problems'])} problems; "
            f"{duration(session.deadline - session.started_at)} allowed",
            f"deadline   {when(session.deadline)}",
            f"workspace  {session.workspace}   (README.md: the instructions; a folder per problem)",
            *(f"stand-in   {p['label']}: {p['task']} (the data of {p['stands_in_for']} is not here)"
              for p in exam["problems"] if p["stands_in_for"]),
            "next       `tfcert practice submit TASK FILE` per problem; `tfcert practice end` hands in",
        ])
    return "\n".join([
        f"practice session {session.id} started: {', '.join(session.tasks)}; "
        f"{duration(session.deadline - session.started_at)} allowed",
        f"deadline   {when(session.deadline)}",
        f"workspace  {session.workspace}   (README.md: the contracts; one starter file per task)",
        "next       fill in a starter, then `tfcert practice submit TASK FILE`; "
        "`tfcert practice status` shows the time left",
    ])


def format_standings(standings, now: float, width: int | None = None) -> str:
    """The session header (times, workspace) and the per-task table with the total, within `width` columns."""
    session = standings.session
    title = f"{session.exam['title']} (mock exam), " if session.exam else ""
    header = [
        f"{title}practice session {session.id}: started {when(session.started_at)}, "
        f"deadline {when(session.deadline)}, {session_state(session, now)}",
        f"time used  {duration(time_used(session, now))} of {duration(session.deadline - session.started_at)}",
        f"workspace  {session.workspace}",
        *([f"data dir   {session.data_dir}   (--data-dir, kept for this session)"] if session.data_dir else []),
    ]
    lines = [wrap_lines("\n".join(header), width), "", format_table(standings_rows(standings), width)]
    if session.exam:
        lines += ["", wrap_lines(exam_verdict(standings), width)]
    return "\n".join(lines)


def standings_rows(standings) -> list[tuple[str, ...]]:
    """The per-task table: a header row, one row per task (its best counted attempt), the total.

    A mock exam's table names each problem, its weight (share of the total) and the task graded.
    """
    exam = standings.session.exam
    problems = {problem["task"]: problem for problem in exam["problems"]} if exam else {}
    rows = [(*(("problem", "weight") if exam else ()), "task", "best", "metric", "verdict", "attempts")]
    for standing in standings.tasks:
        best = standing.best
        first = _problem_cells(problems[standing.task], exam) if exam else ()
        if best is None:
            rows.append((*first, standing.task, "-", "-", "-", standing.summary()))
            continue
        value = "n/a" if best.value is None else f"{best.value:.4f}"
        rows.append((*first, standing.task, f"{best.points}/{MAX_POINTS}", f"{best.result['metric_label']} {value}",
                     "PASS" if best.result["passed"] else "FAIL", standing.summary()))
    if exam:  # the weights sum to 100%; what counts is the weighted total, in the "best" column
        rows.append(("weighted total", "100%", "", f"{standings.weighted_percent:.1f}%", "", "", ""))
    else:
        rows.append(("total", f"{standings.total}/{standings.max_total}", "", "", ""))
    return rows


def _problem_cells(problem: dict, exam: dict) -> tuple[str, str]:
    """A problem's label (and the task it stands in for) and its weight as a share of the total."""
    share = problem["weight"] / sum(p["weight"] for p in exam["problems"])
    label = problem["label"] + (f" (stand-in for {problem['stands_in_for']})" if problem["stands_in_for"] else "")
    return label, f"{share:.0%}"


def exam_verdict(standings) -> str:
    """The weighted total against the exam's published pass line, or a note that there is none."""
    exam, percent = standings.session.exam, standings.weighted_percent
    stand_ins = [p["label"] for p in exam["problems"] if p["stands_in_for"]]
    note = f"; {', '.join(stand_ins)} graded on stand-in tasks (their data is not here)" if stand_ins else ""
    if exam["pass_percent"] is None:
        return f"weighted total {percent:.1f}% (no pass line was published for this exam){note}"
    verdict = "PASS" if percent >= exam["pass_percent"] else "FAIL"
    return f"weighted total {percent:.1f}%: {verdict} (pass line {exam['pass_percent']:g}%){note}"


def time_used(session, now: float) -> float:
    """Seconds from the start to the end of the session (or now), at most its whole duration."""
    end = session.ended_at if session.ended_at is not None else now
    return max(0.0, min(end, session.deadline) - session.started_at)


def problem_folder(label: str) -> str:
    """The workspace folder of an exam problem: 'Category 1' -> 'category-1'."""
    return "-".join("".join(c if c.isalnum() else " " for c in label.lower()).split())


def problem_contract(problem: dict, spec) -> str:
    """CONTRACT.md of an exam problem: what stands in for it (if anything), then the task's whole contract."""
    lines = [f"# {problem_heading(problem['label'], spec.title)}", ""]
    if problem["stands_in_for"]:
        lines += [f"The data of this problem's task ({problem['stands_in_for']}) is not on this machine: "
                  f"{spec.id} stands in for it, with its own contract below.", ""]
    if problem.get("note"):
        lines += [" ".join(problem["note"].split()), ""]
    lines += [f"Submit with `tfcert practice submit {spec.id} FILE` (a .keras/.h5 file or a solution .py).", "",
              "```text", format_contract(spec), "```"]
    return "\n".join(lines) + "\n"


def problem_heading(label: str, title: str) -> str:
    """'Category 5: forecast monthly sunspots', not 'Category 5: Exam category 5: forecast monthly sunspots'.

    A title that already names the problem before its first colon ('Exam category 5: ...',
    'Dicoding simulation C5 (2022): ...') gives that name to the label instead of repeating it.
    """
    prefix, colon, rest = title.partition(": ")
    named = re.search(rf"\b{re.escape(label)}\b", prefix, re.IGNORECASE) if colon else None
    if named is None:
        return f"{label}: {title}"
    return f"{label}{prefix[named.end():]}: {rest}"


def exam_readme(session, specs) -> str:
    """A mock exam workspace's README.md: instructions, the deadline, the problems and how they count."""
    exam = session.exam
    rows = [("problem", "folder", "task", "weight")]
    rows += [(p["label"], problem_folder(p["label"]) + "/", spec.id, _problem_cells(p, exam)[1])
             for p, spec in zip(exam["problems"], specs, strict=True)]
    lines = [
        f"# {exam['title']}: mock exam (tfcert session {session.id})",
        "",
        f"Started {when(session.started_at)}, deadline {when(session.deadline)} "
        f"({duration(session.deadline - session.started_at)}).",
        "",
        " ".join(exam["instructions"].split()),
        "",
        "## Problems",
        "",
        "```text",
        format_table(rows),
        "```",
        "",
        " ".join(exam["scoring"].split()),
        "",
        "Each folder holds the problem's starter and CONTRACT.md. A problem never submitted scores 0.",
        "",
        "```text",
        *(f"{command:<44} # {comment}" for command, comment in [
            ("tfcert practice status", "time left; best points per problem; the weighted total"),
            (f"tfcert practice submit {specs[0].id} FILE", "grade a .keras/.h5 file or a solution .py"),
            ("tfcert practice end", "hand in: the final table and the weighted total"),
            ("tfcert report", "HTML report: the table and the attempts over time"),
        ]),
        "```",
    ]
    return "\n".join(lines) + "\n"


def format_history(all_standings, now: float) -> str:
    """Sessions, newest first; per task its scores over time (h:mm after the start)."""
    if not all_standings:
        return f"no practice sessions yet; {START_HINT}"
    blocks = []
    for standings in reversed(all_standings):
        session = standings.session
        total = (f"{session.exam['title']} (mock exam), weighted total {standings.weighted_percent:.1f}%"
                 if session.exam else f"total {standings.total}/{standings.max_total}")
        lines = [f"session {session.id}  started {when(session.started_at)}, "
                 f"{duration(session.deadline - session.started_at)} allowed, {session_state(session, now)}; {total}"]
        column = max(len(standing.task) for standing in standings.tasks)
        for standing in standings.tasks:
            scores = [f"{elapsed(a, session)} {score_text(a)}" for a in standing.attempts] or ["no attempts"]
            lines.append(f"  {standing.task:<{column}}  " + ", ".join(scores))
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
