"""Stage 5, scoring: predictions -> the task's metric -> points on the ladder, with baselines and reasons.

Open `evaluate.py` for the metrics and the evaluation of a model's predictions, `points.py` for
the ladder, `baselines.py` for the simple predictors reported beside a score (declared in
grader.spec.baselines: add a baseline in both), `diagnostics.py` for the plain-language reasons
a score is low, `gaps.py` for how far each rung is and what closes the gap (the advice is data in
grader.spec.advice), and `figure.py` for the data behind the explaining picture.
"""
