"""The class report's section on similar submissions: each pair's evidence, the two files side by side.

For every similar pair: the signals with their values and reasons, then two columns, one per
file: its layers (class and parameters), its answers on the hidden test split (the mistakes both
made, or the first predictions beside the targets) and, for solution files, the code with the
lines the two share marked. Everything a submission controls (names, code) is escaped.

Example:
    section = similarity_section(report, class_names=spec.output.classes)
    write_exports(rows, spec, out, ("html",), sections=(section,))
"""

import numpy as np

from grader.batch.similarity.code import shared_lines, without_distribution
from grader.report.html import escape, page

SHOWN_EXAMPLES = 12  # mistakes or predictions listed per pair
SHOWN_LINES = 400  # of a solution file
STYLE = """
#similarity .sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
#similarity .side { min-width: 0; }
#similarity pre { background: #f7f7f7; padding: 0.5em; overflow: auto; max-height: 30em; font-size: 0.8em; }
#similarity mark { background: #ffe08a; }
#similarity details { border: 1px solid #ddd; border-radius: 4px; padding: 0.5em 1em; margin: 1em 0; }
#similarity summary { font-weight: bold; cursor: pointer; }
"""


def similarity_section(report, class_names=None, starter=None) -> str:
    """The HTML section (a <section id="similarity">) for the class report."""
    parts = [f"<section id=\"similarity\"><style>{STYLE}</style>", "<h2>Similar submissions</h2>",
             f"<p>{len(report.pairs)} similar pairs among {len(report.subjects)} submissions. Similar is not a "
             "verdict: these pairs stand out from the class on the signals below; look at the evidence before "
             "deciding anything.</p>"]
    if report.notes:
        parts.append("<ul>" + "".join(f"<li>{escape(note)}</li>" for note in report.notes) + "</ul>")
    own_code = without_distribution({name: s.code for name, s in report.subjects.items() if s.code}, starter)
    for pair in report.pairs:
        parts.append(_pair_html(pair, report, class_names, own_code))
    return "\n".join(parts) + "</section>"


def similarity_page(report, class_names=None, starter=None) -> str:
    """A whole page holding only the section (what `tfcert similar --formats html` writes)."""
    title = f"tfcert: similar submissions, {report.task}"
    return page(title, [f"<h1>{escape(title)}</h1>", similarity_section(report, class_names, starter)])


def _pair_html(pair, report, class_names, own_code) -> str:
    a, b = report.subjects[pair.a], report.subjects[pair.b]
    rows = "".join(f"<tr><td>{escape(name)}</td><td>{'similar' if signal['similar'] else ''}</td>"
                   f"<td>{escape(signal['reason'])}</td></tr>" for name, signal in pair.signals.items())
    shared = own_code.get(pair.a, set()) & own_code.get(pair.b, set())
    sides = "".join(f"<div class=\"side\"><h4>{escape(subject.name)}: {escape(subject.file)}</h4>"
                    f"{_layers(subject)}{_code(subject, shared)}</div>" for subject in (a, b))
    return (f"<details open><summary>{escape(pair.a)} ~ {escape(pair.b)}: {escape(pair.reason)}</summary>"
            f"<table><tr><th>signal</th><th></th><th>evidence</th></tr>{rows}</table>"
            f"<div class=\"sides\">{sides}</div>{_answers(a, b, class_names)}</details>")


def _layers(subject) -> str:
    weights = subject.evidence.weights if subject.evidence else None
    if weights is None:
        why = ("no trained model to compare (a solution file not trained here, or whose training failed)"
               if subject.evidence is None else "not read (the model ran in a sandboxed child)")
        return f"<p>layers: {why}</p>"
    rows = "".join(f"<tr><td>{escape(name)}</td><td>{count:,}</td></tr>" for name, count in weights.layers)
    return (f"<table><tr><th>layer</th><th>parameters</th></tr>{rows}"
            f"<tr><td><b>total</b></td><td><b>{weights.parameters:,}</b></td></tr></table>")


def _code(subject, shared: set[int]) -> str:
    if subject.code is None:
        return ""
    marked = shared_lines(subject.code, shared)
    lines = subject.code.source.splitlines()[:SHOWN_LINES]
    body = "\n".join(f"<mark>{escape(line)}</mark>" if number in marked else escape(line)
                     for number, line in enumerate(lines, start=1))
    return f"<p>code ({len(marked)} lines shared with the other file marked):</p><pre>{body}</pre>"


def _answers(a, b, class_names) -> str:
    first = a.evidence.answers if a.evidence else None
    second = b.evidence.answers if b.evidence else None
    if first is None or second is None or not np.array_equal(first.truth, second.truth):
        return ""
    header = f"<tr><th>example</th><th>target</th><th>{escape(a.name)}</th><th>{escape(b.name)}</th></tr>"
    if first.kind == "classes":
        caption, rows = _same_mistakes(first, second, class_names)
    else:
        shown = range(min(SHOWN_EXAMPLES, len(first.truth)))
        rows = [(i, f"{first.truth[i, 0]:.4g}", f"{first.predicted[i, 0]:.4g}", f"{second.predicted[i, 0]:.4g}")
                for i in shown]
        caption = f"the first predictions on the hidden test split, of {len(first.truth)}"
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<p>{escape(caption)}:</p><table>{header}{body}</table>"


def _same_mistakes(first, second, class_names) -> tuple[str, list[tuple]]:
    """The examples both models got wrong with the same wrong class, as table rows, and a caption."""
    def name(index) -> str:
        index = int(index)
        return str(class_names[index]) if class_names and 0 <= index < len(class_names) else str(index)

    both = np.flatnonzero((first.predicted != first.truth) & (first.predicted == second.predicted))
    rows = [(i, name(first.truth[i]), name(first.predicted[i]), name(second.predicted[i]))
            for i in both[:SHOWN_EXAMPLES]]
    caption = (f"the same wrong answers on the hidden test split: {len(both)} (first {len(rows)} shown); "
               f"mistakes: {int((first.predicted != first.truth).sum())} and "
               f"{int((second.predicted != second.truth).sum())} of {len(first.truth)}")
    return caption, rows
