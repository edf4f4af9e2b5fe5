"""to_frame(): the store's column names, and the values the real emitter records."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from tooltrail.emitter import Emitter, MemoryTransport
from tooltrail.simulator import FRAME_COLUMNS, SimCall, SimConfig, record, simulate, to_frame

KEY = b"frame-test-key"


def record_through_emitters(calls: list[SimCall], root: Path) -> list[dict[str, Any]]:
    """Record ``calls`` with real emitters (one per server, event-time clock) as ``drive``
    does, without the collector; the events they would ship."""
    now = [0]
    transports: dict[str, MemoryTransport] = {}
    emitters: dict[str, Emitter] = {}
    for server in sorted({c.server for c in calls}):
        transports[server] = MemoryTransport()
        emitters[server] = Emitter(
            source_name=server,
            spool_dir=root / server,
            transport=transports[server],
            fingerprint_key=KEY,
            flush_interval=0.01,
            clock=lambda: now[0],
        )
    for c in calls:
        now[0] = c.ts
        record(emitters[c.server], c)
    events = []
    for server, em in emitters.items():
        assert em.flush(30)
        em.close()
        for body in transports[server].received:
            events += json.loads(body)["events"]
    return sorted(events, key=lambda e: (e["ts"], e["source"]["name"], e["seq"]))


def test_frame_has_the_store_columns_and_one_row_per_call() -> None:
    sim = simulate(SimConfig(users=3, days=1, scenarios=("privilege_probing",)))
    frame = to_frame(sim, fingerprint_key=KEY)
    assert tuple(frame.columns) == FRAME_COLUMNS
    assert len(frame) == len(sim.calls)
    assert frame["event_id"].is_unique
    assert list(frame["event_id"]) == sorted(frame["event_id"])  # time-ordered ids
    for name in ("ts", "duration_us", "args_bytes", "result_bytes"):
        assert str(frame[name].dtype) == "int64"
    resources = frame[frame["method"] == "resources/read"]
    assert (resources["tool"] == "").all()
    assert set(frame["source_kind"]) == {"server"}
    assert (frame["label"] != "").sum() == sum(i.calls for i in sim.incidents) + sum(
        b.calls for b in sim.benign_bursts
    )
    assert (
        to_frame(sim, fingerprint_key=b"another key")["args_fingerprint"][0]
        != (frame["args_fingerprint"][0])
    )


def test_frame_values_equal_what_the_real_emitter_records(tmp_path: Path) -> None:
    sim = simulate(SimConfig(users=2, days=1, scenarios=("stolen_key_new_client",), new_users=0))
    calls = sim.calls[:300] + [c for c in sim.calls if c.label][:40]
    secret = replace(  # redaction changes the stored URI and the fingerprinted arguments
        calls[0],
        ts=calls[0].ts + 1,
        method="resources/read",  # the one method whose resource a server records as such
        tool=None,
        resource_uri="https://api.example.com/v1?token=abcd1234efgh5678",
        args={"url": "https://api.example.com/v1", "api_key": "sk-live-0123456789abcdef"},
    )
    statement = replace(  # a SQL statement's verbs are recorded, the statement is not
        calls[1],
        ts=calls[1].ts + 1,
        tool="run_query",
        resource_uri=None,
        args={"query": "SELECT 1; DELETE FROM payroll WHERE year < 2020"},
    )
    calls = sorted([*calls, secret, statement], key=lambda c: c.ts)
    events = record_through_emitters(calls, tmp_path)
    frame = to_frame(calls, fingerprint_key=KEY)
    frame = frame.sort_values(["ts", "source_name"], kind="stable").reset_index(drop=True)
    assert len(events) == len(frame)
    got = [
        (
            e["ts"],
            e["source"]["name"],
            e["mcp.method.name"],
            e.get("gen_ai.tool.name", ""),
            e.get("mcp.resource.uri", ""),
            e["actor"]["user"],
            e["actor"]["agent"],
            e["actor"]["client"],
            e["actor"]["client_version"],
            e["mcp.session.id"],
            e["trace_id"],
            e["outcome"],
            e.get("error.type", ""),
            e["duration_us"],
            e["args_bytes"],
            e["result_bytes"],
            e["args_fingerprint"],
            e.get("attrs", {}).get("tooltrail.resource", ""),  # a tool call's derived resource
            e.get("attrs", {}).get("tooltrail.tool.hints", ""),  # none: no annotations here
            e.get("attrs", {}).get("tooltrail.call.effect", ""),  # a SQL statement's verbs
        )
        for e in events
    ]
    skip = ("event_id", "source_kind", "server_address", "label")
    columns = [c for c in FRAME_COLUMNS if c not in skip]
    want = [tuple(row) for row in frame[columns].itertuples(index=False)]
    assert any(row[-3] for row in want)  # tool calls carry derived resources, not raw URIs
    assert [row[-1] for row in want if row[-1]] == ["destructive"]  # a statement's verbs
    assert got == want
    redacted = [e for e in events if e.get("redactions")]
    assert len(redacted) == 1
    assert "abcd1234efgh5678" not in redacted[0]["mcp.resource.uri"]
