"""Group commit: requests that arrive together are handed on as one delivery, and answered only
after it (and the heads it moved) were acknowledged; a failed group acknowledges none of its
requests, moves no head, and keeps each stream's order.

A :class:`HeldSink` (real code around a real sink) holds a chosen delivery until the test lets it
go, so what queues meanwhile forms the next group deterministically.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
import uvicorn

from tests._infra.fixtures import tansu_s3, topic_name  # noqa: F401
from tests._infra.tansu import Tansu
from tooltrail.broker import KafkaConsumer, TopicPartition, ensure_topics
from tooltrail.collector.app import create_app
from tooltrail.collector.auth import KeyStore, Principal
from tooltrail.collector.commit import GroupCommit
from tooltrail.collector.errors import SinkUnavailable
from tooltrail.collector.heads import MemoryHeadStore
from tooltrail.collector.heads_kafka import KafkaHeadStore
from tooltrail.collector.ingest import Verdict, parse_batch
from tooltrail.collector.metrics import Metrics
from tooltrail.collector.settings import Settings
from tooltrail.collector.sinks.base import MemorySink, Segment, Sink
from tooltrail.collector.sinks.kafka import KafkaSink

from .conftest import body_of, chain_of
from .test_e2e_emitter import collector_settings

X, Y, Z = "svc.00000000000000a1", "svc.00000000000000b2", "svc.00000000000000c3"
PRINCIPAL = Principal("k1", "svc", ("svc.*",))


@dataclass
class Gate:
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class HeldSink:
    """A sink that delivers through ``inner``; a delivery armed with :meth:`hold` waits, before
    it starts, until its gate is released. ``calls`` lists each delivery's segments."""

    def __init__(self, inner: Sink) -> None:
        self.inner = inner
        self.calls: list[list[Segment]] = []
        self._gates: deque[Gate] = deque()
        self._lock = threading.Lock()

    def hold(self) -> Gate:
        gate = Gate()
        with self._lock:
            self._gates.append(gate)
        return gate

    def deliver(self, segments: Sequence[Segment]) -> None:
        with self._lock:
            self.calls.append(list(segments))
            gate = self._gates.popleft() if self._gates else None
        if gate is not None:
            gate.entered.set()
            assert gate.release.wait(30), "gate never released"
        self.inner.deliver(segments)

    def ready(self) -> bool:
        return self.inner.ready()

    def close(self) -> None:
        self.inner.close()


