"""`builtin:headlines`: a seeded corpus of headline-like sentences labelled negative (0) or positive (1).

Built so that a bag of words is not enough, as in real text:
- every sentiment verb appears in positive and negative headlines (negation flips it: "will not
  win", "never disappoints"), so a word's presence alone does not give the label;
- contrast decides by word order: in "A but B" the label is B's, in "although A, B" it is B's,
  in "B although A" it is B's again, so the same words in another order mean the other label;
- subjects are shared by both classes and many are rare invented names, so a 1,000-word
  vocabulary leaves rare training words out of vocabulary (the OOV index is learned);
- the hidden test split names subjects never seen in training (OOV at test time) and often
  carries a long attribution tail, pushing sentences past the max length (truncation matters);
- a share of labels is flipped (label noise), so no model reaches 100%.

Example:
    texts, labels = generate_headlines(HeadlineSplit(count=5, seed=1), HeadlineParams(), test=False)
"""

from dataclasses import dataclass

import numpy as np

from grader.data.examples import Examples
from grader.data.tokenizer import build_vocabulary

# (third person, base form): every verb is used in both forms in both classes.
POSITIVE_VERBS = [
    ("wins", "win"), ("delivers", "deliver"), ("impresses", "impress"), ("succeeds", "succeed"),
    ("thrives", "thrive"), ("improves", "improve"), ("recovers", "recover"), ("excels", "excel"),
    ("shines", "shine"), ("triumphs", "triumph"), ("prospers", "prosper"), ("rebounds", "rebound"),
]
NEGATIVE_VERBS = [
    ("fails", "fail"), ("struggles", "struggle"), ("disappoints", "disappoint"), ("collapses", "collapse"),
    ("loses", "lose"), ("stalls", "stall"), ("falters", "falter"), ("slumps", "slump"),
    ("crumbles", "crumble"), ("flops", "flop"), ("declines", "decline"), ("stumbles", "stumble"),
]
SUBJECT_FRAMES = [
    "the {} council", "mayor {}", "the {} team", "{} fc", "the {} startup", "minister {}", "the {} airline",
    "the {} museum", "the {} union", "the {} festival", "{} bank", "the {} orchestra", "coach {}",
    "the {} hospital", "{} university", "the {} band", "{} motors", "the {} school board",
]
COMMON_NAMES = ["city", "local", "national", "new", "old", "regional", "state", "river", "north", "south"]
COMPLEMENTS = [
    "this season", "at the weekend", "in the final", "after a long wait", "on opening night", "this year",
    "with the new plan", "despite the rain", "in the first week", "at the summit", "under new management",
    "in the latest survey", "on monday", "after the vote", "in front of home fans", "for the third time",
]
TAILS = [
    "officials said", "according to a report released on tuesday", "sources told reporters late on friday",
    "the agency said in a statement published this morning", "analysts noted in a briefing to investors",
    "as reported by several local newspapers over the weekend", "residents told the evening news on channel four",
]
SYLLABLES = ["ka", "lo", "mer", "vin", "ta", "zu", "ro", "bel", "qua", "dor", "fi", "nes", "gar", "tho", "ly", "pex"]


@dataclass(frozen=True)
class HeadlineParams:
    """`dataset.params`: corpus shape shared by all splits."""

    names: int = 1500  # invented subject names available to the learner's splits
    label_noise: float = 0.06  # share of labels flipped
    negation_rate: float = 0.35  # share of clauses negated
    contrast_rate: float = 0.55  # share of headlines with two clauses of opposite tone


@dataclass(frozen=True)
class HeadlineSplit:
    """`count` headlines drawn with `seed`."""

    count: int
    seed: int

    def describe(self) -> str:
        return f"{self.count} headlines"


def invented_names(count: int, seed: int) -> list[str]:
    """`count` distinct pronounceable invented words (two or three syllables), seeded."""
    rng = np.random.default_rng(seed)
    names: dict[str, None] = {}
    while len(names) < count:
        parts = rng.choice(SYLLABLES, size=rng.integers(2, 4))
        names["".join(parts)] = None
    return list(names)


def _clause(rng, tone: int, params: HeadlineParams, names: list[str]) -> str:
    """A clause whose overall tone is `tone` (1 positive, 0 negative)."""
    negated = rng.random() < params.negation_rate
    verb_tone = tone if not negated else 1 - tone
    third, base = (POSITIVE_VERBS if verb_tone else NEGATIVE_VERBS)[rng.integers(12)]
    if negated:
        verb = [f"does not {base}", f"will not {base}", f"never {third}", f"no longer {third}"][rng.integers(4)]
    else:
        verb = [third, f"will {base}", f"finally {third}", f"again {third}"][rng.integers(4)]
    name = names[rng.integers(len(names))] if rng.random() < 0.7 else COMMON_NAMES[rng.integers(len(COMMON_NAMES))]
    subject = SUBJECT_FRAMES[rng.integers(len(SUBJECT_FRAMES))].format(name)
    return f"{subject} {verb} {COMPLEMENTS[rng.integers(len(COMPLEMENTS))]}"


def _headline(rng, params: HeadlineParams, names: list[str], long_tail_rate: float) -> tuple[str, int]:
    label = int(rng.integers(2))
    if rng.random() < params.contrast_rate:
        decisive, other = _clause(rng, label, params, names), _clause(rng, 1 - label, params, names)
        form = rng.integers(3)
        text = (f"{other} but {decisive}", f"although {other} {decisive}", f"{decisive} although {other}")[form]
    else:
        text = _clause(rng, label, params, names)
    if rng.random() < long_tail_rate:
        text = f"{text} {TAILS[rng.integers(len(TAILS))]}"
    if rng.random() < params.label_noise:
        label = 1 - label
    return text, label


def generate_headlines(split: HeadlineSplit, params: HeadlineParams, test: bool) -> tuple[np.ndarray, np.ndarray]:
    """(texts, labels int64) of a split. Test splits use unseen names and more long tails."""
    rng = np.random.default_rng(split.seed)
    # The learner's names and the test-only names come from one seeded list, so they never overlap.
    all_names = invented_names(params.names * 2, seed=20250101)
    names = all_names[params.names :] if test else all_names[: params.names]
    long_tail_rate = 0.6 if test else 0.1
    pairs = [_headline(rng, params, names, long_tail_rate) for _ in range(split.count)]
    texts = np.array([text for text, _ in pairs], dtype=object)
    labels = np.array([label for _, label in pairs], dtype=np.int64)
    return texts, labels


def learner_split(spec, name: str) -> tuple[np.ndarray, np.ndarray]:
    """`train` or `valid`: (texts as a 1-D object array of str, labels int64)."""
    return generate_headlines(spec.dataset.splits[name], spec.dataset.params, test=False)


def hidden_test(spec, seed: int) -> Examples:
    """Test headlines as texts (x and text) and labels; grader.data.splits tokenizes them."""
    test = spec.dataset.splits["test"]
    texts, labels = generate_headlines(HeadlineSplit(test.count, seed), spec.dataset.params, test=True)
    return Examples(texts, labels, text=texts)


def write_vocabulary(spec) -> None:
    """Rebuild the task's shipped vocabulary file from its training split (for task authors)."""
    texts, _ = learner_split(spec, "train")
    words = build_vocabulary(texts, spec.input.preprocessing["vocab_size"])
    spec.project_path(spec.input.preprocessing["vocabulary"]).write_text("\n".join(words) + "\n", encoding="utf-8")

