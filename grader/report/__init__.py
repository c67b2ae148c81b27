"""Stage 6, the report: one grade as plain data (GradeResult), and its forms for people.

Open `result.py` for GradeResult (what `tfcert grade --json` prints and the results database
stores), `text.py` for the score table and for fitting text and tables to the terminal's width,
`html.py` for the notebook view and the page parts every HTML report shares, `plots.py` for the
pictures (matplotlib, off-screen), `contract.py` for `tfcert show` (a task's whole contract from
its spec), `inspection.py` for what `tfcert inspect` prints and `spreadsheet.py` for CSV text that
spreadsheets never read as formulas. Nothing here grades or stores.
"""
