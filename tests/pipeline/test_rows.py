"""Events ↔ rows: lossless in memory, and through a real insert and read on both backends."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tooltrail.contract import GENESIS_HASH, SPEC_VERSION, compute_hash, seal, validate_event
from tooltrail.contract.event import NETWORK_TRANSPORTS
from tooltrail.pipeline.segments import DecodedSegment
from tooltrail.pipeline.store import Store, event_to_row, row_to_event
from tooltrail.pipeline.store.columns import CHUNK, events_to_columns
from tooltrail.pipeline.store.rows import EVENT_COLUMN_NAMES, integrity_by_seq

_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=24)
_ids = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=24)


def _hex(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789abcdef", min_size=n, max_size=n)


_uint = st.integers(0, 2**53)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=10,
)
_objects = st.dictionaries(_text, _json, max_size=5)
_OPTIONAL_V1: dict[str, st.SearchStrategy[Any]] = {
    "actor": st.fixed_dictionaries(
        {},
        optional={k: _ids for k in ("user", "client", "client_version", "agent", "tenant")},
    ),
    "gen_ai.tool.name": _ids,
    "gen_ai.tool.call.id": _ids,
    "gen_ai.prompt.name": _ids,
    "mcp.resource.uri": _ids,
    "mcp.session.id": _ids,
    "mcp.protocol.version": _ids,
    "mcp.tools.hash": _hex(64),
    "jsonrpc.request.id": _ids,
    "error.type": _ids,
    "network.transport": _ids,
    "server.address": _ids,
    "trace_id": _hex(32),
    "span_id": _hex(16),
    "args_bytes": _uint,
    "result_bytes": _uint,
    "args_fingerprint": _hex(64),
    "args": _objects,
    "args_truncated": st.booleans(),
    "redactions": st.dictionaries(
        st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8), _uint, max_size=3
    ),
    "attrs": _objects,
}
_OPTIONAL_V2: dict[str, st.SearchStrategy[Any]] = {
    **{k: v for k, v in _OPTIONAL_V1.items() if k not in ("mcp.tools.hash", "network.transport")},
    "tooltrail.tools.hash": _hex(64),
    "tooltrail.transport": _ids,
    "network.transport": st.sampled_from(sorted(NETWORK_TRANSPORTS)),
    "network.protocol.name": _ids,
    "server.port": st.integers(0, 65535),
    "gen_ai.operation.name": _ids,
}


def _bodies(version: int, optional: dict[str, st.SearchStrategy[Any]]) -> Any:
    return st.fixed_dictionaries(
        {
            "v": st.just(version),
            "event_id": _ids,
            "ts": _uint,
            "source": st.fixed_dictionaries(
                {"kind": st.sampled_from(["server", "host"]), "name": _ids},
                optional={"version": _ids, "hostname": _ids},
            ),
            "mcp.method.name": _ids,
            "outcome": st.sampled_from(["ok", "error", "denied"]),
            "duration_us": _uint,
        },
        optional=optional,
    )


# every version the contract reads: stored v1 events rebuild as exactly as v2 ones
bodies = _bodies(1, _OPTIONAL_V1) | _bodies(SPEC_VERSION, _OPTIONAL_V2)


def sealed(body: dict[str, Any], stream_id: str = "s.0", seq: int = 0) -> dict[str, Any]:
    event = dict(body)
    seal(event, stream_id, seq, GENESIS_HASH if seq == 0 else "a" * 64)
    return validate_event(event)


@given(bodies, st.integers(0, 2**53))
@settings(max_examples=300)
def test_row_round_trip_gives_back_the_hashed_event(body: dict[str, Any], seq: int) -> None:
    event = sealed(body, seq=seq)
    row = dict(zip(EVENT_COLUMN_NAMES, event_to_row(event), strict=True))
    back = row_to_event(row)
    assert back == event
    assert compute_hash(back) == event["hash"]


def test_optional_fields_absent_stay_absent() -> None:
    event = sealed(
        {
            "v": 1,
            "event_id": "e",
            "ts": 0,
            "source": {"kind": "host", "name": "h"},
            "mcp.method.name": "tools/list",
            "outcome": "ok",
            "duration_us": 0,
        }
    )
    back = row_to_event(dict(zip(EVENT_COLUMN_NAMES, event_to_row(event), strict=True)))
    assert back == event
    assert set(back) == set(event)


def test_empty_objects_differ_from_absent_ones() -> None:
    base = {
        "v": 1,
        "event_id": "e",
        "ts": 1,
        "source": {"kind": "server", "name": "s"},
        "mcp.method.name": "tools/call",
        "outcome": "ok",
        "duration_us": 5,
    }
    for extra in ({"actor": {}}, {"redactions": {}}, {"args": {}}, {"attrs": {}}):
        event = sealed({**base, **extra})
        back = row_to_event(dict(zip(EVENT_COLUMN_NAMES, event_to_row(event), strict=True)))
        assert back == event, extra


def test_floats_and_unicode_in_args_keep_the_hash() -> None:
    args = {"ratio": 0.1, "big": 1e21, "whole": 2.0, "neg": -0.0, "name": "Grüße 👋", "ü": [1.5]}
    event = sealed(
        {
            "v": 1,
            "event_id": "e",
            "ts": 1,
            "source": {"kind": "server", "name": "s"},
            "mcp.method.name": "tools/call",
            "outcome": "ok",
            "duration_us": 5,
            "args": args,
        }
    )
    back = row_to_event(dict(zip(EVENT_COLUMN_NAMES, event_to_row(event), strict=True)))
    assert back == event
    assert compute_hash(back) == event["hash"]


@given(st.lists(bodies, min_size=1, max_size=5))
@settings(max_examples=30)
def test_columns_match_rows(drawn: list[dict[str, Any]]) -> None:
    events = [sealed(b, seq=i) for i, b in enumerate(drawn)]
    marks = [f"m{i}" if i % 2 else "" for i in range(len(events))]
    columns = events_to_columns(events, marks)
    assert len(columns) == len(EVENT_COLUMN_NAMES)
    for i, event in enumerate(events):
        assert tuple(c[i] for c in columns) == event_to_row(event, marks[i])


@given(st.lists(bodies, min_size=2, max_size=6))
@settings(max_examples=10, deadline=None)
def test_columns_of_many_events_match_their_rows_across_the_chunks(
    drawn: list[dict[str, Any]],
) -> None:
    # more events than one chunk of columns (CHUNK) holds, of both versions, marks on some
    events = [sealed(drawn[i % len(drawn)], seq=i) for i in range(CHUNK * 2 + 7)]
    marks = [f"m{i}" if i % 3 == 0 else "" for i in range(len(events))]
    columns = events_to_columns(events, marks)
    assert all(len(c) == len(events) for c in columns)
    for i, event in enumerate(events):
        assert tuple(c[i] for c in columns) == event_to_row(event, marks[i])
    plain = events_to_columns(events)
    assert plain[EVENT_COLUMN_NAMES.index("integrity")] == [""] * len(events)


def test_integrity_marks_the_event_at_or_after_the_finding() -> None:
    findings = [
        {"class": "deleted", "seq": 3, "detail": ""},
        {"class": "modified", "seq": 5, "detail": ""},
        {"class": "replayed", "seq": 5, "detail": ""},
        {"class": "truncated", "seq": 99, "detail": ""},
    ]
    assert integrity_by_seq([1, 2, 4, 5], findings) == {4: "deleted", 5: "modified,replayed"}
    assert integrity_by_seq([1, 2], []) == {}


@pytest.mark.store
@given(st.lists(bodies, min_size=1, max_size=4))
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_events_come_back_from_the_store_with_their_hash(
    any_store: Store, drawn: list[dict[str, Any]]
) -> None:
    stream_id = f"h.{uuid.uuid4().hex}"
    events, prev = [], GENESIS_HASH
    for seq, body in enumerate(drawn):
        event = dict(body)
        seal(event, stream_id, seq, prev)
        prev = event["hash"]
        events.append(event)
    segment = DecodedSegment(stream_id, "src", events, [], [])
    assert any_store.insert_segments([segment]).inserted == len(events)
    back = list(any_store.iter_events(stream_id=stream_id))
    assert back == events
    assert [compute_hash(e) for e in back] == [e["hash"] for e in events]
