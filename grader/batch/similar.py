"""`tfcert similar`: compare every pair of one task's submissions in a folder, without a gradebook.

The folder layout is `tfcert batch`'s (discovered the same way, a .zip too). Model files go to
the batch's grading workers (safe loading, the same predictions as a grade), which send back what
similarity compares of each model; nothing is stored. Solution `.py` files are compared as code
and never trained here (`tfcert batch --similarity` compares their trained models too).

Example:
    report = similar_in_folder(load_task("task4"), Path("submissions"), workers=2)
    print(summary_text(report))
"""

import tempfile
from pathlib import Path

from grader.batch.run import BatchError, BatchOptions, discover, start_executor, time_limit, unpack
from grader.batch.similarity.assemble import compare_subjects, subject
from grader.batch.similarity.compare import SimilarityReport
from grader.batch.workers import Job


def similar_in_folder(spec, submissions: Path, workers: int = 2, allow_unisolated: bool = False,
                      progress=None) -> SimilarityReport:
    """Compare every pair of `spec`'s submissions in a folder or .zip; `progress(name)` sees each model graded."""
    if not submissions.exists():
        raise BatchError(f"{submissions}: no such folder or zip file")
    with tempfile.TemporaryDirectory(prefix="tfcert-similar-") as scratch:
        scratch = Path(scratch)
        root = unpack(submissions, scratch / "unpacked") if submissions.is_file() else submissions
        found = [item for item in discover(root) if item.path is not None]
        models = [Job(item.student, item.path, str(item.path.relative_to(root))) for item in found
                  if item.path.suffix.lower() != ".py"]
        evidence, refused = {}, []
        if models:
            options = BatchOptions(out=scratch, workers=workers, allow_unisolated=allow_unisolated)
            with start_executor(spec, options, min(workers, len(models))) as executor:
                for outcome in executor.run(models, lambda job: time_limit(spec, job)):
                    evidence[outcome.key] = outcome.evidence
                    if outcome.status != "graded":
                        refused.append(f"{outcome.key} ({outcome.message})")
                    if progress is not None:
                        progress(outcome.key)
        report = compare_subjects(spec, [subject(item.student, item.path, str(item.path.relative_to(root)),
                                                 evidence.get(item.student)) for item in found])
    if refused:
        report.notes.append(f"not compared as models, the files could not be graded: {'; '.join(refused)}")
    return report
