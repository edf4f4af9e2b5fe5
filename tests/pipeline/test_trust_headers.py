"""A stamped run whose ``run`` header lies, or whose events belong to another stream, is never
stored as claimed.

The collector writes a ``run`` header (first and last seq, count, the last event's hash) ahead
of a clean segment's events, and the processor hands such a run to chDB unparsed
(``store/jsonrows.py``): the header, not the events, would move ``chain_heads`` and decide
that every event is new. Here each lie a writer holding the record key (or a collector's bug)
can tell goes through the real chDB store as the processor takes a flush (the trusted take;
when the store refuses it, the record validated in full, ``intake.recheck``) and, in a second
database, as the Python path takes it (validated in full, the header ignored): chDB must refuse
the trusted take, and both must end with the same events and the head where the events put it,
or reject the record. Before the check chDB stored the claim: a head at a seq never stored, an
event of another stream under that stream's chain.
"""

from __future__ import annotations

from itertools import count
from typing import Any

import orjson
import pytest

from tooltrail.contract import GENESIS_HASH, seal
from tooltrail.contract.checkpoint import checkpoint_body
from tooltrail.pipeline.errors import PoisonRecord, StoreUnavailable
from tooltrail.pipeline.segments import RawRun, decode_segment, split_run
from tooltrail.pipeline.store import Store

from .test_jsonrows import ONE

pytestmark = pytest.mark.store

_streams = count()


def chain(stream: str, n: int) -> list[tuple[dict[str, Any], bytes]]:
    """``n`` events of ``stream`` sealed as an emitter seals them: each with its wire bytes."""
    out: list[tuple[dict[str, Any], bytes]] = []
    for seq in range(n):
        event = {**ONE, "event_id": f"{stream}-{seq}"}
        wire = seal(event, stream, seq, out[-1][0]["hash"] if out else GENESIS_HASH)
        out.append((event, wire))
    return out


def body(
    stream: str,
    events: list[tuple[dict[str, Any], bytes]],
    *,
    run: bool = True,
    checkpoints: list[dict[str, Any]] | None = None,
    **claim: Any,
) -> bytes:
    """A segment record as the collector writes it (``collector/ingest.py``), its ``run``
    header describing ``events`` except for what ``claim`` overrides."""
    header = b""
    if run:
        first, last = events[0][0], events[-1][0]
        fields = {"first": first["seq"], "last": last["seq"], "n": len(events)}
        fields["hash"] = last["hash"]
        header = b'"run":%s,' % orjson.dumps({**fields, **claim})
    return b'{"v":1,"stream_id":%s,"source":"x",%s"events":[%s],"checkpoints":%s,"findings":[]}' % (
        orjson.dumps(stream),
        header,
        b",".join(wire for _, wire in events),
        orjson.dumps(checkpoints or []),
    )


def take(store: Store, value: bytes) -> str:
    """What the processor does with a stamped record: the trusted take; if the store refuses
    it, validated in full and stored through the Python path, or rejected (a dead letter)."""
    segment = split_run(value) or decode_segment(value, trusted=True)
    try:
        store.insert_segments([segment])
    except Exception:  # any failure: intake.recheck
        outcome = python_path(store, value)
        return "rechecked" if outcome == "taken" else outcome
    return "taken"


def python_path(store: Store, value: bytes) -> str:
    """The Python path: validated in full (the ``run`` header is not read), then stored."""
    try:
        segment = decode_segment(value)
    except PoisonRecord as bad:
        return f"rejected: {bad.reason}"
    store.insert_segments([segment])
    return "taken"


def head(store: Store, stream: str) -> list[tuple[Any, ...]]:
    return store.query_rows(
        f"SELECT seq, hash FROM {store.database}.chain_heads FINAL WHERE stream_id = {{s:String}}",
        parameters={"s": stream},
    )


Events = list[tuple[dict[str, Any], bytes]]


def _lies(s: Events, other: Events) -> dict[str, tuple[Events, dict[str, Any]]]:
    """name -> (the events of the run, what its header claims otherwise); the stream's events
    0..1 are stored before, so the run continues at 2."""
    run = s[2:7]
    return {
        "a lower count": (run, {"n": 4, "last": 5}),
        "a higher count": (run, {"n": 6, "last": 7}),
        "a higher first seq": (run, {"first": 3, "last": 7}),
        "a first seq at the head": (run, {"first": 1, "last": 5}),
        "a lower last seq": (run, {"last": 5, "n": 4}),
        "another last hash": (run, {"hash": s[5][0]["hash"]}),
        "no last hash": (run, {"hash": ""}),
        "a repeated seq in place of one": ([*s[2:4], s[3], *s[5:7]], {}),
        "a gap": ([*s[2:4], *s[5:8]], {"last": 6, "n": 5}),
        "two events swapped": ([s[2], s[4], s[3], *s[5:7]], {}),
        "an event of another stream": ([*s[2:4], other[4], *s[5:7]], {}),
        "every event of another stream": (other[2:7], {}),
    }


def _run_both(store: Store, python_store: Store, edit: str) -> tuple[str, str, str, str]:
    s, t = f"svc.{next(_streams):016x}", f"svc.{next(_streams):016x}"
    s_events, t_events = chain(s, 10), chain(t, 10)
    events, claim = _lies(s_events, t_events)[edit]
    for each in (store, python_store):  # the streams' first events, stored
        assert take(each, body(s, s_events[:2])) == "taken"
        assert take(each, body(t, t_events[:5])) == "taken"
    value = body(s, events, **claim)
    assert isinstance(split_run(value), RawRun), edit
    return s, t, take(store, value), python_path(python_store, value)


