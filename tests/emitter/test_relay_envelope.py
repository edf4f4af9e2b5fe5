"""Large responses read by their JSON-RPC envelope only (``relay._envelope``): the events are
the ones a whole parse gives (tool results ok, ``isError``, refused by ``_meta``, JSON-RPC errors,
``initialize`` and ``tools/list`` answers past the threshold, escaped quotes, duplicate keys);
any response, however formatted, reads as its whole parse with only the kept keys of ``result``;
the scan fed in pieces cut anywhere gives what it gives the whole; skipped content is not
decoded (bytes that are not UTF-8 there leave the envelope as it is); and what the shortcut
cannot read with certainty (requests, batches, malformed envelopes, kept values that are not
UTF-8, too many small items) is left to the whole parse."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.emitter import Emitter, MemoryTransport
from tooltrail.emitter.mcpwire import DENIED_META_KEY
from tooltrail.emitter.relay import CLIENT, SERVER
from tooltrail.emitter.relay._envelope import (
    ENVELOPE_MIN,
    MAX_STEPS,
    RESULT_KEYS,
    EnvelopeScan,
    envelope,
)
from tooltrail.emitter.relay._exchange import Exchange

from .test_relay_recorder import _recorder

BIG = "x" * (1 << 20)
_VOLATILE = {"event_id", "hash", "prev_hash", "seq", "stream_id", "ts"}


def _session(sent: Callable[[int, bytes], None]) -> None:
    """An MCP session with large answers of every kind the exchange reads."""

    def line(msg: object) -> bytes:
        return json.dumps(msg).encode()

    def call(i: int, method: str, params: object) -> None:
        sent(CLIENT, line({"jsonrpc": "2.0", "id": i, "method": method, "params": params}))

    call(0, "initialize", {"clientInfo": {"name": "host", "version": "1"}})
    sent(SERVER, line({"jsonrpc": "2.0", "id": 0, "result": {
        "protocolVersion": "2025-06-18", "instructions": BIG,
        "serverInfo": {"name": "srv", "version": "2"}}}))  # fmt: skip
    tools = [{"name": "read", "description": "d" * ENVELOPE_MIN, "inputSchema": {}},
             {"name": "write", "description": 'quote "' * 9, "inputSchema": {}}]  # fmt: skip
    call(1, "tools/list", {})
    sent(SERVER, line({"jsonrpc": "2.0", "id": 1, "result": {"tools": tools}}))
    text = [{"type": "text", "text": BIG}]
    results: list[dict[str, Any]] = [
        {"content": text},
        {"content": [{"type": "text", "text": '\\"]}' * 1000 + BIG}], "isError": False},
        {"content": text, "isError": True},
        {"isError": True, "content": text, "_meta": {DENIED_META_KEY: "policy says no"}},
        {"structuredContent": {"rows": [[1, 2.5, None, True]] * 100, "blob": BIG},
         "content": text},
    ]  # fmt: skip
    for i, result in enumerate(results, start=2):
        call(i, "tools/call", {"name": "read", "arguments": {"path": f"/{i}"}})
        sent(SERVER, line({"jsonrpc": "2.0", "id": i, "result": result}))
    call(20, "tools/call", {"name": "write", "arguments": {}})
    refusal = {"code": -32003, "message": "no", "data": {"reason": "denied", "detail": BIG}}
    sent(SERVER, line({"jsonrpc": "2.0", "id": 20, "error": refusal}))
    call(21, "tools/call", {"name": "write", "arguments": {}})
    sent(SERVER, line({"jsonrpc": "2.0", "id": 21, "error": {"code": -1, "message": BIG}}))
    call(22, "resources/read", {"uri": "file:///big"})
    sent(SERVER, b'{"id": 22, "result": {"contents": [{"text": "%s"}], "isError": 1,'
                 b' "isError": true}, "jsonrpc": "2.0"}' % BIG.encode())  # fmt: skip


def _events(tmp_path: Path, parse: Callable[[bytes], object]) -> list[dict[str, Any]]:
    transport = MemoryTransport()
    emitter = Emitter(source_name="env", spool_dir=tmp_path, transport=transport,
                      signing_key=None, flush_interval=0.01)  # fmt: skip
    exchange = Exchange(emitter, methods=("tools/call", "resources/read"), transport="stdio",
                        relay="wrap", at_ts=lambda ts: None, deny_codes={-32003})  # fmt: skip

    def sent(sender: int, raw: bytes) -> None:
        exchange.message(sender, parse(raw), len(raw), 1_000, 2_000)

    _session(sent)
    emitter.close(5.0)
    events = [e for body in transport.received for e in json.loads(body)["events"]]
    return [{k: v for k, v in e.items() if k not in _VOLATILE} for e in events]


def test_a_large_response_gives_the_event_of_a_whole_parse(tmp_path: Path) -> None:
    used: list[bytes] = []

    def skim(raw: bytes) -> object:
        msg = envelope(raw) if len(raw) >= ENVELOPE_MIN else None
        if msg is not None:
            used.append(raw)
            return msg
        return json.loads(raw)

    whole = _events(tmp_path / "whole", json.loads)
    skimmed = _events(tmp_path / "skim", skim)
    assert len(used) == 10  # every answer went the short way
    assert skimmed == whole
    assert [(e["mcp.method.name"], e["outcome"], e.get("error.type")) for e in whole] == [
        ("tools/list", "ok", None),
        *[("tools/call", "ok", None)] * 2,
        ("tools/call", "error", "tool_error"),
        ("tools/call", "denied", "policy says no"),
        ("tools/call", "ok", None),
        ("tools/call", "denied", "denied"),
        ("tools/call", "error", "-1"),
        ("resources/read", "ok", None),
    ]


def test_the_envelope_keeps_only_what_is_read() -> None:
    result = {"content": [{"text": BIG}], "isError": True, "_meta": {"k": [1, {"a": "]"}]},
              "nextCursor": None, "other": {"x": '"\\'}}  # fmt: skip
    raw = json.dumps({"jsonrpc": "2.0", "id": "a", "result": result}, indent=1).encode()
    assert envelope(raw) == {
        "jsonrpc": "2.0",
        "id": "a",
        "result": {k: v for k, v in result.items() if k in RESULT_KEYS},
    }


@pytest.mark.parametrize(
    "raw",
    [
        b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"a":"%s"}}',  # a request
        b'[{"jsonrpc":"2.0","id":1,"result":{"content":"%s"}}]',  # a batch
        b'{"id":1,"result":{"content":"%s"}} trailing',  # not one JSON value
        b'{"id":1 "result":{"content":"%s"}}',  # a missing comma
        b'{"id":1,"result":{"content":"%s}}',  # an unclosed string
        b'{"id":1,"result":{"content":["%s"}}',  # an unclosed bracket
        b'\xff{"id":1,"result":{"content":"%s"}}',  # not UTF-8
    ],
)
def test_what_the_shortcut_cannot_read_is_left_to_the_whole_parse(raw: bytes) -> None:
    assert envelope(raw % BIG.encode()) is None


def test_skipped_content_is_not_decoded_but_kept_values_are() -> None:
    bad = b'{"jsonrpc":"2.0","id":1,"result":{"content":[{"text":"\xff\xfe%s"}]}}' % BIG.encode()
    assert envelope(bad) == {"jsonrpc": "2.0", "id": 1, "result": {}}  # the response it frames
    kept = b'{"jsonrpc":"2.0","id":"\xff","result":{"content":"%s"}}' % BIG.encode()
    assert envelope(kept) is None
    meta = b'{"jsonrpc":"2.0","id":1,"result":{"_meta":{"k":"\xff"},"content":"%s"}}'
    assert envelope(meta % BIG.encode()) is None


def test_many_small_items_are_left_to_the_whole_parse() -> None:
    items = [{"type": "text", "text": "ab"}] * (MAX_STEPS + 1)
    raw = json.dumps({"jsonrpc": "2.0", "id": 1, "result": {"content": items}}).encode()
    assert envelope(raw) is None
    few = json.dumps({"jsonrpc": "2.0", "id": 1, "result": {"content": items[:100]}}).encode()
    assert envelope(few) == {"jsonrpc": "2.0", "id": 1, "result": {}}


def test_the_recorder_reads_a_split_megabyte_result_by_its_envelope(tmp_path: Path) -> None:
    recorder, transport = _recorder(tmp_path)
    request = {"jsonrpc": "2.0", "id": 7, "method": "tools/call",
               "params": {"name": "read", "arguments": {}}}  # fmt: skip
    recorder.stream(CLIENT, json.dumps(request).encode() + b"\n")
    result = {"content": [{"type": "text", "text": BIG}], "isError": True}
    answer = json.dumps({"jsonrpc": "2.0", "id": 7, "result": result}).encode()
    assert envelope(answer) is not None
    for start in range(0, len(answer), 300_000):
        recorder.stream(SERVER, answer[start : start + 300_000])
    recorder.stream(SERVER, b"\n")
    stats = recorder.close(10.0)
    assert (stats["messages"], stats["unparsed"], stats["dropped_bytes"]) == (2, 0, 0)
    (event,) = [e for body in transport.received for e in json.loads(body)["events"]]
    assert (event["outcome"], event["error.type"]) == ("error", "tool_error")
    assert event["result_bytes"] == len(answer)


_text = st.text(st.sampled_from('ab"\\/\n\té\u2028{}[]:, '), max_size=8)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=12,
)
_keys = st.sampled_from(sorted(RESULT_KEYS | {"content", "structuredContent", "x"})) | _text
_response = st.dictionaries(
    st.sampled_from(["jsonrpc", "id", "result", "error", "x"]) | _text,
    _json | st.dictionaries(_keys, _json, max_size=5),
    max_size=5,
).filter(lambda msg: "method" not in msg)


def _dumped(msg: object, style: int) -> bytes:
    if style == 0:
        return json.dumps(msg, separators=(",", ":"), ensure_ascii=False).encode()
    return json.dumps(msg, indent=style - 1 or None).encode()


@settings(max_examples=100, deadline=None)
@given(_response, st.integers(0, 2))
def test_any_response_reads_as_its_whole_parse_with_the_kept_result_keys(
    msg: dict[str, Any], style: int
) -> None:
    raw = _dumped(msg, style)
    expected = json.loads(raw)  # (duplicate keys in the generated dicts: none after a dump)
    if isinstance(expected.get("result"), dict):
        expected["result"] = {k: v for k, v in expected["result"].items() if k in RESULT_KEYS}
    assert envelope(raw, max_steps=10**9) == expected
    request = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", **msg}
    assert envelope(_dumped(request, style), max_steps=10**9) is None


@settings(max_examples=100, deadline=None)
@given(
    _response,
    st.integers(0, 2),
    st.lists(st.integers(0, 10**6), max_size=6),
    st.sampled_from([b"", b" ", b",", b"}", b"]", b'"', b"\\", b"\xff", b"1", b"\r"]),
    st.integers(0, 10**6),
    st.sampled_from([8, MAX_STEPS]),
)
def test_the_scan_fed_in_pieces_gives_what_it_gives_the_whole(
    msg: dict[str, Any], style: int, cuts: list[int], edit: bytes, at: int, steps: int
) -> None:
    raw = _dumped(msg, style)
    at %= len(raw) + 1
    raw = raw[:at] + edit + raw[at + (edit == b"1") :]  # well-formed or not
    whole = envelope(raw, steps)
    singles = [{c, c + gap} for gap in (0, 1, 2) for c in range(len(raw) - gap)]
    for cut_set in [{c % (len(raw) + 1) for c in cuts}, *singles]:  # and pieces of 1, 2 bytes
        bounds = sorted(cut_set | {0, len(raw)})
        scan = EnvelopeScan(steps)
        for start, end in itertools.pairwise(bounds):
            scan.feed(raw, start, end)
        assert scan.result() == whole, bounds
