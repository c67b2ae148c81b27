"""Model files compared by their weights: the same arrays, or near-identical ones, in a class.

- **Same weights**: the same multiset of weight arrays (`WeightPrint.model_hash`). Evidence only
  when the arrays carry an identity: a model whose every array is tiny or constant (a Dense(1)
  fit of a line: w = 1, b = 9 is *the* answer) gets the same weights from any exact fit.
- **Near-identical weights**, between models of one architecture (the blocking: other shapes are
  never compared): the parameter-weighted mean of the per-array correlations (from the sketches)
  over the arrays both models hold that carry an identity. Correlation is scale-free, so a copy
  fine-tuned for a few epochs or perturbed by noise of 1% of each weight stays near 1, while
  independently initialised models sit near 0 (hidden units come in an arbitrary order).

Arrays that carry no identity are left out of both: those under MIN_COMPARED_VALUES values,
constant ones (initial zeros and ones), and *distribution weights*: the pretrained backbone
tfcert hands out for transfer tasks (`fingerprint.given_hashes`), and arrays that
DISTRIBUTION_GROUPS or more different models hold bit for bit (any other frozen backbone or given
weights).

Example:
    pairs, notes = compare_weights({"alice": print_a, "bob": print_b})
    pairs[("alice", "bob")]["near"]["correlation"]    # 0.998
"""

from collections import Counter, defaultdict
from itertools import combinations

import numpy as np

from grader.batch.similarity.fingerprint import WeightPrint

DISTRIBUTION_GROUPS = 3
# A pair is near-identical at a mean layer correlation of NEAR_CORRELATION or more. Measured
# (bench/similarity.py, bench/results/similarity.md): independent models of one architecture,
# real and generated, reach at most 0.28; copies fine-tuned for 2 epochs 0.92 and more, 1%-noise
# copies 0.9999. No z-score against the architecture's other pairs: a class where several
# students copied one model has the copies in its median.
NEAR_CORRELATION = 0.6


def compare_weights(prints: dict[str, WeightPrint]) -> tuple[dict[tuple[str, str], dict], list[str]]:
    """Weight signals of every pair that shares weights or an architecture, and notes on the class.

    Returns {(a, b): {"same": {...}, "near": {...}}} (a < b; only the signals that apply) and
    plain-words notes on what could not be told apart.
    """
    distribution = _distribution_hashes(prints)
    identity = {name: _identity_arrays(item, distribution) for name, item in prints.items()}
    pairs: dict[tuple[str, str], dict] = defaultdict(dict)
    notes: list[str] = []
    if distribution:
        notes.append(f"{len(distribution)} weight arrays are held bit for bit by {DISTRIBUTION_GROUPS} or more "
                     "different models (a pretrained backbone or other given weights): left out of the comparison")
    if any(any(item.given) for item in prints.values()):
        notes.append("the pretrained backbone tfcert hands out for this task is left out of the comparison: "
                     "every student may hold it")
    by_hash = defaultdict(list)
    for name in sorted(prints):
        by_hash[prints[name].model_hash].append(name)
    tiny = []
    for names in by_hash.values():
        carried = sum(int(np.prod(prints[names[0]].shapes[j])) for j in identity[names[0]])
        for a, b in combinations(names, 2):
            pairs[(a, b)]["same"] = {"similar": carried > 0, "parameters": prints[a].parameters,
                                     "identity_parameters": carried}
        if len(names) > 1 and not carried:
            tiny.append(len(names))
    if tiny:
        notes.append(f"{sum(tiny)} models share their weights with another, but every array of theirs is tiny, "
                     "constant or handed out (like a Dense(1) fit of a line, whose exact answer is unique): same "
                     "weights are not evidence there")
    blocks = defaultdict(list)
    for name in sorted(prints):
        blocks[prints[name].architecture].append(name)
    for architecture, names in blocks.items():
        if len(names) > 1:
            _near_block(names, architecture, prints, identity, pairs)
    if prints and not any(identity.values()):
        notes.append("no weight array here carries an identity (all are tiny, constant or shared): "
                     "weights cannot tell copies apart on this task")
    return dict(pairs), notes


def _distribution_hashes(prints: dict[str, WeightPrint]) -> set[str]:
    """Array hashes held by DISTRIBUTION_GROUPS or more models whose weights differ as a whole
    (only arrays that could carry an identity: tiny and constant ones are left out anyway)."""
    holders = Counter()
    for item in {item.model_hash: item for item in prints.values()}.values():
        holders.update({value for value, sketch in zip(item.hashes, item.sketches, strict=True) if sketch is not None})
    return {value for value, count in holders.items() if count >= DISTRIBUTION_GROUPS}


def _identity_arrays(item: WeightPrint, distribution: set[str]) -> list[int]:
    """Indices of the arrays that carry an identity: big enough, not constant, not distribution weights."""
    given = item.given or (False,) * len(item.hashes)
    return [j for j, (value, sketch) in enumerate(zip(item.hashes, item.sketches, strict=True))
            if sketch is not None and value not in distribution and not given[j]]


def _near_block(names: list[str], architecture, prints, identity, pairs) -> None:
    """Mean layer correlations of every pair of one architecture, all at once (a matrix product per array)."""
    count = len(names)
    weighted = np.zeros((count, count))
    compared = np.zeros((count, count))
    for j, shape in enumerate(architecture):
        present = np.array([j in identity[name] for name in names])
        if present.sum() < 2:
            continue
        length = len(next(prints[name].sketches[j] for name, there in zip(names, present, strict=True) if there))
        sketches = np.zeros((count, length))
        for row, name in enumerate(names):
            if present[row]:
                sketches[row] = prints[name].sketches[j]
        both = np.outer(present, present)
        size = float(np.prod(shape))
        weighted += size * (sketches @ sketches.T) * both
        compared += size * both
    rows, columns = np.triu_indices(count, k=1)
    for a, b in zip(rows, columns, strict=True):
        if compared[a, b] > 0:
            r = float(np.clip(weighted[a, b] / compared[a, b], -1.0, 1.0))
            pairs[(names[a], names[b])]["near"] = {"similar": r >= NEAR_CORRELATION, "correlation": round(r, 4),
                                                   "compared_parameters": int(compared[a, b]),
                                                   "architecture_models": count}