def wait_for(cond: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def queued(commit: GroupCommit, n: int) -> None:
    """Wait until ``n`` requests wait for the next group."""
    wait_for(lambda: commit.pending() == n)


def seqs(segment: Segment) -> list[int]:
    return [e["seq"] for e in orjson.loads(segment.body)["events"]]


# -- the committer alone (memory sink) -------------------------------------------------------


@pytest.fixture
def held() -> Iterator[tuple[GroupCommit, HeldSink, MemorySink, MemoryHeadStore]]:
    memory = MemorySink()
    sink = HeldSink(memory)
    heads = MemoryHeadStore()
    commit = GroupCommit(sink, heads, Metrics(), refresh_timeout=1.0, retry_after=1.0)
    yield commit, sink, memory, heads
    commit.close()


def submit(commit: GroupCommit, events: list[dict[str, Any]]) -> Future[Verdict]:
    return commit.submit(parse_batch(body_of(events)), PRINCIPAL)


def queue_behind_a_held_group(
    commit: GroupCommit, sink: HeldSink, batches: list[list[dict[str, Any]]]
) -> tuple[Gate, list[Future[Verdict]]]:
    """Hold a first delivery (stream Z), then queue ``batches`` in order: the next group."""
    gate = sink.hold()
    first = submit(commit, chain_of("svc", 1, Z))
    assert gate.entered.wait(10)
    futures = []
    for events in batches:
        futures.append(submit(commit, events))
        queued(commit, len(futures))
    gate.release.set()
    first.result(10)
    return gate, futures


def test_a_group_is_one_delivery_and_one_stream_chains_within_it(
    held: tuple[GroupCommit, HeldSink, MemorySink, MemoryHeadStore],
) -> None:
    commit, sink, memory, heads = held
    x, y = chain_of("svc", 30, X), chain_of("svc", 5, Y)
    # two batches of X in one group: the second continues the first; a resend of the first
    # inside the same group is a proven duplicate; a batch past a gap is quarantined
    _, futures = queue_behind_a_held_group(commit, sink, [x[:10], y, x[10:20], x[:10], x[25:30]])
    verdicts = [f.result(10) for f in futures]
    assert len(sink.calls) == 2  # the held first group, then everything queued behind it
    group = sink.calls[1]
    assert [(s.stream_id, seqs(s), s.quarantine) for s in group] == [
        (X, list(range(10)), False),
        (Y, list(range(5)), False),
        (X, list(range(10, 20)), False),
        (X, list(range(25, 30)), True),
    ]
    assert [v.accepted for v in verdicts] == [10, 5, 10, 0, 0]
    assert verdicts[3].duplicates == 10
    assert verdicts[4].quarantined == 5
    assert verdicts[4].findings
    x_head, y_head = heads.get(X), heads.get(Y)
    assert x_head is not None
    assert (x_head.seq, x_head.hash) == (19, x[19]["hash"])
    assert y_head is not None
    assert y_head.seq == 4
    assert memory.delivered[-4:] == group


def test_a_request_cancelled_while_queued_is_dropped_and_the_rest_of_its_group_answered(
    held: tuple[GroupCommit, HeldSink, MemorySink, MemoryHeadStore],
) -> None:
    commit, sink, _, heads = held
    x, y = chain_of("svc", 10, X), chain_of("svc", 5, Y)
    gate = sink.hold()
    first = submit(commit, chain_of("svc", 1, Z))
    assert gate.entered.wait(10)
    assert not first.cancel()  # taken into a group: it will be answered, whatever happens
    gone: Future[Verdict] = Future()
    assert commit.submit(parse_batch(body_of(x)), PRINCIPAL, gone) is gone
    stays = submit(commit, y)
    queued(commit, 2)
    assert gone.cancel()  # its client left before the group was taken
    gate.release.set()
    first.result(10)
    assert stays.result(10).accepted == 5
    assert [s.stream_id for s in sink.calls[1]] == [Y]  # the cancelled batch was not handed on
    assert heads.get(X) is None
    assert not stays.cancel()  # an answered request stays answered


def test_a_failed_group_acknowledges_none_and_moves_no_head(
    held: tuple[GroupCommit, HeldSink, MemorySink, MemoryHeadStore],
) -> None:
    commit, sink, memory, heads = held
    x, y = chain_of("svc", 20, X), chain_of("svc", 5, Y)
    submit(commit, x[:5]).result(10)
    before = len(memory.delivered)
    memory.fail(2)  # the held Z delivery, then the group behind it
    gate = sink.hold()
    first = submit(commit, chain_of("svc", 1, Z))
    assert gate.entered.wait(10)
    futures = []
    for events in (x[5:10], y, x[10:20]):
        futures.append(submit(commit, events))
        queued(commit, len(futures))
    gate.release.set()
    with pytest.raises(SinkUnavailable):
        first.result(10)
    for f in futures:  # every request of the group fails; none is acknowledged
        with pytest.raises(SinkUnavailable):
            f.result(10)
    assert len(sink.calls[-1]) == 3  # they were one delivery
    assert len(memory.delivered) == before
    x_head = heads.get(X)
    assert x_head is not None
    assert x_head.seq == 4
    assert heads.get(Y) is None
    assert heads.get(Z) is None
    # the emitters' retries: accepted in order, as if nothing had happened
    retried = [submit(commit, events).result(10) for events in (x[5:10], y, x[10:20])]
    assert [v.accepted for v in retried] == [5, 5, 10]
    delivered_x = [q for s in memory.delivered if s.stream_id == X for q in seqs(s)]
    assert delivered_x == list(range(20))


def test_a_request_that_cannot_be_verified_fails_alone(
    held: tuple[GroupCommit, HeldSink, MemorySink, MemoryHeadStore],
) -> None:
    _commit, sink, _memory, _heads = held

    class NoRefresh(MemoryHeadStore):
        def refresh(self, timeout: float) -> None:
            raise SinkUnavailable("heads unreachable")

    gappy = GroupCommit(sink, NoRefresh(), Metrics(), refresh_timeout=0.1, retry_after=1.0)
    try:
        x, y = chain_of("svc", 10, X), chain_of("svc", 3, Y)
        gate = sink.hold()
        first = gappy.submit(parse_batch(body_of(chain_of("svc", 1, Z))), PRINCIPAL)
        assert gate.entered.wait(10)
        ok = gappy.submit(parse_batch(body_of(y)), PRINCIPAL)
        queued(gappy, 1)
        gap = gappy.submit(parse_batch(body_of(x[5:])), PRINCIPAL)  # a gap: needs a refresh
        queued(gappy, 2)
        gate.release.set()
        first.result(10)
        assert ok.result(10).accepted == 3
        with pytest.raises(SinkUnavailable, match="heads unreachable"):
            gap.result(10)
        assert [s.stream_id for s in sink.calls[-1]] == [Y]
    finally:
        gappy.close()


def test_close_commits_what_is_queued_then_refuses(
    held: tuple[GroupCommit, HeldSink, MemorySink, MemoryHeadStore],
) -> None:
    commit, sink, _memory, _heads = held
    gate = sink.hold()
    first = submit(commit, chain_of("svc", 1, Z))
    assert gate.entered.wait(10)
    behind = submit(commit, chain_of("svc", 4, X))
    queued(commit, 1)
    closer = threading.Thread(target=commit.close)
    closer.start()
    gate.release.set()
    closer.join(10)
    assert first.result(10).accepted == 1
    assert behind.result(10).accepted == 4
    with pytest.raises(SinkUnavailable):
        submit(commit, chain_of("svc", 1, Y))


def test_an_app_served_again_accepts_again(make_collector: Any) -> None:
    """A stop closes the committer; the next start opens it (a test client, a restarted
    server): the batch after a restart is stored, not refused as "shutting down"."""
    c = make_collector()
    assert c.post(chain_of("svc", 2, X)).status_code == 202
    c.client.__exit__(None, None, None)  # the server stops ...
    c.client.__enter__()  # ... and starts again
    events = chain_of("svc", 3, X)
    assert c.post(events[2:]).status_code == 202
    assert [e["seq"] for e in c.delivered_events()] == [0, 1, 2]


# -- the app on a real broker, killed while a group is in flight --------------------------


@contextlib.contextmanager
def serving(app: Any, port: int) -> Iterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="collector", daemon=True)
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), timeout=10)
    assert server.started, "collector did not start"
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=15)


