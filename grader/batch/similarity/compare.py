"""A class compared pair by pair: the signals put together, the pairs that look copied, in plain words.

Four independent signals (weights.py, predictions.py, code.py): the same weights, near-identical
weights, the same mistakes (or correlated predictions), and shared solution code. A pair is
*similar* when any signal says so; it is never called a copy or cheating: the evidence is laid
out for the instructor, who decides. Pairs come strongest first: the most signals, then the
strongest one.

Example:
    report = compare_class(spec, [Subject("alice", "alice.keras", evidence), ...], starter=code_print(path))
    report.pairs[0].reason     # "same weights; same 41 of 43 mistakes (z = 12.0)"
"""

from dataclasses import dataclass, field
from itertools import combinations

from grader.batch.similarity.code import MIN_FINGERPRINTS, CodePrint, shared_fraction, without_distribution
from grader.batch.similarity.fingerprint import Evidence
from grader.batch.similarity.predictions import compare_answers
from grader.batch.similarity.weights import compare_weights

# Solution files sharing this share of their own fingerprints (starter code left out) are similar.
# Measured (bench/results/similarity.md): real scripts by different people of different exam
# categories share at most 0.52 (image-generator boilerplate); renamed, reordered, comment-free
# copies 0.76 and more. Scripts from one problem template share up to 0.9: give that template
# as the starter, which is then left out.
CODE_SHARE = 0.6
SIGNAL_ORDER = ("same", "near", "predictions", "code")


@dataclass(frozen=True)
class Subject:
    """One student's submission as compared: what grading kept of the model, and/or the code."""

    name: str  # the student, as the gradebook names them
    file: str  # the submitted file, relative to the submissions folder
    evidence: Evidence | None = None
    code: CodePrint | None = None


@dataclass(frozen=True)
class SimilarPair:
    """Two submissions that look alike, with every signal's values and the reason in plain words."""

    a: str
    b: str
    signals: dict[str, dict]  # signal name -> its values, "similar" (bool) and "reason"

    @property
    def flagged(self) -> list[str]:
        return [name for name in SIGNAL_ORDER if self.signals.get(name, {}).get("similar")]

    @property
    def reason(self) -> str:
        flagged = self.flagged
        if "same" in flagged and "near" in flagged:  # the same weights are near-identical too: said once
            flagged.remove("near")
        return "; ".join(self.signals[name]["reason"] for name in flagged)

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "signals": self.signals, "reason": self.reason}


@dataclass
class SimilarityReport:
    """Every similar pair of one task's class, strongest first, and what could not be compared."""

    task: str
    subjects: dict[str, Subject]
    pairs: list[SimilarPair]
    notes: list[str] = field(default_factory=list)
    compared: dict[str, int] = field(default_factory=dict)  # "models", "predictions", "code": how many

    def to_dict(self) -> dict:
        return {"task": self.task, "pairs": [pair.to_dict() for pair in self.pairs], "notes": self.notes,
                "compared": self.compared,
                "thresholds": thresholds()}


def thresholds() -> dict:
    """The calibrated thresholds in force (bench/results/similarity.md says how they were measured)."""
    from grader.batch.similarity import predictions, weights

    return {"near_correlation": weights.NEAR_CORRELATION,
            "same_errors_z": predictions.SAME_ERRORS_Z, "same_errors_share": predictions.SAME_ERRORS_SHARE,
            "values_z": predictions.VALUES_Z, "values_delta": predictions.VALUES_DELTA,
            "code_share": CODE_SHARE}


