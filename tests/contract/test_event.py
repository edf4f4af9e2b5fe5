"""Event schema: every bad input names the field and the rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tooltrail.contract import EventInvalid, canonical_bytes, compute_hash, seal, validate_event

from ..conftest import build_chain


def good() -> dict[str, Any]:
    return build_chain(1)[0]


def test_sealed_events_validate() -> None:
    for ev in build_chain(5):
        assert validate_event(ev) is ev


@pytest.mark.parametrize(
    ("edit", "field", "rule"),
    [
        (lambda e: e.pop("seq"), "seq", "is required"),
        (lambda e: e.update(seq=-1), "seq", "between 0 and 2**53"),
        (lambda e: e.update(seq="3"), "seq", "must be an integer"),
        (lambda e: e.update(duration_us=1.5), "duration_us", "must be an integer"),
        (lambda e: e.update(v=3), "v", "unsupported version"),
        (lambda e: e.update(outcome="maybe"), "outcome", "must be one of"),
        (lambda e: e.update(prev_hash="XYZ"), "prev_hash", "64 lowercase hex"),
        (lambda e: e.update(stream_id="-bad"), "stream_id", "starting alphanumeric"),
        (lambda e: e.update(trace_id="abc"), "trace_id", "W3C trace-id"),
        (lambda e: e["source"].update(kind="robot"), "source.kind", "must be one of"),
        (lambda e: e["source"].pop("name"), "source.name", "is required"),
        (lambda e: e["actor"].update(shoe="x"), "actor.shoe", "not a known field"),
        (lambda e: e.update(surprise=1), "surprise", "not a field of event version 2"),
        (lambda e: e.update(args=[1]), "args", "must be an object"),
        (lambda e: e.update(args={"x": float("nan")}), "args", "NaN"),
        (lambda e: e.update(redactions={"jwt": -1}), "redactions.jwt", "between 0"),
        (lambda e: e.update(**{"gen_ai.tool.name": ""}), "gen_ai.tool.name", "must not be empty"),
        (lambda e: e.update(**{"mcp.resource.uri": "x" * 5000}), "mcp.resource.uri", "at most"),
    ],
)
def test_bad_fields_are_named_with_their_rule(edit: Any, field: str, rule: str) -> None:
    ev = good()
    edit(ev)
    with pytest.raises(EventInvalid) as err:
        validate_event(ev)
    assert err.value.field == field
    assert rule in err.value.rule
    assert err.value.at(4).index == 4
    assert str(err.value.at(4)).startswith(f"event[4].{field}:")


def test_seal_returns_wire_bytes_that_parse_to_the_event() -> None:
    import json

    ev = copy.deepcopy(good())
    wire = seal(ev, ev["stream_id"], 0, ev["prev_hash"])
    assert json.loads(wire) == ev
    assert compute_hash(json.loads(wire)) == ev["hash"]


printable = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@given(tool=printable, user=printable, uri=printable, duration=st.integers(0, 2**53))
def test_fast_and_general_canonical_paths_agree_on_events(
    tool: str, user: str, uri: str, duration: int
) -> None:
    from tooltrail.contract import canonicalize

    ev = good()
    ev.update({"gen_ai.tool.name": tool, "mcp.resource.uri": uri, "duration_us": duration})
    ev["actor"] = {"user": user}
    body = {k: v for k, v in ev.items() if k != "hash"}
    assert canonical_bytes(ev) == canonicalize(body)
    # and the key order of the input never matters
    assert canonical_bytes(dict(reversed(list(ev.items())))) == canonical_bytes(ev)
