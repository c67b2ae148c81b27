"""What runs in Gradescope's container: grade the one submission and write results.json.

`run_autograder` calls `python -m grader.gradescope.autograder ROOT` (ROOT is /autograder) for
every submission. The submission is found and graded exactly as batch grading finds and grades a
student's folder (`found_in`, `grade_job`: safe mode for model files, a sandboxed child for a
solution .py), and results.json is the object batch writes to gradescope/<student>/results.json
(`gradescope_results`). A bad file or an empty submission scores 0 with the reason in `output`.

The archive's secret (source/secret) seeds the hidden test split. It is read, then deleted before
anything is graded, so training code cannot read it from the disk (each Gradescope run starts
from a fresh container; unpack the archive again for another dry run).

Example:
    python -m grader.gradescope.autograder /autograder           # writes /autograder/results/results.json
    python -m grader.gradescope.autograder --prepare /autograder/source   # setup.sh: load the task, fetch its data
"""

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

from grader.batch.gradebook import gradescope_results, submission_row
from grader.batch.run import found_in, sha256_of
from grader.batch.workers import grade_job
from grader.catalog import load_task
from grader.data import SECRET_ENV
from grader.errors import EXIT_INTERNAL, TfcertError
from grader.paths import atomic_write
from grader.sandbox.runner import HIDE_SOLUTIONS_ENV
from grader.spec import TASKS_DIR_ENV, TaskSpec

CONFIG_FILE = "tfcert-autograder.json"  # {"task": ..., "tfcert": version, "secret": true | false}
SECRET_FILE = "secret"


class AutograderError(TfcertError):
    """The autograder's own files are missing or unusable (not the student's submission)."""


def read_config(source: Path) -> dict:
    """The archive's settings: which task, which tfcert made it, whether it carries a secret."""
    try:
        config = json.loads((source / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AutograderError(f"{source / CONFIG_FILE}: cannot read the autograder's settings ({exc})") from None
    if not isinstance(config, dict) or not isinstance(config.get("task"), str):
        raise AutograderError(f"{source / CONFIG_FILE}: expected an object with the task id under 'task'")
    return config


def load_archived_task(source: Path, config: dict) -> TaskSpec:
    """The task as the archive holds it: its spec under source/tasks, the files it names beside them."""
    os.environ[TASKS_DIR_ENV] = str(source / "tasks")
    return load_task(config["task"])


def take_secret(source: Path, config: dict) -> None:
    """Move the archive's secret from the disk into this process's environment (TFCERT_SECRET)."""
    if not config.get("secret"):
        return
    path = source / SECRET_FILE
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError:
        raise AutograderError(f"{path}: the archive's secret is missing (it is deleted after each run: "
                              "unpack the archive again)") from None
    path.unlink()
    os.environ[SECRET_ENV] = secret


def autograde(root: Path) -> dict:
    """Grade the submission under ROOT/submission; write ROOT/results/results.json and return it."""
    source = root / "source"
    config = read_config(source)
    spec = load_archived_task(source, config)
    take_secret(source, config)
    os.environ[HIDE_SOLUTIONS_ENV] = "1"  # the archive holds none; nor may any other copy be seen
    submission = root / "submission"
    student = _student(root)
    found = found_in(student, submission) if submission.is_dir() else None
    if found is None or found.path is None:
        message = found.message if found else f"{submission}: no such folder"
        row = submission_row(student, None, "", found.status if found else "missing", None,
                             f"nothing to grade: {message}; upload one .keras or .h5 model file, a SavedModel "
                             "folder or a solution .py")
    else:
        shown = str(found.path.relative_to(submission)) if found.path != submission else "the uploaded SavedModel"
        status, result, message = grade_job(spec, found.path, False, shown)
        row = submission_row(student, shown, sha256_of(found.path), status, result, message)
    results = gradescope_results(row, spec)
    write_results(root, results)
    return results


def write_results(root: Path, results: dict) -> Path:
    """Write ROOT/results/results.json atomically (Gradescope never reads half a file)."""
    target = root / "results" / "results.json"
    atomic_write(target, lambda temporary: temporary.write_text(json.dumps(results, indent=2) + "\n",
                                                                 encoding="utf-8"))
    return target


def failure_results(message: str) -> dict:
    """results.json when the autograder itself cannot run: no points, and who should act."""
    return {
        "score": 0,
        "output": f"The autograder could not grade this submission: {message}\n"
                  "This is a problem with the autograder, not with your work: tell your instructor.",
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


def prepare(source: Path) -> str:
    """setup.sh's last step: the task loads from the archive, and its data is fetched if it downloads."""
    from grader.data.status import fetch_data

    spec = load_archived_task(source, read_config(source))
    return f"{spec.id}: {fetch_data(spec)}"


def _student(root: Path) -> str:
    """The submitters' names from Gradescope's submission_metadata.json, else 'submission'."""
    try:
        users = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))["users"]
        names = [str(user.get("name") or user.get("email")) for user in users]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "submission"
    return ", ".join(names) or "submission"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.gradescope.autograder", description=__doc__.split("\n")[0])
    parser.add_argument("root", type=Path, help="the autograder's root (Gradescope: /autograder)")
    parser.add_argument("--prepare", action="store_true",
                        help="ROOT is the archive's source folder: check the task loads and fetch its data")
    args = parser.parse_args(argv)
    if args.prepare:
        try:
            print(prepare(args.root))
        except TfcertError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return exc.exit_code
        return 0
    try:
        results = autograde(args.root)
    except TfcertError as exc:
        write_results(args.root, failure_results(str(exc)))
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception:
        traceback.print_exc()  # to Gradescope's stdout log, which only the instructor sees
        write_results(args.root, failure_results("an internal error in tfcert (the traceback is in the log)"))
        return EXIT_INTERNAL
    print(f"{results['score']} / {results.get('max_score', 0)} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
