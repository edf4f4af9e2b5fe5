"""A genuine record copied ahead of its predecessors hides nothing (``store.dedupe``).

The attacker can write the events topic but holds no record key: it copies a genuine, stamped
record byte for byte (value and MAC) into another partition, so the processor sees a stream's
later events before its earlier ones. An event is a duplicate only when its ``(stream_id, seq)``
is stored with the same hash, so every genuine event is still stored exactly once, the head is
the true one and ``verify`` finds nothing deleted. A different hash at a stored seq is a fork:
kept as evidence with a ``forked`` finding, never dropped and never in ``events``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests._infra.fixtures import tansu, topic_name  # noqa: F401
from tests.conftest import build_chain
from tooltrail.broker import RecordKey
from tooltrail.collector.sinks.base import Segment
from tooltrail.collector.sinks.kafka import segment_headers
from tooltrail.contract import seal
from tooltrail.pipeline.integrity import verify_store
from tooltrail.pipeline.processor import Processor
from tooltrail.pipeline.segments import DecodedSegment, RawRun, split_run
from tooltrail.pipeline.settings import PipelineSettings
from tooltrail.pipeline.store import Store

from .test_processor import (  # noqa: F401
    Feed,
    make_settings,
    produce,
    run_until,
    scalar,
)
from .test_record_mac import KEY, inject

pytestmark = pytest.mark.store


def seen(processor: Processor) -> int:
    """Events the store took or recognised as duplicates."""
    m = processor.metrics
    return int(
        m.value("tooltrail_pipeline_events_inserted_total")
        + m.value("tooltrail_pipeline_events_duplicate_total")
    )


def stamped_copy(segment: Segment) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The genuine record exactly as a collector holding the key wrote it."""
    return segment.body, segment_headers(segment, RecordKey(KEY.encode()))


def assert_whole(store: Store, stream: str, chain: list[dict[str, Any]]) -> None:
    """Every genuine event stored once, the true head, and nothing deleted for ``verify``."""
    db = store.database
    count = f"SELECT count() FROM {db}.events WHERE stream_id = '{stream}'"
    assert scalar(store, count) == len(chain)  # no row twice, even before a merge
    assert list(store.iter_events(stream_id=stream)) == chain
    heads = store.query_rows(f"SELECT stream_id, seq, hash FROM {db}.chain_heads FINAL")
    assert heads == [(stream, len(chain) - 1, chain[-1]["hash"])]
    report = verify_store(store, record=False)
    assert {f.cls for f in report.findings if f.stream_id == stream} <= {"reordered"}
    assert store.quarantined() == []


@pytest.mark.kafka
@pytest.mark.parametrize("copy_first", [True, False], ids=["ahead", "after"])
def test_a_genuine_record_copied_into_another_partition_hides_no_event(
    make_settings: Callable[..., PipelineSettings],  # noqa: F811
    store: Store,
    copy_first: bool,
) -> None:
    settings = make_settings(kafka_record_key=KEY)
    feed = Feed(streams=1, events=30)
    (a,) = feed.chains
    a1, a2 = feed.segment(a, 10), feed.segment(a, 20)
    with Processor(settings, store) as processor:
        if copy_first:  # the copy is stored before the processor sees A1
            inject(settings, [stamped_copy(a2)])
            run_until(lambda: seen(processor) >= 20, processor, what="the copy")
        produce(settings, [a1, a2])  # the collector: stamped, one partition
        want = 50 if copy_first else 30
        run_until(lambda: seen(processor) >= want, processor, what="the genuine records")
        if not copy_first:  # a plain replay of a stored record: a duplicate, nothing changes
            inject(settings, [stamped_copy(a2)])
            run_until(lambda: seen(processor) >= 50, processor, what="the copy")
        processor.flush()
        duplicates = processor.metrics.value("tooltrail_pipeline_events_duplicate_total")
    assert duplicates == 20  # the copy's events, once each: never A1's
    assert_whole(store, a, feed.chains[a])


def runs(feed: Feed, stream: str, *sizes: int) -> list[RawRun]:
    out = []
    for n in sizes:
        run = split_run(feed.segment(stream, n).body)
        assert run is not None
        out.append(run)
    return out


def test_a_copy_ahead_in_the_same_insert_hides_no_event(store: Store) -> None:
    feed = Feed(streams=1, events=30)
    (a,) = feed.chains
    a1, a2, a3 = runs(feed, a, 10, 10, 10)
    result = store.insert_segments([a2, a1, a2, a3])  # A2's copy first, the genuine A2 again
    assert (result.inserted, result.duplicates) == (30, 10)
    assert_whole(store, a, feed.chains[a])
    again = store.insert_segments([a1.decode(), a3])  # redelivered: all duplicates
    assert (again.inserted, again.duplicates) == (0, 20)
    store.forget_heads()
    assert store.insert_segments([a1, a2]).duplicates == 20  # read back from the store
    assert_whole(store, a, feed.chains[a])


def test_a_copy_ahead_across_inserts_hides_no_event(store: Store) -> None:
    feed = Feed(streams=1, events=30)
    (a,) = feed.chains
    a1, a2, a3 = runs(feed, a, 10, 10, 10)
    assert store.insert_segments([a3]).inserted == 10
    store.forget_heads()  # a restarted processor: what is stored is read back
    assert store.insert_segments([a1, a2.decode()]).inserted == 20
    assert_whole(store, a, feed.chains[a])


def test_another_event_at_a_stored_seq_is_a_fork_kept_as_evidence(store: Store) -> None:
    feed = Feed(streams=1, events=20)
    (a,) = feed.chains
    store.insert_segments(runs(feed, a, 20))
    chain = feed.chains[a]
    other = {**build_chain(20, a)[5], "gen_ai.tool.name": "rewritten"}
    seal(other, a, 5, chain[4]["hash"])
    segment = DecodedSegment(a, "svc", [chain[4], other, chain[6]], [], [])
    result = store.insert_segments([segment])
    assert (result.inserted, result.duplicates) == (0, 2)
    kept = store.quarantined()
    assert [(q["seq"], q["findings"], q["hash"]) for q in kept] == [(5, ["forked"], other["hash"])]
    found = store.query_rows(
        f"SELECT seq, class, source FROM {store.database}.integrity_findings FINAL"
    )
    assert found == [(5, "forked", "pipeline")]
    assert list(store.iter_events(stream_id=a)) == chain  # the stored event stands
    assert store.stream_heads([a]) == {a: 19}
