"""Large answers sent to the recorder as their envelope by the relay's feeder (``relay._skim``):
whatever the chunking, what the skimmer passes on gives the recorder the events of the raw
stream (every kind of large answer, CR LF, a last line without its newline, a dropped copy, a
line too long to hold), and any stream cut anywhere reads, message for message, as the raw
stream does; the worker gets an unfinished last line from the sender that sent it;
and a stream of megabyte results through ``tooltrail wrap`` is recorded call for call, nothing
dropped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.emitter.relay import CLIENT, SERVER, ProcessRecorder
from tooltrail.emitter.relay._envelope import ENVELOPE_MIN, envelope
from tooltrail.emitter.relay._skim import RAW, SKIM_STEPS, LineSkimmer

from ._relay_tape import ROOT, wrapped
from .test_lifecycle import spooled
from .test_relay_envelope import BIG, _session
from .test_relay_recorder import _call, _events, _line, _recorder
from .test_relay_stdio import _verified

_VOLATILE = {"event_id", "hash", "prev_hash", "seq", "stream_id"}
Stream = list[tuple[int, bytes]]
Feed = list[tuple[int, bytes, int, tuple[int, int]]]


def _stream() -> Stream:
    """The session of ``test_relay_envelope`` (large answers of every kind), as sent, and a
    short notification in the same read as the start of a large answer (ended by CR LF)."""
    out: Stream = []
    _session(lambda sender, raw: out.append((sender, raw + b"\n")))
    note = b'{"jsonrpc":"2.0","method":"notifications/progress","params":{}}\r\n'
    sender, answer = out[3]
    assert sender == SERVER
    out[3] = (SERVER, note + answer[:-1] + b"\r\n")  # a CR before the LF is framing
    return out


def _recorded(tmp_path: Path, feed: Feed) -> list[dict[str, Any]]:
    """The events of a recorder fed ``(sender, payload, size, at)``: raw bytes (size -1) or a
    skimmed envelope (the size of its message)."""
    recorder, transport = _recorder(tmp_path)
    for sender, payload, size, at in feed:
        if size < 0:
            recorder.stream(sender, payload, at)
        else:
            recorder.skimmed(sender, payload, size, None, at)
    stats = recorder.close(30)
    assert (stats["unparsed"], stats["errors"]) == (0, 0)
    return [{k: v for k, v in e.items() if k not in _VOLATILE} for e in _events(transport)]


def _skimmed(stream: Stream, chunk: int, skimmer: LineSkimmer) -> Feed:
    """``stream`` cut into ``chunk``-byte reads, passed through ``skimmer``; the reads of the
    n-th write cross at n."""
    feed: Feed = []
    for n, (sender, data) in enumerate(stream):
        at = (1_000 + n, 2_000 + n)
        for start in range(0, len(data), chunk):
            pieces = skimmer.feed(sender, data[start : start + chunk], at)
            feed += [(sender, p, size, a) for p, a, size in pieces]
    return feed + [(sender, p, size, a) for sender, (p, a, size) in skimmer.drain()]


@pytest.mark.parametrize("chunk", [4096, ENVELOPE_MIN + 7, 1 << 18, 3 << 20])
def test_skimmed_large_answers_give_the_events_of_the_raw_stream(
    tmp_path: Path, chunk: int
) -> None:
    stream = _stream()
    skimmer = LineSkimmer()
    feed = _skimmed(stream, chunk, skimmer)
    whole = [(s, d, -1, (1_000 + n, 2_000 + n)) for n, (s, d) in enumerate(stream)]
    raw = _recorded(tmp_path / "raw", whole)
    assert len(raw) == 9
    assert _recorded(tmp_path / "skim", feed) == raw
    lines = [line for _, d in stream for line in d.split(b"\n")]
    readable = [ln for ln in lines if len(ln) >= ENVELOPE_MIN and envelope(ln, SKIM_STEPS)]
    assert len(readable) >= 5
    assert sum(1 for _, _, size, _ in feed if size >= 0) == len(readable)  # each as envelope
    assert skimmer.held_bytes == 0


def test_a_dropped_copy_a_line_too_long_to_hold_and_an_unended_line(tmp_path: Path) -> None:
    big = json.dumps({"jsonrpc": "2.0", "id": 2, "result": {"content": [{"text": BIG}]}})
    answer = big.encode() + b"\n"
    skimmer = LineSkimmer(max_hold=len(answer) // 2)  # a result larger than that goes whole
    feed: list[tuple[int, bytes, int]] = []

    def send(sender: int, data: bytes) -> None:
        feed.extend((sender, p, s) for p, _, s in skimmer.feed(sender, data, (0, 0)))

    send(CLIENT, _line(_call(1, "read")))
    send(SERVER, answer[:100_000])
    skimmer.lost(SERVER, ended_line=False)  # the middle of answer 1 dropped at the relay
    feed.append((SERVER, b"", -2))  # (the recorder is told, as the worker would be)
    send(SERVER, answer[-100_000:])  # its tail: skipped
    send(CLIENT, _line(_call(2, "read")))
    for start in range(0, len(answer), 1 << 18):
        send(SERVER, answer[start : start + (1 << 18)])
    send(CLIENT, _line(_call(3, "read")))
    send(SERVER, b'{"jsonrpc": "2.0", "id": 3, "result": {}}')  # the last, no newline
    feed += [(sender, p, s) for sender, (p, _, s) in skimmer.drain()]

    recorder, transport = _recorder(tmp_path)
    for sender, payload, size in feed:
        if size == -2:
            recorder.lost(SERVER, ended_line=False)
        else:
            recorder.stream(sender, payload)
    recorder.close(30)
    events = _events(transport)
    assert [(e["jsonrpc.request.id"], e["outcome"], e.get("error.type")) for e in events] == [
        ("2", "ok", None),  # passed whole (too long to hold): the worker read it
        ("3", "ok", None),
        ("1", "error", "no_response"),  # its answer was broken by the drop
    ]
    assert events[0]["result_bytes"] == len(answer) - 1


def test_a_stream_of_megabyte_results_through_wrap_is_recorded_call_for_call(
    tmp_path: Path,
) -> None:
    spool = tmp_path / "spool"
    tiny = [sys.executable, str(ROOT / "benchmarks" / "wrap.py"), "--serve"]
    proc = subprocess.Popen(
        wrapped(tiny, spool), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    sizes = []
    for i in range(100):  # a host reading each 1 MB result before its next call
        call = _call(i, "echo", size=1_000_000 + i)
        proc.stdin.write(json.dumps(call).encode() + b"\n")
        proc.stdin.flush()
        sizes.append(len(proc.stdout.readline()) - 1)
    proc.stdin.close()
    assert proc.wait(timeout=120) == 0
    assert proc.stderr is not None
    assert b"not audited" not in proc.stderr.read()
    events = _verified(spool)
    assert [e["jsonrpc.request.id"] for e in events] == [str(i) for i in range(100)]
    assert {e["outcome"] for e in events} == {"ok"}
    assert [e["result_bytes"] for e in events] == sizes  # the size on the wire, each


def test_the_worker_gets_an_unended_last_answer_from_its_sender(tmp_path: Path) -> None:
    emitter = {"source_name": "relay-worker", "spool_dir": str(tmp_path / "spool"),
               "signing_key": None}  # fmt: skip
    recorder = ProcessRecorder(emitter, relay="wrap", transport="stdio")
    recorder.stream(CLIENT, _line(_call(1, "read")))
    recorder.stream(CLIENT, _line(_call(2, "read"))[:-1])  # the host's last line, unended
    answer = json.dumps({"jsonrpc": "2.0", "id": 1, "result": {"content": [{"text": BIG}]}})
    recorder.stream(SERVER, answer.encode())  # held by the feeder (no newline), then drained
    assert recorder.close(60)["events"] == 2
    events, _, _ = spooled(tmp_path / "spool")
    assert [(e["jsonrpc.request.id"], e["outcome"], e.get("error.type")) for e in events] == [
        ("1", "ok", None),
        ("2", "error", "no_response"),
    ]
    assert events[0]["result_bytes"] == len(answer)


def _read(line: bytes) -> tuple[object, int]:
    """A line as the worker reads it: (its message, or "unparsed"; its wire size)."""
    size = len(line) - line.endswith(b"\r")
    try:
        msg = envelope(line) if size >= ENVELOPE_MIN else None
        return (json.loads(line) if msg is None else msg), size
    except ValueError:
        return "unparsed", size


def _as_read(feed: Feed) -> list[tuple[int, object, int]]:
    """What the worker reads from ``feed``: per sender, raw bytes framed into lines, and each
    skimmed envelope as it comes."""
    held = {CLIENT: b"", SERVER: b""}
    out: list[tuple[int, object, int]] = []
    for sender, payload, size, _ in feed:
        if size != RAW:
            out.append((sender, json.loads(payload), size))
            continue
        *lines, held[sender] = (held[sender] + payload).split(b"\n")
        out += [(sender, *_read(line)) for line in lines]
    return out + [(sender, *_read(rest)) for sender, rest in held.items() if rest]


_FILL = "x" * ENVELOPE_MIN
_LINES = [
    b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}}',
    json.dumps({"jsonrpc": "2.0", "id": 2, "result": {"content": [{"text": _FILL}]}}).encode(),
    json.dumps(
        {
            "result": {"content": [{"text": '\\"' * 300 + _FILL}], "isError": True},
            "jsonrpc": "2.0",
            "id": "three",
        }
    ).encode(),
    json.dumps({"jsonrpc": "2.0", "id": 4, "error": {"code": -1, "message": _FILL}}).encode(),
    json.dumps(
        {
            "jsonrpc": "2.0",
            "id": 5,
            "method": "tools/call",
            "params": {"arguments": {"blob": _FILL}},
        }
    ).encode(),  # a large request
    b'{"jsonrpc":"2.0","id":6,"result":{"content":"' + _FILL.encode() + b"}}",  # unclosed
    b'{"jsonrpc":"2.0","id":7,"result":{"c":"' + b"y" * (ENVELOPE_MIN - 41) + b'"}}',  # MIN - 1
    b'{"jsonrpc":"2.0","id":8,"result":{"c":"' + b"y" * (ENVELOPE_MIN - 40) + b'"}}',  # MIN
]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([CLIENT, SERVER]),
            st.sampled_from(range(len(_LINES))),
            st.sampled_from([b"\n", b"\r\n"]),
        ),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.integers(1, 200) | st.integers(2000, 3 * ENVELOPE_MIN), min_size=1, max_size=12),
    st.sampled_from([64 * 2**20, ENVELOPE_MIN + 100]),
    st.booleans(),
)
def test_any_stream_cut_anywhere_reads_as_the_raw_stream(
    lines: list[tuple[int, int, bytes]], reads: list[int], max_hold: int, unended: bool
) -> None:
    sent = [(sender, _LINES[n] + end) for sender, n, end in lines]
    if unended:  # the last message has no newline
        sender, data = sent[-1]
        sent[-1] = (sender, data.rstrip(b"\r\n"))
    skimmer = LineSkimmer(max_hold=max_hold)
    feed: Feed = []
    turn = 0
    for k, (sender, data) in enumerate(sent):
        pos = 0
        while pos < len(data):  # reads of the sizes drawn, in turn
            n = reads[turn % len(reads)]
            turn += 1
            pieces = skimmer.feed(sender, data[pos : pos + n], (k, k))
            feed += [(sender, p, size, at) for p, at, size in pieces]
            pos += n
    feed += [(sender, p, size, at) for sender, (p, at, size) in skimmer.drain()]
    raw: Feed = [(sender, data, RAW, (0, 0)) for sender, data in sent]
    assert _as_read(feed) == _as_read(raw)
    assert skimmer.held_bytes == 0
    if max_hold > len(_FILL) * 2:  # each readable large line went as its envelope
        ended = [_LINES[n] for _, n, _ in lines[: len(lines) - unended]]
        readable = [ln for ln in ended if envelope(ln, SKIM_STEPS) and len(ln) >= ENVELOPE_MIN]
        assert sum(1 for _, _, size, _ in feed if size != RAW) == len(readable)
