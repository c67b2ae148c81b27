"""Instructor batch grading: the grading pipeline run over a class's submissions, by long-lived workers.

Open `run.py` for discovering submissions, resuming and storing each result as it arrives,
`workers.py` for the local worker processes (TensorFlow imported and the hidden test split loaded
once each), `shared_split.py` for that split in memfds that die with the batch, `ray_workers.py`
for the same workers as Ray actors, `gradebook.py` for the exports (CSV, JSON, Gradescope, HTML,
feedback; add an export format there), `lms.py` for the Canvas and Moodle gradebook layouts,
`adjust.py` for the late rule and instructors' overrides, `student_table.py` for summary.html's
table of students, `progress.py` for the progress bar, `similarity/` for comparing a class's
submissions (similar pairs by weights, predictions and code) and `similar.py` for `tfcert similar`
on a folder.
"""
