"""Run as a script: record the same calls (fixed clock, seeded ids) and print the events the
collector would receive, with or without orjson (``stdlib``: the emitter seals through the
compiled per-shape encoder first). Used by ``test_seal_paths``."""

from __future__ import annotations

import json
import random
import sys
import tempfile
from pathlib import Path

if sys.argv[1] == "stdlib":
    sys.modules["orjson"] = None  # type: ignore[assignment]  # import fails: stdlib-only

from tooltrail.emitter import Actor, Emitter, MemoryTransport, _emitter


def main() -> None:
    random.seed(7)
    transport = MemoryTransport()
    em = Emitter(
        source_name="fs-server",
        spool_dir=Path(tempfile.mkdtemp()) / "spool",
        transport=transport,
        signing_key=None,
        fingerprint_key=b"deployment-key",
        clock=lambda: 1_765_000_000_000_000,
        flush_interval=0.02,
        checkpoint_idle=0,
    )
    actor = Actor(user="u-17", client="cursor", client_version="2.1")
    calls = [
        ({"path": "/srv/a.csv", "limit": 3}, {"request_id": 1, "trace_id": "ab" * 16}),
        ({"path": "/srv/ü.csv"}, {"request_id": 'x"y', "attrs": {"n": [1, {"b": None}]}}),
        ({"q": "token ghp_" + "aB3" * 12}, {"transport": "stdio", "protocol_version": "v1"}),
        ({"path": "/srv/a.csv"}, {"trace_id": "NOT-HEX", "span_id": "1" * 16}),  # repaired
        ({"x": 1.5}, {"attrs": {"ratio": 0.1}}),  # not plain: the general encoder
        ({}, {"server_address": "example.internal:8443", "tools_hash": "c" * 64}),
    ]
    for args, fields in calls:
        with em.record("tools/call", tool="read_file", args=args, actor=actor, **fields) as c:
            c.set_duration_us(5)
            c.set_result_bytes(10)
    em.flush(10)
    events = [e for body in transport.received for e in json.loads(body)["events"]]
    out = {"checked": _emitter._CHECKED_FIRST, "events": events, "stats": em.stats()}
    em.close()
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
