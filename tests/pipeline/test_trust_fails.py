"""A stamped record the store cannot take must not stall its partition (``pipeline/intake.py``).

A record whose collector MAC verifies is taken on trust: a clean run is handed to chDB as JSON,
not parsed in Python. Here the stamped run is one chDB cannot read or that breaks the contract
(what a collector's bug, a version skew or a writer holding the record key produces), produced
into a partition ahead of good records. The good records must be stored, the bad one
dead-lettered with a ``rejected`` finding naming the field and the rule, every offset committed;
and a run chDB refuses but the contract accepts is stored through the Python path. A store that
is down stays a retry: nothing dead-lettered, nothing committed, all stored once it is back.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests._infra.fixtures import tansu, topic_name  # noqa: F401
from tooltrail.broker import RecordKey
from tooltrail.pipeline.processor import Processor
from tooltrail.pipeline.segments import REJECTED, RawRun, split_run
from tooltrail.pipeline.settings import PipelineSettings
from tooltrail.pipeline.store import Store

from .test_processor import (  # noqa: F401
    Feed,
    assert_all_committed,
    assert_exactly_once,
    group_offsets,
    inserted,
    make_settings,
    produce,
    read_topic,
    run_until,
    scalar,
)
from .test_record_mac import KEY, inject

pytestmark = [pytest.mark.kafka, pytest.mark.store]

REJECTED_TOTAL = "tooltrail_pipeline_records_rejected_total"

# (name, how the stamped run's bytes are broken, what the dead letter's reason says; None: the
# contract accepts it, so it is stored)
BREAKS = [
    (
        "an unknown field",
        (b'"event_id":', b'"zzz":1,"event_id":'),
        "events[0] breaks the contract (v2): zzz: is not a field",
    ),
    ("a negative integer", (b'"duration_us":', b'"duration_us":-'), "(v2): duration_us:"),
    ("a stray quote", (b'"ts":', b'"ts":"'), "not valid JSON"),
    ("an unquoted string", (b'"event_id":"', b'"event_id":'), "not valid JSON"),
    # orjson keeps the last of two keys, chDB refuses the row: the Python path stores it
    ("a duplicate key", (b'"event_id":', b'"event_id":"x","event_id":'), None),
]


def stamped(value: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    return value, [RecordKey(KEY.encode()).header(value)]


@pytest.mark.parametrize(("name", "edit", "reason"), BREAKS, ids=[b[0] for b in BREAKS])
def test_a_stamped_run_that_cannot_be_stored_does_not_stall_its_partition(
    make_settings: Callable[..., PipelineSettings],  # noqa: F811
    store: Store,
    name: str,
    edit: tuple[bytes, bytes],
    reason: str | None,
) -> None:
    _broken_run_behind_good_ones(
        make_settings, store, lambda value, a, b: value.replace(*edit, 1), reason
    )


def _foreign(value: bytes, a: str, b: str) -> bytes:
    """b's run with its fourth event's stream_id made a's (what would store it in a's chain)."""
    at = value.index(b'"events":[')
    for _ in range(4):
        at = value.index(b'"stream_id":"%s"' % b.encode(), at + 1)
    return value[:at] + value[at:].replace(b.encode(), a.encode(), 1)


# (name, how the stamped run of b is made to lie, the dead letter's reason; None: stored as its
# events say, not as its header claims)
LIES = [
    (
        "a header claiming fewer events",
        lambda v, a, b: v.replace(b'"last":9,"n":10,', b'"last":8,"n":9,', 1),
        None,
    ),
    (
        "a header claiming a later first seq",
        lambda v, a, b: v.replace(b'"first":0,"last":9,', b'"first":1,"last":10,', 1),
        None,
    ),
    (
        "a header claiming another last hash",
        lambda v, a, b: v.replace(b'"n":10,"hash":"', b'"n":10,"hash":"0', 1),
        None,
    ),
    ("an event of another stream", _foreign, "events[3].stream_id is "),
]


@pytest.mark.parametrize(("name", "edit", "reason"), LIES, ids=[lie[0] for lie in LIES])
def test_a_stamped_run_that_lies_is_stored_as_its_events_say_or_rejected(
    make_settings: Callable[..., PipelineSettings],  # noqa: F811
    store: Store,
    name: str,
    edit: Callable[[bytes, str, str], bytes],
    reason: str | None,
) -> None:
    _broken_run_behind_good_ones(make_settings, store, edit, reason)


def _broken_run_behind_good_ones(
    make_settings: Callable[..., PipelineSettings],  # noqa: F811
    store: Store,
    edit: Callable[[bytes, str, str], bytes],
    reason: str | None,
) -> None:
    settings = make_settings(kafka_record_key=KEY)
    feed = Feed(streams=2, events=30)
    a, b = feed.chains
    produce(settings, [feed.segment(a, 10)])
    # b's first run, broken and stamped with the key, in a's partition (a's record key) between
    # a's records
    sealed = feed.segment(b, 10).body
    value = edit(sealed, a, b)
    assert value != sealed
    assert isinstance(split_run(value), RawRun), "the broken record is a raw run on trust"
    inject(settings, [stamped(value)], key=a.encode())
    produce(settings, [feed.segment(a, 10), feed.segment(a, 10)])

    stored_b = 10 if reason is None else 0
    with Processor(settings, store) as processor:
        run_until(
            lambda: (
                inserted(processor) >= 30 + stored_b
                and processor.metrics.value(REJECTED_TOTAL) == (reason is not None)
            ),
            processor,
            what="the good records behind the broken one",
        )
        processor.flush()
        assert not processor.failing
        assert processor.metrics.value(REJECTED_TOTAL) == (0 if reason is None else 1)
    assert list(store.iter_events(stream_id=a)) == feed.chains[a][:30]
    assert list(store.iter_events(stream_id=b)) == feed.chains[b][:stored_b]
    assert_all_committed(settings)
    db = store.database
    heads = dict(store.query_rows(f"SELECT stream_id, (seq, hash) FROM {db}.chain_heads FINAL"))
    # the heads where the stored events put them, whatever a header claimed
    assert heads[a] == (29, feed.chains[a][29]["hash"])
    assert heads.get(b) == ((9, feed.chains[b][9]["hash"]) if stored_b else None)

    found = store.query_rows(
        f"SELECT stream_id, seq, source, detail FROM {db}.integrity_findings FINAL"
        f" WHERE class = '{REJECTED}'"
    )
    if reason is None:
        assert found == []
        return
    ((stream, seq, source, detail),) = found
    assert (stream, seq, source) == (b, 0, "pipeline")  # the run's first seq
    assert reason in detail
    (dead,) = read_topic(settings.kafka_bootstrap_servers, settings.kafka_topic_deadletter, 1)
    assert dead.value == value
    assert reason in dict(dead.headers)["reason"].decode()
    assert store.quarantined() == []  # no event of it anywhere in the store


def test_a_store_that_is_down_is_retried_not_taken_for_bad_records(
    make_settings: Callable[..., PipelineSettings],  # noqa: F811
    store: Store,
) -> None:
    settings = make_settings(kafka_record_key=KEY)
    feed = Feed(streams=3, events=40)
    db = store.database
    failures = "tooltrail_pipeline_insert_failures_total"
    with Processor(settings, store) as processor:
        produce(settings, feed.take(10))
        run_until(lambda: inserted(processor) == feed.taken, processor, what="the first runs")
        store.command(f"DETACH TABLE {db}.events")
        try:
            produce(settings, feed.take(10, rounds=2))
            before, _ = group_offsets(settings)
            run_until(lambda: processor.metrics.value(failures) >= 3, processor, what="failures")
            assert processor.failing
            assert group_offsets(settings)[0] == before, "committed while the store was down"
            assert processor.metrics.value(REJECTED_TOTAL) == 0
            assert processor.metrics.value("tooltrail_pipeline_records_dead_lettered_total") == 0
        finally:
            store.command(f"ATTACH TABLE {db}.events")
        run_until(lambda: inserted(processor) == feed.taken, processor, what="recovery")
        assert not processor.failing
    assert_exactly_once(store, feed)
    assert_all_committed(settings)
    assert scalar(store, f"SELECT count() FROM {db}.integrity_findings") == 0
