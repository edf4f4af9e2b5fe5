"""How long the contract's ``verify`` takes: a plain stream, and the same with a 2^53 seq gap.

    python benchmarks/verify.py [--events 20000]

The walk is linear in the events given, whatever their seq values: the gap row must cost about
what the plain row costs (before the one walker, a 2^53 gap built a list over the whole gap:
years). Also the incremental walk in collector-sized batches (500 events from a head).
"""

from __future__ import annotations

import argparse
import copy
import time
from typing import Any

from tooltrail.contract import (
    GENESIS_HASH,
    SPEC_VERSION,
    ChainWalker,
    Signer,
    checkpoint_body,
    hash_events,
    seal,
    verify,
)

SID = "bench.0123456789abcdef"


def chain(n: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    prev = GENESIS_HASH
    for seq in range(n):
        e: dict[str, Any] = {
            "v": SPEC_VERSION,
            "event_id": f"0190c0de-0000-7000-8000-{seq:012x}",
            "ts": 1_764_000_000_000_000 + seq * 1000,
            "source": {"kind": "server", "name": "bench", "hostname": "h1"},
            "actor": {"user": f"u{seq % 3}"},
            "mcp.method.name": "tools/call",
            "gen_ai.tool.name": "read_file",
            "outcome": "ok",
            "duration_us": 100 + seq,
        }
        seal(e, SID, seq, prev)
        prev = e["hash"]
        events.append(e)
    return events


def timed(label: str, fn: Any) -> Any:
    t0 = time.perf_counter()
    out = fn()
    print(f"{label:<48} {(time.perf_counter() - t0) * 1000:9.1f} ms")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20_000)
    n = ap.parse_args().events
    signer = Signer(bytes(range(32)))
    events = chain(n)
    head = events[-1]
    cps = [signer.sign(checkpoint_body(SID, head["seq"], head["hash"], head["ts"]))]
    keys = [signer.public_key]
    timed(f"verify, {n} events", lambda: verify(events, cps, keys))
    gapped = copy.deepcopy(events)
    prev = gapped[n // 2 - 1]
    for k, e in enumerate(gapped[n // 2 :]):
        seal(e, SID, 2**53 + k, prev["hash"])
        prev = e
    report = timed(
        f"verify, {n} events, a 2^53 gap at seq {n // 2}",
        lambda: verify(gapped, raise_on_break=False),
    )
    print(f"  first finding: {report.findings[0]}")

    def batched() -> None:
        walker = ChainWalker(SID)
        for at in range(0, n, 500):
            batch = events[at : at + 500]
            hashes, _ = hash_events(batch)
            step = ChainWalker(SID, walker.head.seq, walker.head.hash).feed(batch, hashes)
            walker = ChainWalker(SID, step.head.seq, step.head.hash)

    timed(f"walk in 500-event batches (hash_events incl.), {n}", batched)


if __name__ == "__main__":
    main()
