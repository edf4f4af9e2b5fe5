"""CPU per event of the collector's and the processor's own work, in process, old code vs new.

    python benchmarks/ingest_cpu.py [--events 20000] [--rounds 3] [--old DIR] [--store]

Each side runs in a child process, one thread, timed with ``time.process_time`` (the machine is
shared: CPU time, not wall clock); with ``--old DIR`` (an importable ``tooltrail`` tree of the
code to compare against, e.g. built from ``git archive``) the old and the new code run in turn,
``--rounds`` times, and the median of each is printed with the ratio.

- collector: ``parse_batch`` (orjson, the contract's validation, hashes) + ``verify_batch``
  (chain, the segment's body) + the record's MAC (when the code has one), batches of 100 events
  of ~1.3 KB (the events of ``benchmarks/collector.py``);
- processor: ``decode_segment`` of those bodies, in 20k-event buffers, and the ``events``
  table's columns; with ``--store`` the whole ``Store.insert_segments`` into a chDB store
  instead (chDB's own work included: it runs in the processor's process), where code that can
  hands a trusted clean run to chDB unparsed (``split_run``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
KEY = b"k" * 32


def _bodies(n_events: int) -> list[bytes]:
    sys.path.insert(0, str(HERE))
    from collector import EVENTS_PER_BATCH, make_stream

    per_stream = 50
    bodies: list[bytes] = []
    index = 0
    while len(bodies) * EVENTS_PER_BATCH < n_events:
        bodies += make_stream(index, per_stream)
        index += 1
    return bodies[: max(n_events // EVENTS_PER_BATCH, 1)]


def _collector(bodies: list[bytes]) -> tuple[float, list[tuple[bytes, dict[str, bytes]]]]:
    """CPU seconds for the collector's steps over ``bodies``; the records it would produce."""
    from tooltrail.collector.ingest import parse_batch, verify_batch

    try:  # the new code seals its records
        from tooltrail.broker import RecordKey

        key: Any = RecordKey(KEY)
    except ImportError:
        key = None
    heads: dict[str, Any] = {}
    records: list[tuple[bytes, dict[str, bytes]]] = []
    started = time.process_time()
    for raw in bodies:
        batch = parse_batch(raw)
        stream = batch.stream_id or ""
        verdict = verify_batch(batch, heads.get(stream), {}, source="bench")
        heads[stream] = verdict.head
        assert verdict.segment is not None
        assert not verdict.findings
        body = verdict.segment.body
        records.append((body, {"mac": key.mac(body)} if key is not None else {}))
    return time.process_time() - started, records


def _processor(records: list[tuple[bytes, dict[str, bytes]]], store_dir: str | None) -> float:
    """CPU seconds for decode + columns (+ the insert with a store) over ``records``."""
    import gc

    from tooltrail.pipeline import segments as seg_mod

    try:
        from tooltrail.pipeline.store.columns import events_to_columns
    except ImportError:  # older code
        from tooltrail.pipeline.store.rows import events_to_columns  # type: ignore[attr-defined]

    gc.freeze()
    decode: Any = seg_mod.decode_segment
    trusted = "trusted" in decode.__code__.co_varnames
    # with a store, a trusted clean run is handed to chDB unparsed (when the code can)
    split: Any = getattr(seg_mod, "split_run", None) if store_dir is not None else None
    store = None
    if store_dir is not None:
        from tooltrail.pipeline.store import StoreConfig, open_store

        store = open_store(StoreConfig(path=store_dir))
        store.migrate()
    buffer = 20_000
    started = time.process_time()
    pending: list[Any] = []
    rows = 0
    for body, _headers in records:
        segment = (split and split(body)) or (
            decode(body, trusted=True) if trusted else decode(body)
        )
        pending.append(segment)
        rows += segment.n if hasattr(segment, "n") else len(segment.events)
        if rows >= buffer:
            _flush(pending, store, events_to_columns)
            pending, rows = [], 0
    if pending:
        _flush(pending, store, events_to_columns)
    spent = time.process_time() - started
    if store is not None:
        store.close()
    return spent


def _flush(pending: list[Any], store: Any, events_to_columns: Any) -> None:
    if store is not None:
        store.insert_segments(pending)
    else:
        events_to_columns([e for s in pending for e in s.events])


def child(n_events: int, with_store: bool) -> dict[str, float]:
    bodies = _bodies(n_events)
    events = len(bodies) * 100
    collector_s, records = _collector(bodies)
    with tempfile.TemporaryDirectory() as tmp:
        processor_s = _processor(records, tmp if with_store else None)
    return {"collector": collector_s / events * 1e6, "processor": processor_s / events * 1e6}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--events", type=int, default=20_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--old", help="an importable tooltrail tree to compare against")
    p.add_argument("--store", action="store_true", help="include the chDB insert")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.events, args.store)))
        return
    sides = {"new": None} if args.old is None else {"old": args.old, "new": None}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    argv = [sys.executable, __file__, "--child", "--events", str(args.events)]
    argv += ["--store"] if args.store else []
    for _ in range(args.rounds):
        for name, path in sides.items():
            env = dict(os.environ)
            if path is not None:
                env["PYTHONPATH"] = path
            out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
            results[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"µs CPU per event, median of {args.rounds} (each run: {args.events} events)")
    for stage in ("collector", "processor"):
        line = [f"{stage:10}"]
        for name in sides:
            runs = [r[stage] for r in results[name]]
            line.append(f"{name} {statistics.median(runs):6.2f} ({min(runs):.2f}-{max(runs):.2f})")
        if "old" in results:
            old = statistics.median(r[stage] for r in results["old"])
            new = statistics.median(r[stage] for r in results["new"])
            line.append(f"new/old {new / old:.2f}")
        print("  ".join(line))


if __name__ == "__main__":
    main()
