"""Idempotent resends, 503 when the sink cannot take it, 429, heads across replicas, ops routes."""

from __future__ import annotations

import threading
from typing import Any

import orjson

from tooltrail.collector.heads import Head, MemoryHeadStore
from tooltrail.collector.ratelimit import RateLimiter

from ..conftest import build_chain
from .conftest import STREAM, Collector, MakeCollector, chain_of


def test_a_batch_is_delivered_as_one_segment_and_the_head_advances(collector: Collector) -> None:
    events = build_chain(5)
    r = collector.post(events, compress=True)
    assert r.status_code == 202
    assert r.json() == {
        "accepted": 5,
        "duplicates": 0,
        "checkpoints": 0,
        "stream_id": STREAM,
        "head": {"seq": 4, "hash": events[4]["hash"]},
    }
    (seg,) = collector.sink.delivered
    assert (seg.stream_id, seg.source, seg.first_seq, seg.last_seq) == (STREAM, "svc", 0, 4)
    assert (seg.head_hash, seg.findings) == (events[4]["hash"], ())
    assert orjson.loads(seg.body)["events"] == events
    head = collector.heads.get(STREAM)
    assert head is not None
    assert (head.seq, head.hash, head.source) == (4, events[4]["hash"], "svc")


def test_resending_an_accepted_batch_is_202_without_duplicates(collector: Collector) -> None:
    events = build_chain(8)
    assert collector.post(events[:5]).status_code == 202
    again = collector.post(events[:5])
    assert again.status_code == 202
    assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 5)
    overlap = collector.post(events[3:])
    assert (overlap.json()["accepted"], overlap.json()["duplicates"]) == (3, 2)
    assert [e["seq"] for e in collector.delivered_events()] == list(range(8))
    assert collector.metric("tooltrail_collector_events_duplicate_total", source="svc") == 7


def test_sink_unavailable_is_503_with_retry_after_and_nothing_advances(
    collector: Collector,
) -> None:
    events = build_chain(6)
    assert collector.post(events[:3]).status_code == 202
    head = collector.heads.get(STREAM)
    collector.sink.fail(1, retry_after=3.2)
    r = collector.post(events[3:])
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "4"
    assert r.json()["error"] == "unavailable"
    assert collector.heads.get(STREAM) == head  # not advanced: the emitter keeps the batch
    assert len(collector.sink.delivered) == 1
    retry = collector.post(events[3:])  # the emitter's retry goes through
    assert (retry.status_code, retry.json()["accepted"]) == (202, 3)
    assert [e["seq"] for e in collector.delivered_events()] == list(range(6))


def test_rate_limit_is_429_with_retry_after_per_source(make_collector: MakeCollector) -> None:
    now = [0.0]
    c = make_collector(limiter=RateLimiter(10, 10, clock=lambda: now[0]))
    events = build_chain(40)
    assert c.post(events[:12]).status_code == 202  # a full bucket admits a batch (into debt)
    r = c.post(events[12:14])
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"  # (1 - (-2)) / 10 s, rounded up
    assert "over its rate" in r.json()["message"]
    assert c.heads.get(STREAM).seq == 11  # type: ignore[union-attr]
    assert c.metric("tooltrail_collector_rate_limited_total", source="svc") == 1
    _, other = c.keys.create("other")
    assert c.post(chain_of("other", 2), token=other).status_code == 202  # its own bucket
    now[0] += 0.3  # refilled to +1
    assert c.post(events[12:14]).status_code == 202


class LaggingHeads(MemoryHeadStore):
    """A replica's head store that learns another replica's head only on refresh()."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: dict[str, Head] = {}
        self.refreshes = 0

    def refresh(self, timeout: float) -> None:
        self.refreshes += 1
        for stream_id, head in self.pending.items():
            self.put(stream_id, head)


def test_an_apparent_gap_refreshes_the_heads_first(make_collector: MakeCollector) -> None:
    heads = LaggingHeads()
    c = make_collector(heads=heads)
    events = build_chain(8)
    heads.pending[STREAM] = Head(4, events[4]["hash"], "svc")  # replica B accepted 0..4
    r = c.post(events[5:])
    assert r.status_code == 202, r.text
    assert heads.refreshes == 1
    assert c.metric("tooltrail_collector_head_refreshes_total") == 1


def test_ops_routes(collector: Collector) -> None:
    assert collector.client.get("/healthz").json() == {"status": "ok"}
    assert collector.client.get("/readyz").status_code == 200
    collector.sink.fail(1)
    not_ready = collector.client.get("/readyz")
    assert (not_ready.status_code, not_ready.headers["Retry-After"]) == (503, "2")
    collector.post(build_chain(3))
    text = collector.client.get("/metrics").text
    assert "tooltrail_collector_events_accepted_total" in text
    assert "tooltrail_collector_produce_seconds_bucket" in text
    schema = collector.client.get("/openapi.json").json()
    assert "/v1/events" in schema["paths"]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_each_app_has_its_own_metrics(make_collector: MakeCollector) -> None:
    a, b = make_collector(), make_collector()
    assert a.post(build_chain(3)).status_code == 202
    assert a.metric("tooltrail_collector_events_accepted_total", source="svc") == 3
    assert b.metric("tooltrail_collector_events_accepted_total", source="svc") == 0


def test_concurrent_resends_of_one_stream_deliver_each_event_once(collector: Collector) -> None:
    events = build_chain(30)
    statuses: list[Any] = []

    def ship() -> None:
        for i in range(0, 30, 10):
            statuses.append(collector.post(events[: i + 10]).status_code)

    threads = [threading.Thread(target=ship) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) == {202}
    assert [e["seq"] for e in collector.delivered_events()] == list(range(30))