@pytest.mark.parametrize("edit", list(_lies(chain("x", 10), chain("y", 10))))
def test_a_lying_run_header_is_never_stored_as_claimed(
    store: Store, python_store: Store, edit: str
) -> None:
    s, t, taken, python = _run_both(store, python_store, edit)
    # the trusted take is refused (the first seq at the head is decoded by the plan: not JSON)
    assert taken != "taken" or edit == "a first seq at the head", edit
    # both ways end alike: the same events, the head where the events put it
    assert taken.startswith("rejected") == python.startswith("rejected"), (taken, python)
    for stream in (s, t):
        stored = list(store.iter_events(stream_id=stream))
        assert stored == list(python_store.iter_events(stream_id=stream)), edit
        last = max(stored, key=lambda e: e["seq"])
        assert head(store, stream) == [(last["seq"], last["hash"])], edit
        assert head(python_store, stream) == head(store, stream), edit


@pytest.mark.parametrize("edit", ["an event of another stream", "every event of another stream"])
def test_an_event_of_another_stream_is_rejected_both_ways(
    store: Store, python_store: Store, edit: str
) -> None:
    s, t, taken, python = _run_both(store, python_store, edit)
    assert taken == python
    assert "stream_id is " in taken
    assert f"the segment's is {s!r}" in taken
    assert [e["seq"] for e in store.iter_events(stream_id=s)] == [0, 1]
    assert [e["seq"] for e in store.iter_events(stream_id=t)] == list(range(5))
    assert head(store, t)[0][0] == 4


def test_an_event_of_another_stream_in_a_segment_without_a_run_is_rejected(store: Store) -> None:
    """A stamped segment that is not a clean run is decoded on trust, its events not validated:
    the store refuses it all the same, and the full validation rejects it."""
    s, t = f"svc.{next(_streams):016x}", f"svc.{next(_streams):016x}"
    s_events, t_events = chain(s, 4), chain(t, 4)
    assert take(store, body(t, t_events[:2])) == "taken"
    value = body(s, [*s_events[:2], t_events[2], s_events[3]], run=False)
    assert split_run(value) is None
    outcome = take(store, value)
    assert outcome.startswith("rejected: events[2].stream_id is "), outcome
    assert list(store.iter_events(stream_id=s)) == []
    assert [e["seq"] for e in store.iter_events(stream_id=t)] == [0, 1]


@pytest.mark.parametrize("run", [True, False], ids=["a clean run", "without run"])
def test_a_checkpoint_of_another_stream_is_rejected(store: Store, run: bool) -> None:
    """The checkpoints of a stamped segment are not validated either: one of another stream
    (it would be stored as that stream's) is refused by the store and rejected on recheck."""
    s, t = f"svc.{next(_streams):016x}", f"svc.{next(_streams):016x}"
    s_events, t_events = chain(s, 3), chain(t, 3)
    assert take(store, body(t, t_events)) == "taken"
    own = checkpoint_body(s, 2, s_events[2][0]["hash"], 1)
    foreign = checkpoint_body(t, 2, "0" * 64, 1)
    assert take(store, body(s, s_events[:1], run=run, checkpoints=[own])) == "taken"
    outcome = take(store, body(s, s_events[1:], run=run, checkpoints=[own, foreign]))
    assert outcome.startswith("rejected: checkpoints[1].stream_id is "), outcome
    assert [e["seq"] for e in store.iter_events(stream_id=s)] == [0]
    stored = store.query_rows(
        f"SELECT stream_id, seq, hash FROM {store.database}.checkpoints FINAL ORDER BY stream_id"
    )
    assert stored == [(s, 2, own["hash"])]


def test_runs_of_several_streams_in_one_flush_are_checked_each(store: Store) -> None:
    """The flush's runs go to chDB in one file: interleaved streams, a stream's runs continuing
    each other and one after a gap, all taken as JSON; one lying run among them refuses the
    whole insert (nothing of it stored)."""
    s, t, u = (f"svc.{next(_streams):016x}" for _ in range(3))
    es, et, eu = chain(s, 14), chain(t, 14), chain(u, 14)
    runs = [
        body(s, es[0:3]), body(t, et[0:4]), body(s, es[3:6]), body(u, eu[0:2]),
        body(s, es[8:10]), body(t, et[4:8]),
    ]  # fmt: skip
    segments = [split_run(v) for v in runs]
    result = store.insert_segments(segments)  # type: ignore[arg-type]
    assert (result.inserted, result.duplicates) == (18, 0)
    assert [e["seq"] for e in store.iter_events(stream_id=s)] == [0, 1, 2, 3, 4, 5, 8, 9]
    assert head(store, s) == [(9, es[9][0]["hash"])]
    assert head(store, t) == [(7, et[7][0]["hash"])]
    assert head(store, u) == [(1, eu[1][0]["hash"])]
    for lie in (
        body(t, et[10:12], n=3, last=12),  # claims an event it does not hold
        body(t, [et[10], eu[11]]),  # an event of another stream, at the right seq
    ):
        good = [body(s, es[10:12]), lie, body(u, eu[2:6]), body(s, es[12:14])]
        with pytest.raises(StoreUnavailable, match="where its run header puts it"):
            store.insert_segments([split_run(v) for v in good])  # type: ignore[misc]
        assert [e["seq"] for e in store.iter_events(stream_id=s)][-1] == 9
        assert [e["seq"] for e in store.iter_events(stream_id=u)] == [0, 1]
        assert head(store, s) == [(9, es[9][0]["hash"])]
