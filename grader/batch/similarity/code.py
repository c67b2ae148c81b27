"""Solution code compared as MOSS compares it: winnowed fingerprints of normalised tokens.

A file is read with Python's own tokenizer; comments, blank lines and layout go, every name the
author chose becomes `V` (renames do not count), every string `S` and every number `N` (a
changed epoch count does not either); keywords, operators, builtins and attribute names (the
Keras API: `.Dense`, `.fit`) stay. Every K consecutive tokens are hashed and winnowing keeps
the smallest hash of each window of W hashes (Schleimer, Wilkerson and Aiken, SIGMOD 2003): any
run of K + W - 1 shared tokens is found, and the fingerprints are a set, so reordered functions
still match. Fingerprints of the task's starter file are distribution code and never count, nor
are ones that more than half of a class of MIN_CLASS_FOR_COMMON files share (boilerplate).

Example:
    a, b = code_print(Path("alice.py")), code_print(Path("bob.py"))
    shared_fraction(a.hashes, b.hashes)     # 0.0 .. 1.0
"""

import builtins
import hashlib
import io
import keyword
import tokenize
from dataclasses import dataclass
from pathlib import Path

K = 12  # tokens per fingerprinted run: about one statement
W = 8  # winnowing window: every shared run of K + W - 1 = 19 tokens is certain to be found
MAX_SOURCE_BYTES = 2 * 2**20  # a solution file is kilobytes; a bigger one is not read whole
MIN_CLASS_FOR_COMMON = 4
MIN_FINGERPRINTS = 10  # a file with fewer of its own (a 3-line wrapper) is too short to say anything
_KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENCODING, tokenize.ENDMARKER}
_FSTRING_TYPES = {getattr(tokenize, name) for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
                  if hasattr(tokenize, name)}  # Python 3.12+ splits f-strings into tokens


@dataclass(frozen=True)
class CodePrint:
    """A source file's fingerprints: hash -> the lines it covers (1-based, first to last)."""

    hashes: dict[int, tuple[int, int]]
    tokens: int
    source: str  # the text as read, for showing side by side


def normalised_tokens(source: str) -> list[tuple[str, int]]:
    """(token, line) pairs: names the author chose as V, strings S, numbers N, layout dropped.

    Source that Python cannot tokenize (a syntax error) is compared as far as it tokenizes.
    """
    tokens: list[tuple[str, int]] = []
    previous = ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in _SKIPPED:
                continue
            text = token.string
            if token.type == tokenize.NAME:
                text = text if text in _KEPT_NAMES or previous == "." else "V"
            elif token.type == tokenize.STRING or token.type in _FSTRING_TYPES:
                text = "S"
            elif token.type == tokenize.NUMBER:
                text = "N"
            if text == "S" and tokens and tokens[-1][0] == "S":  # an f-string's parts, or "a" "b": one string
                previous = text
                continue
            tokens.append((text, token.start[0]))
            previous = token.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return tokens


def fingerprints(tokens: list[tuple[str, int]]) -> dict[int, tuple[int, int]]:
    """Winnowed K-gram hashes of the tokens, each with the lines of the run it stands for."""
    grams = [(_hash(" ".join(text for text, _ in tokens[i:i + K])), tokens[i][1], tokens[i + K - 1][1])
             for i in range(len(tokens) - K + 1)]
    kept: dict[int, tuple[int, int]] = {}
    windows = [grams] if len(grams) < W else [grams[i:i + W] for i in range(len(grams) - W + 1)]
    for window in filter(None, windows):
        value, first, last = min(window, key=lambda gram: gram[0])
        kept.setdefault(value, (first, last))
    return kept


def code_print(path: Path) -> CodePrint:
    """The fingerprints of a solution file (only its first MAX_SOURCE_BYTES are read)."""
    with open(path, "rb") as file:
        source = file.read(MAX_SOURCE_BYTES).decode("utf-8", errors="replace")
    tokens = normalised_tokens(source)
    return CodePrint(fingerprints(tokens), len(tokens), source)


def without_distribution(prints: dict[str, CodePrint], starter: CodePrint | None) -> dict[str, set[int]]:
    """Each file's fingerprints less the starter's and, in a class of MIN_CLASS_FOR_COMMON or more,
    less those that more than half of the files hold (boilerplate every student was given)."""
    removed = set(starter.hashes) if starter is not None else set()
    if len(prints) >= MIN_CLASS_FOR_COMMON:
        counts: dict[int, int] = {}
        for item in prints.values():
            for value in item.hashes:
                counts[value] = counts.get(value, 0) + 1
        removed |= {value for value, count in counts.items() if count > len(prints) / 2}
    return {name: set(item.hashes) - removed for name, item in prints.items()}


def shared_fraction(a: set[int], b: set[int]) -> float:
    """The share of the smaller file's own fingerprints that the other file holds too (0 when either
    file has fewer than MIN_FINGERPRINTS of its own)."""
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller >= MIN_FINGERPRINTS else 0.0


def shared_lines(item: CodePrint, shared: set[int]) -> set[int]:
    """The lines of a file that the shared fingerprints cover (for marking side by side)."""
    lines: set[int] = set()
    for value in shared:
        if value in item.hashes:
            first, last = item.hashes[value]
            lines.update(range(first, last + 1))
    return lines


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
