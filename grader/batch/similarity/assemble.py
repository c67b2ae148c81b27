"""A class's submissions made into comparable subjects, and the report turned into export files.

Shared by `tfcert batch --similarity` (evidence from the results database) and `tfcert similar`
(evidence from workers that grade without storing).

Example:
    subjects = [subject("alice", path, "alice.py", None), subject("bob", path_b, "bob.keras", evidence)]
    report = compare_subjects(spec, subjects)
    files, sections = similarity_outputs(report, spec, ("csv", "html"))
"""

from pathlib import Path

from grader.batch.gradebook import write_export
from grader.batch.similarity.code import CodePrint, code_print
from grader.batch.similarity.compare import SimilarityReport, Subject, compare_class
from grader.batch.similarity.exports import similarity_files
from grader.batch.similarity.fingerprint import Evidence
from grader.batch.similarity.html import similarity_page, similarity_section


def subject(student: str, path: Path | None, shown: str, evidence: bytes | None) -> Subject:
    """A submission as compared: its stored evidence (a graded model) and, for a .py file, its code."""
    code = code_print(path) if path is not None and path.suffix.lower() == ".py" and path.is_file() else None
    return Subject(student, shown, Evidence.from_bytes(evidence) if evidence else None, code)


def starter_print(spec) -> CodePrint | None:
    """The fingerprints of the task's starter file: distribution code, which never counts."""
    path = spec.project_path(spec.starter) if spec.starter else None
    return code_print(path) if path is not None and path.is_file() else None


def compare_subjects(spec, subjects: list[Subject]) -> SimilarityReport:
    """Every pair of the subjects compared, the task's starter file as distribution code."""
    return compare_class(spec.id, subjects, starter_print(spec))


def similarity_outputs(report, spec, formats: tuple[str, ...]) -> tuple[list[tuple[Path, str]], tuple[str, ...]]:
    """(files for "csv" and "json", the HTML section for "html"), as the formats ask."""
    sections = (similarity_section(report, spec.output.classes, starter_print(spec)),) if "html" in formats else ()
    return similarity_files(report, formats), sections


def write_report(report, spec, out: Path, formats: tuple[str, ...]) -> list[Path]:
    """Write similarity.csv, .json and .html (a page of its own) under `out`, as the formats ask."""
    files = similarity_files(report, formats)
    if "html" in formats:
        files.append((Path("similarity.html"), similarity_page(report, spec.output.classes, starter_print(spec))))
    return [write_export(out / relative, content) for relative, content in files]
