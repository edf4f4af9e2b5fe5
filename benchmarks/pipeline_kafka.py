"""End to end over Kafka: emitters → collector → Tansu → processor → store, at a target rate.

    python benchmarks/pipeline.py --kafka [--rate 30000] [--seconds 300] [--emitters 4] [--profile]

Every part is its own process, as deployed: ``--emitters`` processes each record MCP calls with
the real :class:`~tooltrail.emitter.Emitter` (spool, chain, shipper) at ``rate / emitters``
calls/s and ship them to the collector (uvicorn, one worker), which verifies them
and produces them to a local Tansu broker (``acks=all``); one processor consumes them into an
embedded chDB store. Prints events recorded (and the rate the emitters kept while recording),
shipped (acknowledged by the collector; the rate end to end, until the emitters' spools were
empty) and stored; CPU per process (user + system, % of one core over the run, µs per event
stored); the collector and the processor share a record key (``broker/recordmac.py``); and the loss
check: every event recorded must be in the store exactly once (``count()`` and
``uniqExact(stream_id, seq)``, once the processor has caught up). A call whose event a full
spool refused was never recorded (no seq, no gap in the chain: ``stats()["dropped"]``, not part
of ``recorded``): it is counted apart, as the emitters shedding load because the pipeline
behind them did not keep up — a run with any is not lossless at that rate. With
``--profile`` (needs py-spy) the collector and the processor are sampled for 15 s mid-run and
their busiest functions printed, which names the bottleneck.

Same-run baseline (first, unless ``--no-baseline``): **the infrastructure alone** at the same
rate, for the same time, with the same number of processes — producers that send events of
the same size (prebuilt, 100 per record, as the collector's segments) straight to Tansu with
kafka-python (``acks=all``), and one consumer (partitions assigned, no group) that inserts
what it fetched once a second into a plain MergeTree table of chDB (``JSONAsString``, stream
and seq extracted). No emitter, HTTP, validation, chain or contract: what the broker and the
store cost on this machine. Printed: its end-to-end rate and CPU per process, and tooltrail's
rate as a ratio of it.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests' broker helper

import _spy  # noqa: E402

from tests._infra.tansu import Tansu, free_port  # noqa: E402

TOPIC = "bench.e2e.events"
#: collector and processor share it, as deployed: the processor takes the collector's records
#: without validating each event again, and would quarantine anyone else's
RECORD_KEY = "bench-record-key-0123456789abcdef"
TICKS = os.sysconf("SC_CLK_TCK")


def _collector(env: dict[str, str]) -> None:
    os.environ.update(env)
    import uvicorn

    from tooltrail.collector.cli import build_app
    from tooltrail.collector.settings import Settings

    settings = Settings()
    app = build_app(settings, startup_timeout=20)
    uvicorn.run(app, host="127.0.0.1", port=settings.port, log_level="warning", access_log=False)


def _processor(bootstrap: str, store_dir: str, expect: Any, out: Any) -> None:
    import threading

    from tooltrail.pipeline.processor import Processor
    from tooltrail.pipeline.settings import PipelineSettings
    from tooltrail.pipeline.store import open_store

    os.environ["TOOLTRAIL_PIPELINE_KAFKA_RECORD_KEY"] = RECORD_KEY
    settings = PipelineSettings(
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_events=TOPIC,
        kafka_topic_deadletter=TOPIC + ".dlq",
        kafka_group_id="bench-e2e",
        kafka_topic_partitions=4,
        kafka_session_timeout_ms=6000,
        kafka_heartbeat_interval_ms=2000,
        store_path=Path(store_dir),
    )
    store = open_store(settings.store_config())
    store.migrate()
    processor = Processor(settings, store)
    done = threading.Event()
    thread = threading.Thread(target=processor.run, args=(done,))
    thread.start()
    want = expect.get()  # once the emitters are done: every event they recorded
    inserted = "tooltrail_pipeline_events_inserted_total"
    last, idle_since = -1.0, time.monotonic()
    while time.monotonic() - idle_since < 30:  # until all are in, or 30 s without progress
        now = processor.metrics.value(inserted)
        if now >= want:
            break
        if now != last:
            last, idle_since = now, time.monotonic()
        time.sleep(0.5)
    done.set()
    thread.join()
    processor.close()
    db = store.database
    row = store.query_df(
        f"SELECT count() AS n, uniqExact(stream_id, seq) AS u FROM {db}.events"  # noqa: S608
    ).iloc[0]
    out.put((int(row["n"]), int(row["u"]), time.process_time()))
    store.close()


def _emitter(url: str, token: str, spool: str, rate: float, seconds: float, out: Any) -> None:
    from tooltrail.emitter import Emitter

    emitter = Emitter(
        source_name="bench", spool_dir=spool, collector_url=url, api_key=token, signing_key=None
    )
    start = time.monotonic()
    n = 0
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(elapsed * rate) + 1
        while n < due:
            with emitter.record("tools/call", tool=f"tool{n % 7}", request_id=f"r{n}"):
                pass
            n += 1
        time.sleep(0.005)
    emitter.flush(max(300.0, 3 * seconds))
    stats = emitter.stats()
    emitter.close()
    acked = stats["shipper"]["events_acked"]
    unshipped = max(0, stats["recorded"] - acked)  # a dropped call was never recorded
    out.put((stats["recorded"], acked, stats["dropped"], time.process_time(), unshipped))


RAW_TOPIC = "bench.e2e.raw"
RAW_PER_RECORD = 100


def _sample_event() -> bytes:
    """One event as the emitter ships it (a recorded call like the emitters' below)."""
    import orjson

    from tooltrail.emitter import Emitter, MemoryTransport

    transport = MemoryTransport()
    emitter = Emitter(
        source_name="bench", spool_dir=tempfile.mkdtemp(), transport=transport, signing_key=None
    )
    with emitter.record("tools/call", tool="tool1", request_id="r1"):
        pass
    emitter.flush(10)
    emitter.close()
    event = orjson.loads(transport.received[0])["events"][0]
    event.pop("seq")
    return orjson.dumps(event)


def _raw_producer(
    bootstrap: str, index: int, event: bytes, rate: float, seconds: float, out: Any
) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_request_size=8 << 20
    )
    head = b'{"stream_id":"raw%d","seq":' % index
    tail = b"," + event[1:]

    def send(count: int) -> int:
        value = b"\n".join(head + b"%d" % seq + tail for seq in range(n, n + count))
        producer.send(RAW_TOPIC, value=value, partition=index % 4)
        return count

    start = time.monotonic()
    n = 0
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(elapsed * rate) + 1
        while due - n >= RAW_PER_RECORD:
            n += send(RAW_PER_RECORD)
        time.sleep(0.005)
    if due > n:
        n += send(due - n)
    producer.flush()
    producer.close()
    out.put((n, time.process_time()))


