"""Stage 6, the report: one grade as plain data (GradeResult), and its forms for people.

Open `result.py` for GradeResult (what `tfcert grade --json` prints and the results database
stores), `text.py` for the score table, `html.py` for the notebook view and the page parts every
HTML report shares, `plots.py` for the pictures (matplotlib, off-screen), `contract.py` for
`tfcert show` (a task's whole contract from its spec) and `spreadsheet.py` for CSV text that
spreadsheets never read as formulas. Nothing here grades or stores.
"""
