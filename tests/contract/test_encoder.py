"""The compiled per-shape encoder writes exactly the canonical encoder's bytes, for events of
every shape (any subset of the fields, in any order), in both of its forms (the template of the
members in canonical order, and the C encoder once every value passed): it answers only for
events whose every field its check accepts, and for every such event whose values are plain and
encodable. ``seal_checked`` seals as ``seal`` does, or leaves the event to it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.contract import EventInvalid, canonicalize, seal
from tooltrail.contract._encoder import ShapeEncoder
from tooltrail.contract.errors import CanonicalizationError
from tooltrail.contract.event import FIELDS, seal_checked
from tooltrail.contract.jcs import _write, is_plain

from .test_compiled import EDGES, full, json_values

#: a valid value for every field but ``hash`` (the encoder's domain: events without it)
GOOD: dict[str, Any] = {
    **{k: v for k, v in full().items() if k != "hash"},
    "attrs": {"tooltrail.tool.hints": "readonly", "n": [1, None, {"b": True}], "e": "ü\n\x00"},
    "error.type": 'say "no"\\',
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.prompt.name": "summarise",
    "gen_ai.tool.call.id": "call_01",
    "jsonrpc.request.id": "7",
    "mcp.protocol.version": "2025-06-18",
    "mcp.session.id": "s\u2028\t1",
    "network.protocol.name": "http",
    "result_bytes": 2**53,
    "tooltrail.transport": "stdio",
}
NAMES = sorted(GOOD)
ENCODERS = (ShapeEncoder(FIELDS, template=True), ShapeEncoder(FIELDS, template=False))


def reference(event: dict[str, Any]) -> bytes | None:
    """The general encoder's bytes (the pure-Python RFC 8785 writer), None without any."""
    out: list[str] = []
    try:
        _write(event, out)
        return "".join(out).encode("utf-8")
    except (CanonicalizationError, UnicodeEncodeError):
        return None


def valid(event: dict[str, Any]) -> bool:
    """Every field is one of this version's and its check accepts it as it is."""
    probe = copy.deepcopy(event)
    try:
        for name, value in probe.items():
            FIELDS[name][0](name, value)
    except (EventInvalid, KeyError):
        return False
    return probe == event and [*map(type, probe.values())] == [*map(type, event.values())]


def assert_encoded_right(event: dict[str, Any]) -> None:
    expected = reference(event)
    for encoder in ENCODERS:
        before = copy.deepcopy(event)
        got = encoder(event)
        assert event == before  # nothing of the event changes
        if got is not None:
            assert got == expected == canonicalize(event)
            assert valid(event)
        else:  # refused: only what the general path must judge
            assert not (valid(event) and is_plain(event) and expected is not None)


def test_a_full_event_and_each_field_alone() -> None:
    assert_encoded_right(dict(GOOD))
    assert all(encoder(dict(GOOD)) is not None for encoder in ENCODERS)
    for name in NAMES:
        assert_encoded_right({name: GOOD[name]})
        assert_encoded_right({k: v for k, v in GOOD.items() if k != name})


def test_every_edge_value_in_every_field() -> None:
    for name in NAMES:
        for value in (*EDGES, "\ud800", "0" * 63 + "A", "0" * 62 + " 0", "é" * 128):
            ev = dict(GOOD)
            ev[name] = copy.deepcopy(value)
            assert_encoded_right(ev)


@settings(max_examples=300, deadline=None)
@given(
    order=st.lists(st.sampled_from(NAMES), min_size=1, unique=True),
    edits=st.dictionaries(st.sampled_from(NAMES), json_values, max_size=3),
)
def test_events_of_every_shape(order: list[str], edits: dict[str, Any]) -> None:
    ev = {name: copy.deepcopy(GOOD[name]) for name in order}
    for name, value in edits.items():
        if name in ev:
            ev[name] = value
    assert_encoded_right(ev)


@settings(max_examples=100, deadline=None)
@given(
    order=st.permutations(NAMES),
    strings=st.dictionaries(
        st.sampled_from(["error.type", "gen_ai.tool.name", "mcp.session.id", "mcp.resource.uri"]),
        st.text(min_size=1, max_size=128),
    ),
)
def test_any_string_any_order(order: list[str], strings: dict[str, str]) -> None:
    ev = {name: copy.deepcopy(GOOD[name]) for name in order}
    ev.update(strings)
    assert_encoded_right(ev)


def test_an_unknown_field_a_hash_or_nothing_is_left_to_the_general_path() -> None:
    assert all(encoder({}) is None for encoder in ENCODERS)
    for extra in ("hash", "surprise", "Attrs"):
        ev = {**GOOD, extra: "0" * 64}
        assert all(encoder(ev) is None for encoder in ENCODERS)


@pytest.mark.parametrize("chain", [("svc.0123456789abcdef", 7, "ab" * 32)])
def test_seal_checked_seals_as_seal_does(chain: tuple[str, int, str]) -> None:
    body = {k: v for k, v in GOOD.items() if k not in ("stream_id", "seq", "prev_hash")}
    checked, general = copy.deepcopy(body), copy.deepcopy(body)
    assert seal_checked(checked, *chain) == seal(general, *chain)
    assert checked == general
    bad = {**copy.deepcopy(body), "span_id": "X" * 16}
    assert seal_checked(bad, *chain) is None
    assert "hash" not in bad  # nothing sealed
    assert bad["seq"] == chain[1]  # the chain fields set