def _raw_consumer(bootstrap: str, store_dir: str, expect: Any, out: Any) -> None:
    from kafka import KafkaConsumer, TopicPartition

    from tooltrail.pipeline.store import StoreConfig, open_store

    store = open_store(StoreConfig(path=store_dir))
    store.command("CREATE DATABASE IF NOT EXISTS raw")
    store.command(
        "CREATE TABLE raw.events (stream_id String, seq UInt64, body String)"
        " ENGINE = MergeTree ORDER BY (stream_id, seq)"
    )
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, max_partition_fetch_bytes=8 << 20
    )
    consumer.assign([TopicPartition(RAW_TOPIC, p) for p in range(4)])
    consumer.seek_to_beginning()
    path = os.path.join(store_dir, "raw.jsonl")
    want: int | None = None
    got, idle_since = 0, time.monotonic()
    while time.monotonic() - idle_since < 30:
        if want is None and not expect.empty():
            want = expect.get()
        if want is not None and got >= want:
            break
        values = [r.value for rs in consumer.poll(1000, max_records=100_000).values() for r in rs]
        if not values:
            continue
        with open(path, "wb") as f:
            f.write(b"\n".join(values))
        store.command(
            "INSERT INTO raw.events SELECT JSONExtractString(json, 'stream_id'),"  # noqa: S608
            f" JSONExtractUInt(json, 'seq'), json FROM file('{path}', 'JSONAsString')"
        )
        got += sum(v.count(b"\n") + 1 for v in values)
        idle_since = time.monotonic()
    consumer.close()
    row = store.query_df("SELECT count() AS n, uniqExact(stream_id, seq) AS u FROM raw.events")
    out.put((int(row.iloc[0]["n"]), int(row.iloc[0]["u"]), time.process_time()))
    store.close()


