"""The compiled regex's pre-checks (guards) change only speed: at every position of every input,
the guarded and the unguarded regex match the same branch over the same span.

Inputs: the secret corpus (every format, in its context), the ordinary-argument corpus, and
hypothesis text built from near misses: the prefixes' spellings whole and cut short, joined
with the characters the rules anchor on."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.emitter import _redact_rules as rules
from tooltrail.emitter._entropy import CANDIDATE, candidates
from tooltrail.emitter._redact_compile import RedactionOptions, compile_rules

from ._ordinary_corpus import ordinary
from ._secret_corpus import OPTIONS, Sample, corpus

PAIRS = [
    (compile_rules(o)[0], compile_rules(o, guards=False)[0]) for o in (RedactionOptions(), OPTIONS)
]
SPELLINGS = sorted({t for _, p, _, _ in rules._PREFIXED for t in rules.spellings(p)})


def _same_everywhere(text: str) -> None:
    for guarded, plain in PAIRS:
        for i in range(len(text) + 1):
            a, b = guarded.match(text, i), plain.match(text, i)
            assert (a and (a.span(), a.lastgroup)) == (b and (b.span(), b.lastgroup)), (text, i)


def test_the_guards_are_in_the_regex() -> None:
    for guarded, plain in PAIRS:
        assert len(guarded.pattern) > len(plain.pattern)
    assert len(rules.GUARDS) >= 30
    for ends in rules.GUARDS.values():
        assert ends
        assert all(len(e) == rules.GUARD_WIDTH for e in ends)


def test_spellings_expand_sets_and_groups_and_refuse_the_rest() -> None:
    assert rules.spellings("x[ab](?:cd|e)\\.") == {"xacd.", "xae.", "xbcd.", "xbe."}
    for bad in ("a+", "a{2}", "[a-z]", "a.b", "(?:a"):
        with pytest.raises(ValueError, match="prefix"):
            rules.spellings(bad)


@pytest.mark.parametrize("sample", corpus(), ids=lambda s: s.format)
def test_secret_corpus_matches_the_same(sample: Sample) -> None:
    _same_everywhere(sample.text)


def test_ordinary_corpus_matches_the_same() -> None:
    for _, text in ordinary(per_kind=8):
        _same_everywhere(text)


_TOKEN = st.text(alphabet="aZ09_-", min_size=0, max_size=40)
_PIECE = st.one_of(
    st.sampled_from(SPELLINGS),
    st.sampled_from(SPELLINGS).flatmap(lambda s: st.integers(1, len(s)).map(lambda k: s[-k:])),
    st.text(alphabet="abkxyzACKPS0123456789 -_:=/.\"'\\~", max_size=10),
    _TOKEN,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECE, min_size=1, max_size=6).map("".join))
def test_near_misses_match_the_same(text: str) -> None:
    _same_everywhere(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="aZ09+/_-= .:", max_size=80))
def test_candidates_are_what_the_documented_regex_finds(text: str) -> None:
    fast = [m.span() for m in candidates(text)]
    assert fast == [m.span() for m in CANDIDATE.finditer(text)]
