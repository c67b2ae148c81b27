"""Timed practice sessions: a loop around the grading pipeline, with a deadline and a history.

Open `sessions.py` for starting, submitting to and ending a session (the state lives in the
results database, grader.store), `text.py` for what the commands print (standings, history,
the workspace README), and `report.py` for `tfcert report`, one self-contained HTML file.
"""