def baseline(rate: int, seconds: float, producers: int) -> float:
    """The infrastructure alone (module docstring); returns its end-to-end events/s."""
    from tooltrail.broker.options import KafkaOptions
    from tooltrail.broker.topics import ensure_topics

    ctx = mp.get_context("spawn")
    tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-raw-"))
    event = _sample_event()
    with Tansu("memory") as broker:
        ensure_topics(KafkaOptions(bootstrap_servers=broker.bootstrap, partitions=4), [RAW_TOPIC])
        expect, store_out, results = ctx.Queue(), ctx.Queue(), ctx.Queue()
        consumer = ctx.Process(
            target=_raw_consumer, args=(broker.bootstrap, str(tmp / "store"), expect, store_out)
        )
        consumer.start()
        procs = [
            ctx.Process(
                target=_raw_producer,
                args=(broker.bootstrap, i, event, rate / producers, seconds, results),
            )
            for i in range(producers)
        ]
        cpu0 = _cpu(broker.pid or 0)
        t0 = time.monotonic()
        for p in procs:
            p.start()
        produced = [results.get() for _ in procs]
        sent = sum(n for n, _ in produced)
        expect.put(sent)
        stored, unique, consumer_cpu = store_out.get(timeout=seconds + 120)
        elapsed = time.monotonic() - t0
        tansu_cpu = _cpu(broker.pid or 0) - cpu0
        consumer.join(30)
        for p in procs:
            p.join(30)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"BASELINE, the infrastructure alone: target {rate:,} events/s for {seconds:.0f} s,"
          f" {producers} producer processes, {len(event):,}-byte events")  # fmt: skip
    print(f"produced {sent:,}; stored {unique:,} distinct of them after {elapsed:.0f} s"
          f" ({unique / elapsed:,.0f}/s end to end)"
          f"{'' if unique == sent else f', {sent - unique:,} NOT STORED'}"
          f"{'' if stored == unique else f', {stored - unique:,} duplicates'}")  # fmt: skip
    cpus = {"producers": sum(c for _, c in produced), "tansu": tansu_cpu, "consumer": consumer_cpu}
    for name, used in cpus.items():
        print(
            f"cpu {name:<10} {used:7.1f} s  {used / elapsed:6.0%} of one core"
            f"  {used / max(unique, 1) * 1e6:5.1f} µs per event stored"
        )
    return unique / elapsed


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its threads."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def run(
    rate: int, seconds: float, emitters: int, profile: bool, with_baseline: bool = True
) -> None:
    from tooltrail.collector.auth import KeyStore

    base = baseline(rate, seconds, emitters) if with_baseline else None

    ctx = mp.get_context("spawn")
    tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    keys = KeyStore(tmp / "keys.json")
    _, token = keys.create("bench")
    port = free_port()
    with Tansu("memory") as broker:
        env = {
            "TOOLTRAIL_COLLECTOR_PORT": str(port),
            "TOOLTRAIL_COLLECTOR_KEYS_FILE": str(keys.path),
            "TOOLTRAIL_COLLECTOR_RATE_EVENTS_PER_SECOND": "1e9",
            "TOOLTRAIL_COLLECTOR_RATE_BURST_EVENTS": "1e9",
            "TOOLTRAIL_COLLECTOR_LOG_LEVEL": "warning",
            "TOOLTRAIL_COLLECTOR_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
            "TOOLTRAIL_COLLECTOR_KAFKA_TOPIC_EVENTS": TOPIC,
            "TOOLTRAIL_COLLECTOR_KAFKA_TOPIC_PARTITIONS": "4",
            "TOOLTRAIL_COLLECTOR_KAFKA_RECORD_KEY": RECORD_KEY,
        }
        collector = ctx.Process(target=_collector, args=(env,), daemon=True)
        collector.start()
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("collector did not start") from None
                time.sleep(0.2)
        expect, store_out = ctx.Queue(), ctx.Queue()
        store_dir = str(tmp / "store")
        processor = ctx.Process(
            target=_processor, args=(broker.bootstrap, store_dir, expect, store_out)
        )
        processor.start()
        time.sleep(8)  # the group join (Tansu holds the first JoinGroup a few seconds)
        results = ctx.Queue()
        url = f"http://127.0.0.1:{port}/v1/events"
        procs = [
            ctx.Process(
                target=_emitter,
                args=(url, token, str(tmp / f"spool{i}"), rate / emitters, seconds, results),
            )
            for i in range(emitters)
        ]
        pids = {"tansu": broker.pid or 0, "collector": collector.pid or 0}
        pids["processor"] = processor.pid or 0
        cpu0 = {name: _cpu(pid) for name, pid in pids.items()}
        t0 = time.monotonic()
        for p in procs:
            p.start()
        spies: list[tuple[str, str, subprocess.Popen[bytes] | None]] = []
        if profile:
            time.sleep(min(seconds / 3, 30))
            for name in ("collector", "processor"):
                path = str(tmp / f"{name}.raw")
                spies.append((name, path, _spy.record(pids[name], path, 15, gil=True)))
        emitted = [results.get() for _ in procs]  # each once flushed
        elapsed = time.monotonic() - t0
        for p in procs:
            p.join(30)
        expect.put(sum(r[0] for r in emitted))  # recorded (a call a full spool refused is not)
        processor.join(300)
        cpu1 = {name: _cpu(pid) for name, pid in pids.items()}
        stored, unique, cpu1["processor"] = store_out.get(timeout=60)
        collector.terminate()
        collector.join(10)
    recorded = sum(r[0] for r in emitted)
    acked = sum(r[1] for r in emitted)
    dropped = sum(r[2] for r in emitted)
    unshipped = sum(r[4] for r in emitted)
    print(f"target {rate:,} events/s for {seconds:.0f} s, {emitters} emitter processes")
    print(f"recorded {recorded:,} ({recorded / seconds:,.0f}/s while recording); shipped after"
          f" {elapsed:.0f} s ({acked / elapsed:,.0f}/s end to end); NOT recorded (refused by full"
          f" spools: the emitters shed load) {dropped:,}; still in the spools (not shipped in"
          f" time) {unshipped:,}")  # fmt: skip
    print(f"stored {stored:,} rows, {unique:,} distinct (stream, seq) of {recorded:,} recorded: "
          f"{'none lost' if unique == recorded else f'{recorded - unique:,} NOT STORED'}"
          f"{'' if stored == unique else f', {stored - unique:,} duplicates'}")  # fmt: skip
    cpu = {name: cpu1[name] - cpu0[name] for name in pids}
    cpu["emitters"] = sum(r[3] for r in emitted)
    for name, used in cpu.items():
        per_event = used / max(unique, 1) * 1e6
        print(
            f"cpu {name:<10} {used:7.1f} s  {used / elapsed:6.0%} of one core"
            f"  {per_event:5.1f} µs per event stored"
        )
    if base:
        print(f"end to end: tooltrail {acked / elapsed:,.0f}/s against the infrastructure alone"
              f" {base:,.0f}/s: ratio {acked / elapsed / base:.2f}")  # fmt: skip
    for name, path, spy in spies:
        if spy is not None:
            spy.wait(60)
            print(f"-- {name}: where the GIL is held (py-spy, 15 s)")
            print("\n".join(_spy.top(path)))
    shutil.rmtree(tmp, ignore_errors=True)
