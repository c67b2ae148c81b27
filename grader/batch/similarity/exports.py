"""A similarity report as people and programs read it: a text summary, a CSV and a JSON file.

The CSV goes through the gradebook's own CSV writer, so its cells are written as every tfcert
CSV's are. Nothing here says "copied" or "cheated": pairs are *similar*, with the evidence.

Example:
    print(summary_text(report))
    similarity_files(report, ("csv", "json"))    # [(Path("similarity.csv"), "..."), ...]
"""

import json
from pathlib import Path

from grader.report.spreadsheet import csv_text

CSV_COLUMNS = ("a", "b", "file_a", "file_b", "signals", "reason", "same_weights", "weight_correlation",
               "same_errors", "errors_a", "errors_b", "prediction_delta", "prediction_z",
               "code_share")


def summary_text(report) -> str:
    """The similar pairs, strongest first, each with its reason, then what could not be compared."""
    compared = report.compared
    lines = [f"similar submissions, {report.task}: {len(report.pairs)} pairs among {len(report.subjects)} "
             f"submissions ({compared.get('models', 0)} models' weights, {compared.get('predictions', 0)} models' "
             f"predictions, {compared.get('code', 0)} solution files compared)"]
    lines += [f"  {pair.a} ~ {pair.b}: {pair.reason}" for pair in report.pairs]
    if not report.pairs:
        lines.append("  none: no pair stands out")
    lines += [f"  note: {note}" for note in report.notes]
    lines.append("similar is not a verdict: open the evidence side by side before deciding anything")
    return "\n".join(lines) + "\n"


def report_json(report) -> str:
    """One JSON object: {"task", "pairs": [{"a", "b", "signals", "reason"}], "notes", "compared", "thresholds"}."""
    return json.dumps(report.to_dict(), indent=2) + "\n"


def report_csv(report) -> str:
    """One row per similar pair, strongest first: both files, the signals, the reason and the key numbers."""
    return csv_text(CSV_COLUMNS, [_record(pair, report) for pair in report.pairs])


def similarity_files(report, formats: tuple[str, ...]) -> list[tuple[Path, str]]:
    """The files of the asked formats ("csv", "json"), as (relative path, text)."""
    makers = {"csv": (Path("similarity.csv"), report_csv), "json": (Path("similarity.json"), report_json)}
    return [(makers[name][0], makers[name][1](report)) for name in formats if name in makers]


def _record(pair, report) -> dict:
    signals = pair.signals
    same, near = signals.get("same", {}), signals.get("near", {})
    predictions, code = signals.get("predictions", {}), signals.get("code", {})
    errors = predictions.get("errors", [None, None])
    return {
        "a": pair.a, "b": pair.b,
        "file_a": report.subjects[pair.a].file, "file_b": report.subjects[pair.b].file,
        "signals": " ".join(pair.flagged), "reason": pair.reason,
        "same_weights": bool(same.get("similar")),
        "weight_correlation": near.get("correlation"),
        "same_errors": predictions.get("same_errors"), "errors_a": errors[0], "errors_b": errors[1],
        "prediction_delta": predictions.get("delta"), "prediction_z": predictions.get("z"),
        "code_share": code.get("share"),
    }
