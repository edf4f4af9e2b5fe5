"""Stream processor figures: topic → chDB throughput, and event → queryable latency.

    python benchmarks/pipeline.py [--events 200000] [--rate 5000] [--seconds 10] [--batch-rows N]
    python benchmarks/pipeline.py --kafka [--rate 30000] [--seconds 300] [--emitters 4] [--profile]

``--kafka`` runs the end-to-end figure instead (``benchmarks/pipeline_kafka.py``).

1. **Drain**: ``--events`` events of 20 streams, as collector segments of 100 events (built by the
   collector's own ``parse_batch`` / ``verify_batch``, produced with its ``KafkaSink``), are put on
   a 4-partition topic first; then one processor drains them into an embedded chDB store. Rows/s
   counts from the first record taken to the last flush committed (the group join is excluded).
   Baseline in the same run: ``insert_df`` of the same rows (built beforehand) into the same table
   layout in another database of the same chDB, in blocks of ``batch_max_rows``.
2. **Latency**: a producer process seals segments of 50 fresh events (``ts`` = creation time) at
   a steady ``--rate`` events/s for ``--seconds``; after every processor iteration a ``SELECT``
   picks up the newly visible events (same thread, so the probe's own cost is included).
   Latency = seen by ``SELECT`` − ``ts``; the HTTP hop to the collector is not included.

Targets (2 cores): ≥ 30k events/s into the embedded store; p99 event → queryable ≤ 1 s at 5k/s.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests' broker helper and event factory

from tests._infra.tansu import Tansu  # noqa: E402
from tests.conftest import build_chain  # noqa: E402
from tooltrail.broker import KafkaOptions  # noqa: E402
from tooltrail.collector.heads import Head  # noqa: E402
from tooltrail.collector.ingest import parse_batch, verify_batch  # noqa: E402
from tooltrail.collector.sinks.base import Segment  # noqa: E402
from tooltrail.collector.sinks.kafka import KafkaSink  # noqa: E402
from tooltrail.contract import GENESIS_HASH, seal  # noqa: E402
from tooltrail.pipeline.processor import Processor  # noqa: E402
from tooltrail.pipeline.settings import PipelineSettings  # noqa: E402
from tooltrail.pipeline.store import Store, event_to_row, migrate, open_store  # noqa: E402
from tooltrail.pipeline.store.rows import EVENT_COLUMN_NAMES  # noqa: E402


def segments_of(events: list[dict[str, Any]], head: Head | None) -> tuple[Segment, Head | None]:
    verdict = verify_batch(
        parse_batch(orjson.dumps({"v": 1, "events": events})), head, {}, source="svc"
    )
    assert verdict.segment is not None
    return verdict.segment, verdict.head


BATCH_ROWS: int = PipelineSettings.model_fields["batch_max_rows"].default


def settings_for(broker: Tansu, store_dir: str, tag: str) -> PipelineSettings:
    return PipelineSettings(
        batch_max_rows=BATCH_ROWS,
        kafka_bootstrap_servers=broker.bootstrap,
        kafka_topic_events=f"bench.{tag}",
        kafka_topic_deadletter=f"bench.{tag}.dlq",
        kafka_group_id=f"bench-{tag}",
        kafka_topic_partitions=4,
        kafka_session_timeout_ms=6000,
        kafka_heartbeat_interval_ms=2000,
        store_path=Path(store_dir),
    )


def wait_assigned(processor: Processor, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not processor.assignment() and time.monotonic() < deadline:
        processor.run_once(max_wait_s=0.1)


def drain(broker: Tansu, store: Store, store_dir: str, n_events: int) -> None:
    streams = 20
    per_stream = n_events // streams
    print(f"building {streams * per_stream} events as segments of 100 ...", flush=True)
    segments: list[Segment] = []
    all_events: list[dict[str, Any]] = []
    for s in range(streams):
        chain = build_chain(per_stream, f"svc.{s:016x}")
        all_events.extend(chain)
        head: Head | None = None
        for i in range(0, per_stream, 100):
            seg, head = segments_of(chain[i : i + 100], head)
            segments.append(seg)
    settings = settings_for(broker, store_dir, "drain")
    sink = KafkaSink(settings.kafka_options())
    t0 = time.perf_counter()
    for i in range(0, len(segments), 50):
        sink.deliver(segments[i : i + 50])
    sink.close()
    produce_s = time.perf_counter() - t0

    # baseline: insert_df of the same rows into an identical table in another database
    import pandas as pd

    migrate(store._client, "bench_raw")
    frame = pd.DataFrame(
        [event_to_row(e, "") for e in all_events], columns=list(EVENT_COLUMN_NAMES)
    )
    t0 = time.perf_counter()
    for i in range(0, len(frame), BATCH_ROWS):
        store._client.insert_df("bench_raw.events", frame.iloc[i : i + BATCH_ROWS])
    raw_s = time.perf_counter() - t0

    processor = Processor(settings, store)
    first: float | None = None
    deadline = time.monotonic() + 300
    while processor.metrics.value("tooltrail_pipeline_events_inserted_total") < len(all_events):
        started = time.perf_counter()
        if processor.run_once(max_wait_s=0.05) and first is None:
            first = started
        if time.monotonic() > deadline:
            break
    end = time.perf_counter()
    done = int(processor.metrics.value("tooltrail_pipeline_events_inserted_total"))
    flushes = processor.metrics.value("tooltrail_pipeline_flushes_total")
    flush_sum = processor.metrics.value("tooltrail_pipeline_flush_seconds_sum")
    processor.close()
    drain_s = end - (first or end)
    n = len(all_events)
    print(f"\n-- drain: {n} events in {len(segments)} segments of 100, 4 partitions --")
    print(f"produce (KafkaSink)               {n / produce_s:>10,.0f} events/s")
    block = f"baseline insert_df ({BATCH_ROWS}/block)"
    print(f"{block:<34}{n / raw_s:>10,.0f} rows/s")
    print(
        f"processor topic → store           {done / drain_s:>10,.0f} events/s "
        f"({done} events, {drain_s:.2f} s, {flushes:.0f} flushes, "
        f"{1000 * flush_sum / max(flushes, 1):.1f} ms per flush)"
    )


def produce_steadily(options: KafkaOptions, rate: int, seconds: float, per_segment: int) -> None:
    """(Child process) segments of fresh events, ``ts`` = creation time, at ``rate`` events/s."""
    sink = KafkaSink(options)
    streams = [f"lat.{s:016x}" for s in range(10)]
    heads: dict[str, Head | None] = dict.fromkeys(streams)
    prev = dict.fromkeys(streams, GENESIS_HASH)
    seqs = dict.fromkeys(streams, 0)
    template = build_chain(1, "lat.0000000000000000")[0]
    interval = per_segment / rate
    start = next_at = time.perf_counter()
    i = 0
    while time.perf_counter() - start < seconds:
        stream = streams[i % len(streams)]
        i += 1
        events = []
        for _ in range(per_segment):
            seq = seqs[stream]
            ev = {k: v for k, v in template.items() if k not in ("hash", "prev_hash")}
            ev["event_id"] = f"0190c0de-0000-7000-8000-{seq:012x}"
            ev["ts"] = time.time_ns() // 1000
            seal(ev, stream, seq, prev[stream])
            prev[stream], seqs[stream] = ev["hash"], seq + 1
            events.append(ev)
        seg, heads[stream] = segments_of(events, heads[stream])
        sink.deliver([seg])
        next_at += interval
        time.sleep(max(next_at - time.perf_counter(), 0))
    sink.close()


def latency(broker: Tansu, store: Store, store_dir: str, rate: int, seconds: float) -> None:
    settings = settings_for(broker, store_dir, "latency")
    processor = Processor(settings, store)
    wait_assigned(processor)
    per_segment = 50
    child = multiprocessing.get_context("spawn").Process(
        target=produce_steadily, args=(settings.kafka_options(), rate, seconds, per_segment)
    )
    latencies: list[float] = []
    seen: dict[str, int] = {f"lat.{s:016x}": -1 for s in range(10)}
    # only {placeholders} are interpolated; the values travel as query parameters
    probe = "SELECT stream_id, seq, ts FROM tooltrail.events WHERE " + " OR ".join(  # noqa: S608
        f"(stream_id = {{s{i}:String}} AND toInt64(seq) > {{q{i}:Int64}})" for i in range(len(seen))
    )
    child.start()
    idle_since: float | None = None
    while idle_since is None or time.monotonic() - idle_since < 1.0:
        processor.run_once(max_wait_s=0.02)
        params: dict[str, Any] = {}
        for i, (stream, top) in enumerate(seen.items()):
            params[f"s{i}"], params[f"q{i}"] = stream, top
        rows = store._client.query(probe, parameters=params)
        now_us = time.time_ns() // 1000
        for stream, seq, ts in rows.result_rows:
            latencies.append((now_us - int(ts)) / 1e6)
            seen[stream] = max(seen[stream], int(seq))
        if child.is_alive() or rows.result_rows:
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
    child.join()
    processor.close()
    latencies.sort()
    q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))]  # noqa: E731
    print(f"\n-- event → queryable at {rate} events/s for {seconds:.0f} s (segments of 50) --")
    print(f"events seen queryable {len(latencies)} (producer exit code {child.exitcode})")
    if latencies:
        print(
            f"latency  p50 {q(0.5) * 1000:7.1f} ms   p90 {q(0.9) * 1000:7.1f} ms   "
            f"p99 {q(0.99) * 1000:7.1f} ms   max {latencies[-1] * 1000:7.1f} ms   "
            f"mean {statistics.fmean(latencies) * 1000:7.1f} ms"
        )


def main() -> None:
    global BATCH_ROWS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rate", type=int, default=None, help="5000 (--kafka: 30000)")
    parser.add_argument("--seconds", type=float, default=None, help="10 (--kafka: 300)")
    parser.add_argument("--batch-rows", type=int, default=BATCH_ROWS)
    parser.add_argument("--kafka", action="store_true", help="end to end, over Tansu")
    parser.add_argument("--emitters", type=int, default=4, help="--kafka: emitter processes")
    parser.add_argument("--profile", action="store_true", help="--kafka: py-spy the services")
    parser.add_argument(
        "--no-baseline", action="store_true", help="--kafka: skip the infrastructure-alone run"
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    BATCH_ROWS = args.batch_rows
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    if args.kafka:
        from benchmarks.pipeline_kafka import run

        run(
            args.rate or 30_000,
            args.seconds or 300.0,
            args.emitters,
            args.profile,
            not args.no_baseline,
        )
        return
    args.rate, args.seconds = args.rate or 5_000, args.seconds or 10.0
    with tempfile.TemporaryDirectory(prefix="tt-bench-") as store_dir, Tansu("memory") as broker:
        settings = settings_for(broker, store_dir, "drain")
        store = open_store(settings.store_config())
        try:
            store.migrate()
            drain(broker, store, store_dir, args.events)
            latency(broker, store, store_dir, args.rate, args.seconds)
        finally:
            store.close()


if __name__ == "__main__":
    main()
