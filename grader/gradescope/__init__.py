"""Gradescope: an autograder archive for one task, and the grading it runs in Gradescope's container.

Open `archive.py` for `tfcert gradescope TASK` (what the zip holds), `wheel.py` for the copy of
tfcert the zip carries (a checkout's source archive or an installed tfcert's wheel: no build
step), `autograder.py` for what runs per submission, and `setup.sh` and `run_autograder` for the
two scripts Gradescope calls. A submission is found, graded and turned into results.json exactly
as batch grading does it for each student (`grader.batch`), so this package sits one layer above
batch.
"""
