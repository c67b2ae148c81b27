"""CSV text that a spreadsheet opens as data, never as formulas (CSV injection, OWASP's advice).

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula (or the start
of one) to Excel, LibreOffice and Google Sheets: a student named `=HYPERLINK(...)` would run in the
instructor's spreadsheet. Such cells are written with a leading `'`, which spreadsheets show as
text and hide. Every CSV tfcert writes goes through `csv_text`.

Example:
    csv_text(["student", "points"], [{"student": "=1+1", "points": 5}])
    # 'student,points\\r\\n\\'=1+1,5\\r\\n'
"""

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """One cell as text: None is empty, booleans are true/false, text that starts a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)  # numbers we computed: a negative one is a number, not a formula
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(columns, records) -> str:
    """A whole CSV file: the header, then one line per record (a dict by column), every cell made safe."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns))
    writer.writeheader()
    for record in records:
        writer.writerow({column: csv_cell(record.get(column)) for column in columns})
    return buffer.getvalue()
