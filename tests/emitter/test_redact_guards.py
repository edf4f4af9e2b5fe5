"""The compiled regex's pre-checks (guards) change only speed: at every position of every input,
the guarded and the unguarded regex match the same branch over the same span. Likewise the
entropy detector's one-pass pre-check (``has_suspect``) skips no candidate it would flag.

Inputs: the secret corpus (every format, in its context), the ordinary-argument corpus, and
hypothesis text built from near misses: the prefixes' spellings whole and cut short, joined
with the characters the rules anchor on."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.emitter import _redact_rules as rules
from tooltrail.emitter._entropy import CANDIDATE, candidates, has_suspect, looks_random
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


def _flagged(text: str) -> bool:
    return any(looks_random(m.group()) for m in candidates(text))


def _suspect_is_sound(text: str) -> None:
    """No candidate ``looks_random`` flags is skipped; a suspect is always a candidate."""
    suspect = has_suspect(text) is not None
    assert suspect or not _flagged(text), text
    assert not suspect or CANDIDATE.search(text), text


def test_suspects_in_the_corpora() -> None:
    for sample in corpus():
        _suspect_is_sound(sample.text)
    texts = [text for _, text in ordinary()]
    for text in texts:
        _suspect_is_sound(text)
    # what it is for: most ordinary text holds no suspect (only encoded text and identifiers)
    assert sum(has_suspect(t) is not None for t in texts) <= len(texts) // 8


def test_ordinary_runs_are_no_suspects() -> None:
    for text in (
        "https://docs.example.com/guide/section-12345678?lang=en#setup",
        "/srv/data/reports/2026/report-12345678.csv",
        "release/api-gateway_builds-20261206",
        "0f8fad5b-d9cb-469f-a165-70867728950e",
        "abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
    ):
        assert has_suspect(text) is None, text
    for text in ("key " + "aB3dE6gH9jK2mN5pQ8sT", "com/api/" + "aB3dE6gH9jK2mN5pQ8sT1"):
        assert has_suspect(text) is not None, text


_PART = st.one_of(
    st.sampled_from(["api", "Order", "builds2", "abc", "deadbeef", "v2", "x", "Zq9", "ab1"]),
    st.text(alphabet="aZ09+", min_size=1, max_size=24),
    st.text(alphabet=string.ascii_letters + string.digits + "+", min_size=8, max_size=30),
    st.sampled_from(["/", "_", "-", "=", " ", ".", "?", ":"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PART, max_size=14).map("".join))
def test_suspects_of_word_parts_and_separators(text: str) -> None:
    _suspect_is_sound(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.ascii_letters[::2] + string.digits + "+/_-= ", max_size=90))
def test_suspects_of_any_text(text: str) -> None:
    _suspect_is_sound(text)
