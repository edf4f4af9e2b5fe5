"""High-entropy token detector: long random-looking tokens that no prefix rule knows.

A *candidate* is a maximal run of ``[A-Za-z0-9+/_-]`` (the base64 and base64url alphabets) with
its ``=`` padding; a run that starts with ``/`` only when 20 characters follow before the next
``/`` (an absolute path is none, which keeps the most common clean argument cheap). It is
judged on its core (the padding stripped):

plain (any text)
    A token that starts with ``/``, or has two or more parts (between ``/``, ``_``, ``-``) that
    are words (``api``, ``Order``, ``builds2``), is a path or an identifier: each part of 20+
    characters is judged on its own. Otherwise:
    length >= 20, at least one letter and one digit, not hex-only (hex digits and ``-``: UUIDs,
    git SHAs, our own hashes are ids, not secrets), then either Shannon entropy >= 4.5 bits/char,
    or entropy >= ``threshold(length)`` (3.3 at 20 chars rising to 4.1 at 64+, just under what
    99% of random lower-case+digit strings of that length reach) *and* it does not read like
    words (Capitalised words of 3+ letters cover 70% of it, or 30%+ of its letters are vowels
    and its words average 3.5+ characters or fewer than 30% of adjacent characters change
    class). A token that decodes as base64 to mostly printable text is data, not a key.
hinted (the value of a key whose name hints at a secret: ``*_key``, ``*_token``, ``*secret*`` ...)
    length >= 8, and hex of 16+ chars, or a digit and entropy >= 2.8, or (12+ chars) mixed case,
    entropy >= 3.3 and not reading like words.

The numbers and the false-positive rate they give on ordinary tool arguments are in
docs/redaction.md; the detector never raises, and text without a suspect (``has_suspect``:
no candidate, or only runs it provably turns down) costs one regex match, no Python.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import math
import re
from collections.abc import Iterator

__all__ = [
    "CANDIDATE",
    "HINTED_CANDIDATE",
    "candidates",
    "has_suspect",
    "looks_random",
    "threshold",
]

CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9+/_-])(?:/(?=[A-Za-z0-9+_-]{20}))?[A-Za-z0-9+_-][A-Za-z0-9+/_-]{19,}=*"
)
_T = "A-Za-z0-9+/_-"  # a candidate's characters
_P = "A-Za-z0-9+"  # a part's: all but the separators / _ -
#: a part (under 20 characters) that is a word (``_WORD_PARTS``): api, Order, builds2
_W = rf"(?=[{_P}]{{0,19}}+(?![{_P}]))(?:[a-z]{{3,}}+|[A-Z][a-z]{{2,}}+)[0-9]*+(?![{_P}])"
#: whether a string holds a candidate that may look random (a *suspect*): one forward pass over
#: its maximal runs of candidate characters that skips each run ``looks_random`` provably turns
#: down, so ordinary text costs no Python. Skipped: a run under 20 characters; a path (``/``,
#: then under 20 characters before the next ``/``); a run of 20+ whose parts between ``/ _ -``
#: are all under 20 characters and two of them words (judged part by part: none is long
#: enough); a run without a digit, without a letter, or of hex digits and ``-`` only. The
#: groups are atomic and the loops possessive: linear time. ``test_redact_guards.py`` checks
#: that no candidate ``looks_random`` flags is skipped.
has_suspect = re.compile(
    rf"(?:[{_T}]{{0,19}}+[^{_T}]"
    rf"|/[A-Za-z0-9+_-]{{0,19}}+(?:/[{_T}]*+)?(?:[^{_T}]|\Z)"
    rf"|(?=[{_T}]{{20}})"
    rf"(?:(?>(?:[{_P}]{{0,19}}+[/_-])*?{_W})(?>[/_-](?:[{_P}]{{0,19}}+[/_-])*?{_W})"
    rf"(?:[/_-][{_P}]{{0,19}}+)*+"
    rf"|[A-Za-z+/_-]++|[0-9+/_-]++|[0-9A-Fa-f-]++)(?:[^{_T}]|\Z))*+"
    rf"/?[A-Za-z0-9+_-][{_T}]{{19}}"
).match
_RUN = re.compile(r"[A-Za-z0-9+/_-]{20,}=*")
_SLASH_LEAD = re.compile(r"/[A-Za-z0-9+_-]{20}").match


def candidates(s: str) -> Iterator[re.Match[str]]:
    """What ``CANDIDATE.finditer(s)`` finds, faster: the engine skips to runs of 20+ token
    characters (a maximal run is a candidate unless it starts with a ``/`` that 20 characters
    other than ``/`` do not follow)."""
    for m in _RUN.finditer(s):
        if s[m.start()] != "/" or _SLASH_LEAD(s, m.start()):
            yield m


HINTED_CANDIDATE = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{8,}=*")
_HEX = re.compile(r"[0-9a-fA-F-]+")
_TABLE = ((20, 3.3), (24, 3.5), (32, 3.75), (40, 3.9), (48, 4.0), (64, 4.1))
_VOWELS = frozenset("aeiouAEIOU")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_PRINTABLE = frozenset(range(32, 127)) | {9, 10, 13}
_SURE = 4.5
_CAMEL = re.compile(r"[A-Z][a-z]{2,}")
#: parts between / _ - that are words: api, Order, builds2
_WORD_PARTS = re.compile(r"(?<![^/_-])(?:[a-z]{3,}|[A-Z][a-z]{2,})[0-9]*(?![^/_-])").findall
_LONG_PARTS = re.compile(r"[^/_-]{20,}").findall
_DIGIT = re.compile(r"[0-9]")
_LETTER = re.compile(r"[A-Za-z]")


def threshold(n: int) -> float:
    """Entropy (bits/char) a plain token of length ``n`` must reach (linear between the table)."""
    if n <= _TABLE[0][0]:
        return _TABLE[0][1]
    for (n0, t0), (n1, t1) in itertools.pairwise(_TABLE):
        if n <= n1:
            return t0 + (t1 - t0) * (n - n0) / (n1 - n0)
    return _TABLE[-1][1]


def _entropy(s: str) -> float:
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in map(s.count, set(s)))


def _class(c: str) -> int:
    return 0 if c.islower() else 1 if c.isupper() else 2 if c.isdigit() else 3


def _reads_like_words(s: str) -> bool:
    """Identifiers and paths: CamelCase words cover 70%, or vowels like a language and long
    words or few class changes."""
    if sum(map(len, _CAMEL.findall(s))) >= 0.7 * len(s):
        return True
    letters = [c for c in s if c.isalpha()]
    if sum(c in _VOWELS for c in letters) < 0.3 * len(letters):
        return False
    words = _WORDS.findall(s)
    if sum(map(len, words)) >= 3.5 * len(words):
        return True
    classes = [_class(c) for c in s]
    return sum(a != b for a, b in itertools.pairwise(classes)) < 0.3 * (len(s) - 1)


def _decodes_to_text(s: str) -> bool:
    core = s.replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(core + "=" * (-len(core) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(raw) >= 12 and sum(b in _PRINTABLE for b in raw) >= 0.95 * len(raw)


def looks_random(token: str, *, hinted: bool = False) -> bool:
    """Whether ``token`` (one candidate run) is judged a secret; see the module docstring."""
    core = token.rstrip("=")
    n = len(core)
    if hinted:
        if n < 8:
            return False
        if _HEX.fullmatch(core):
            return n >= 16
        if any(c.isdigit() for c in core):
            return _entropy(core) >= 2.8
        mixed = core.lower() != core and core.upper() != core
        return mixed and n >= 12 and _entropy(core) >= 3.3 and not _reads_like_words(core)
    if n < 20:
        return False
    if core[0] == "/" or len(_WORD_PARTS(core)) >= 2:  # a path or an identifier: its parts
        return any(looks_random(part) for part in _LONG_PARTS(core))
    if core.isalpha() or _HEX.fullmatch(core):
        return False
    if not _DIGIT.search(core) or not _LETTER.search(core):
        return False
    h = _entropy(core)
    if h >= _SURE:
        return not _decodes_to_text(core)
    if h < threshold(n) or _reads_like_words(core):
        return False
    return not _decodes_to_text(core)
