"""rollup_1m agrees with a direct aggregation over events, and with the events themselves."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

import pytest

from tooltrail.contract import GENESIS_HASH, seal
from tooltrail.pipeline.segments import DecodedSegment
from tooltrail.pipeline.store import Store
from tooltrail.pipeline.store.columns import events_to_columns
from tooltrail.pipeline.store.rows import EVENT_COLUMN_NAMES

pytestmark = pytest.mark.store

T0 = 1_764_000_000_000_000 - 1_764_000_000_000_000 % 60_000_000  # on a minute boundary
TOOLS = ("read_file", "search", "write_file")
USERS = ("alice", "bob", "carol")


def generate(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` events over two sources (two streams each) and eight minutes."""
    rng = random.Random(seed)
    streams = {f"{src}.{i:016x}": src for src in ("srv-a", "srv-b") for i in range(2)}
    prev = dict.fromkeys(streams, GENESIS_HASH)
    seqs = dict.fromkeys(streams, 0)
    events = []
    for k in range(n):
        stream = rng.choice(sorted(streams))
        read = rng.random() < 0.3
        event: dict[str, Any] = {
            "v": 1,
            "event_id": f"e{k}",
            "ts": T0 + rng.randrange(8 * 60_000_000),
            "source": {"kind": "server", "name": streams[stream]},
            "actor": {"user": rng.choice(USERS)},
            "mcp.method.name": "resources/read" if read else "tools/call",
            "outcome": rng.choices(["ok", "error", "denied"], [0.8, 0.15, 0.05])[0],
            "duration_us": int(rng.lognormvariate(8, 1)),
            "gen_ai.tool.name": rng.choice(TOOLS),
        }
        if read:
            event["mcp.resource.uri"] = f"file:///r/{rng.randrange(12)}"
        if rng.random() < 0.8:
            event["args_bytes"] = rng.randrange(10_000)
        if rng.random() < 0.7:
            event["result_bytes"] = rng.randrange(100_000)
        seal(event, stream, seqs[stream], prev[stream])
        prev[stream], seqs[stream] = event["hash"], seqs[stream] + 1
        events.append(event)
    return events


def segments(events: list[dict[str, Any]], size: int) -> list[DecodedSegment]:
    by_stream: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        by_stream[e["stream_id"]].append(e)
    out = []
    for stream, evs in sorted(by_stream.items()):
        for i in range(0, len(evs), size):
            out.append(DecodedSegment(stream, evs[0]["source"]["name"], evs[i : i + size], [], []))
    return out


def expected(events: list[dict[str, Any]]) -> dict[tuple[Any, ...], tuple[int, ...]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        minute = (e["ts"] // 60_000_000) * 60
        groups[(minute, e["source"]["name"], e["gen_ai.tool.name"], e["actor"]["user"])].append(e)
    return {
        key: (
            len(evs),
            sum(e["outcome"] == "error" for e in evs),
            sum(e["outcome"] == "denied" for e in evs),
            sum(e.get("args_bytes", 0) for e in evs),
            sum(e.get("result_bytes", 0) for e in evs),
            len({e["mcp.resource.uri"] for e in evs if "mcp.resource.uri" in e}),
            sum(e["duration_us"] for e in evs),
            max(e["duration_us"] for e in evs),
        )
        for key, evs in groups.items()
    }


ROLLUP = """
SELECT toUnixTimestamp(minute) AS m, source_name, tool, user,
    sum(calls), sum(errors), sum(denials), sum(args_bytes), sum(result_bytes),
    uniqMerge(resources), sum(duration_sum), max(duration_max)
FROM {db}.rollup_1m GROUP BY m, source_name, tool, user"""
DIRECT = """
SELECT toUnixTimestamp(toStartOfMinute(time)) AS m, source_name, tool, user,
    count(), countIf(outcome = 'error'), countIf(outcome = 'denied'),
    sum(ifNull(args_bytes, 0)), sum(ifNull(result_bytes, 0)),
    uniqExactIf(resource_uri, resource_uri != ''), sum(duration_us), max(duration_us)
FROM {db}.events FINAL GROUP BY m, source_name, tool, user"""


P95 = """
SELECT tool, quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(duration_q)[3]
FROM {db}.rollup_1m GROUP BY tool"""


def table(store: Store, sql: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """``{key columns: value columns}``: the first column (or the first four) are the key."""
    rows = store.query_rows(sql.replace("{db}", store.database))
    keys = 4 if len(rows[0]) > 4 else 1
    return {tuple(r[:keys]): tuple(r[keys:]) for r in rows}


def test_rollups_agree_with_events(any_store: Store) -> None:
    events = generate(3000)
    for batch in (segments(events[:1200], 150), segments(events[1200:], 400)):
        any_store.insert_segments(batch)
    truth = expected(events)
    assert len(truth) > 100  # several minutes x sources x tools x users
    assert table(any_store, DIRECT) == truth
    assert table(any_store, ROLLUP) == truth
    # a redelivery of everything changes nothing
    assert any_store.insert_segments(segments(events, 500)).inserted == 0
    assert table(any_store, ROLLUP) == truth

    p95 = table(any_store, P95)
    for (tool,), (estimate,) in p95.items():
        durations = sorted(e["duration_us"] for e in events if e["gen_ai.tool.name"] == tool)
        n = len(durations)
        assert durations[int(0.93 * n)] <= estimate <= durations[int(0.97 * n)], tool


def test_a_retried_insert_counts_once(any_store: Store) -> None:
    """The token deduplicates the events block and the view's rollup block alike."""
    events = generate(200, seed=3)
    columns = events_to_columns(events)
    for _ in range(2):
        any_store._client.insert(  # raw, as a retried processor batch reaches ClickHouse
            f"{any_store.database}.events",
            columns,
            column_names=list(EVENT_COLUMN_NAMES),
            column_oriented=True,
            settings={"insert_deduplication_token": "topic/0/100-299"},
        )
    assert table(any_store, "SELECT 0, count() FROM {db}.events") == {(0,): (200,)}
    assert table(any_store, "SELECT 0, sum(calls) FROM {db}.rollup_1m") == {(0,): (200,)}
