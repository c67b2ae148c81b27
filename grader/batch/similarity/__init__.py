"""Similar submissions in a class: copied models and copied code, flagged with the evidence.

A stage of batch grading, beside the gradebook. Open `fingerprint.py` for what a grade keeps of
a model (weights' fingerprint, answers on the hidden test split), `weights.py`, `predictions.py`
and `code.py` for the ways of comparing, `compare.py` for putting them together into the
similar pairs (the thresholds and reasons), `exports.py` for the text summary, CSV and JSON,
`html.py` for the section of the class report, and `assemble.py` for turning a class's files
and stored evidence into what is compared, and the report into files.
`grader/batch/similar.py` runs it on a folder (`tfcert similar`), `grader/batch/run.py` on a
batch run (`tfcert batch --similarity`).
"""