def compare_class(task: str, subjects: list[Subject], starter: CodePrint | None = None) -> SimilarityReport:
    """Compare every pair of a class's submissions; keep the similar pairs, strongest first."""
    by_name = {subject.name: subject for subject in subjects}
    prints = {s.name: s.evidence.weights for s in subjects if s.evidence and s.evidence.weights is not None}
    answers = {s.name: s.evidence.answers for s in subjects if s.evidence and s.evidence.answers is not None}
    codes = {s.name: s.code for s in subjects if s.code is not None}
    weight_pairs, notes = compare_weights(prints)
    answer_pairs, answer_notes = compare_answers(answers)
    code_pairs, code_notes = _compare_code(codes, starter)
    signals: dict[tuple[str, str], dict] = {}
    for found in (weight_pairs, answer_pairs, code_pairs):
        for pair, values in found.items():
            signals.setdefault(pair, {}).update(values)
    pairs = [SimilarPair(a, b, _with_reasons(values)) for (a, b), values in signals.items()
             if any(signal["similar"] for signal in values.values())]
    pairs.sort(key=lambda pair: (-len(pair.flagged), -_strength(pair), pair.a, pair.b))
    nothing = sorted(s.name for s in subjects if s.code is None and (s.evidence is None or (
        s.evidence.weights is None and s.evidence.answers is None)))
    if nothing:
        notes.append(f"{len(nothing)} submissions have nothing to compare (not graded, or graded by a tfcert that "
                     f"kept no evidence: grade them again without --resume): {', '.join(nothing)}")
    return SimilarityReport(task, by_name, pairs, notes + answer_notes + code_notes,
                            {"models": len(prints), "predictions": len(answers), "code": len(codes)})


def _compare_code(codes: dict[str, CodePrint], starter: CodePrint | None) -> tuple[dict, list[str]]:
    own = without_distribution(codes, starter)
    short = sorted(name for name, hashes in own.items() if len(hashes) < MIN_FINGERPRINTS)
    notes = [f"{len(short)} solution files hold too little code of their own (starter code left out) to compare: "
             f"{', '.join(short)}"] if short else []
    pairs = {}
    for a, b in combinations(sorted(codes), 2):
        share = shared_fraction(own[a], own[b])
        if share > 0:
            pairs[(a, b)] = {"code": {"similar": share >= CODE_SHARE, "share": round(share, 3),
                                      "shared_fingerprints": len(own[a] & own[b]),
                                      "fingerprints": [len(own[a]), len(own[b])]}}
    return pairs, notes


def _with_reasons(values: dict) -> dict:
    return {name: {**values[name], "reason": _REASONS[name](values[name])}
            for name in SIGNAL_ORDER if name in values}


def _strength(pair: SimilarPair) -> float:
    """The strongest flagged signal, on one rough scale (a z-score, or a stand-in for one)."""
    return max((_SCALES[name](pair.signals[name]) for name in pair.flagged), default=0.0)


_SCALES = {"same": lambda signal: 100.0, "near": lambda signal: 50.0 * signal["correlation"],
           "predictions": lambda signal: signal["z"], "code": lambda signal: 50.0 * signal["share"]}


def _same_reason(signal: dict) -> str:
    if signal["similar"]:
        return f"same weights ({signal['parameters']:,} parameters, bit for bit)"
    return f"same weights, but only {signal['parameters']:,} tiny parameters: any exact fit has them"


def _near_reason(signal: dict) -> str:
    return (f"near-identical weights: mean layer correlation {signal['correlation']:.3f} over "
            f"{signal['compared_parameters']:,} parameters (what fine-tuning or perturbing one model leaves)")


def _predictions_reason(signal: dict) -> str:
    if "same_errors" in signal:
        return (f"same {signal['same_errors']} of {min(signal['errors'])} mistakes (same wrong class; "
                f"{signal['expected']:.1f} expected by chance, each example's difficulty counted): "
                f"z = {signal['z']:.1f}")
    return (f"predictions {signal['delta']:.1%} of their errors apart (the class's pairs: {signal['class_median']:.0%} "
            f"in the median): z = {signal['z']:.1f}")


def _code_reason(signal: dict) -> str:
    return (f"same code: {signal['share']:.0%} of the shorter file's fingerprints shared "
            f"({signal['shared_fingerprints']}), renames and comments aside, starter code left out")


_REASONS = {"same": _same_reason, "near": _near_reason, "predictions": _predictions_reason, "code": _code_reason}