class Post(threading.Thread):
    """One POST in a thread; ``status`` once answered."""

    def __init__(self, port: int, token: str, events: list[dict[str, Any]]) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.body = port, token, body_of(events)
        self.status: int | None = None
        self.start()

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        conn.request("POST", "/v1/events", self.body, headers)
        response = conn.getresponse()
        response.read()
        self.status = response.status
        conn.close()

    def answer(self) -> int | None:
        self.join(30)
        return self.status


def topic_events(settings: Settings, want: int) -> dict[str, list[int]]:
    """Each stream's seqs in the events topic, in partition order, once ``want`` are in."""
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, auto_offset_reset="earliest"
    )
    topic = settings.kafka_topic_events
    consumer.assign([TopicPartition(topic, p) for p in range(settings.kafka_topic_partitions)])
    out: dict[str, list[int]] = {}
    deadline = time.monotonic() + 30
    try:
        while sum(map(len, out.values())) < want and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                for r in sorted(records, key=lambda r: r.offset):
                    body = json.loads(r.value)
                    out.setdefault(body["stream_id"], []).extend(e["seq"] for e in body["events"])
    finally:
        consumer.close()
    return out


@pytest.mark.kafka
@pytest.mark.slow
def test_a_broker_killed_mid_group_acknowledges_none_of_it(
    tansu_s3: Tansu,  # noqa: F811
    topic_name: Callable[[str], str],  # noqa: F811
    tmp_path: Path,
) -> None:
    settings = collector_settings(
        tansu_s3,
        topic_name,
        tmp_path,
        kafka_delivery_timeout_s=1.5,
        kafka_request_timeout_ms=1000,
        kafka_connect_timeout_s=1.0,
        retry_after_seconds=1,
    )
    port = settings.port
    keys = KeyStore(settings.keys_file)
    token = keys.create("svc")[1]
    options = settings.kafka_options()
    ensure_topics(options)
    sink = HeldSink(KafkaSink(options, retry_after=1))
    heads = KafkaHeadStore(options)
    app = create_app(settings, sink, heads, keys, close_on_shutdown=True)
    x, y, z = chain_of("svc", 20, X), chain_of("svc", 10, Y), chain_of("svc", 10, Z)
    commit: GroupCommit = app.state.commit
    with serving(app, port):
        held_first = sink.hold()
        first = Post(port, token, x[:5])
        assert held_first.entered.wait(10)
        held_group = sink.hold()
        group = []
        for events in (x[5:10], y, x[10:20], z):  # one stream twice, in order
            group.append(Post(port, token, events))
            queued(commit, len(group))
        held_first.release.set()
        assert first.answer() == 202
        assert held_group.entered.wait(10)
        tansu_s3.kill()  # the group's records were not sent yet: they cannot be acknowledged
        held_group.release.set()
        assert [p.answer() for p in group] == [503, 503, 503, 503]
        assert len(sink.calls[-1]) == 4  # one delivery for the four requests
        x_head = heads.get(X)
        assert x_head is not None
        assert x_head.seq == 4
        assert heads.get(Y) is None
        assert heads.get(Z) is None

        tansu_s3.start()
        for events in (x[5:10], y, x[10:20], z):  # the emitters' retries, until accepted
            deadline = time.monotonic() + 30
            while Post(port, token, events).answer() != 202:
                assert time.monotonic() < deadline, "retry never accepted"
                time.sleep(0.2)
    held_now = topic_events(settings, 40)
    # every event of every stream once, each stream in its order
    assert held_now == {X: list(range(20)), Y: list(range(10)), Z: list(range(10))}
