"""The results database: SQLite (stdlib) holding practice sessions, their attempts and batch runs.

Open `db.py` for opening the database (WAL mode, schema migrations, one short transaction per
write) and its queries, `rows.py` for the row dataclasses practice and batch grading share.
Everything a grade produced is stored as it is (GradeResult.to_dict()); reports never regrade.
"""
