"""Chained events for the export tests, some with hostile values (pipes, backslashes, ``=``,
line breaks) in every free-text field a format carries, stored through the store's own path."""

from __future__ import annotations

from typing import Any

from tooltrail.contract import GENESIS_HASH, SPEC_VERSION, seal
from tooltrail.pipeline.segments import DecodedSegment
from tooltrail.pipeline.store import Store

__all__ = ["HOSTILE", "make_stream", "store_stream"]

START = 1_764_000_000_000_000
HOSTILE = "a|b\\c=d\ne\rf \\n|=\\|"


def make_stream(
    n: int, name: str = "svc", *, hostile: bool = False, start_seq: int = 0,
    prev: str = GENESIS_HASH, stream_id: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """``n`` sealed version-2 events of one stream; with ``hostile`` the text fields carry
    CEF's and JSON's special characters."""
    tag = sum(map(ord, name)) % 65536  # distinct per name in these tests
    sid = stream_id or f"{name}.001122334455{tag:04x}"
    out = []
    for i in range(n):
        seq = start_seq + i
        ev: dict[str, Any] = {
            "v": SPEC_VERSION,
            "event_id": f"0190c0de-0000-7000-8000-{tag:04x}{seq:08x}",
            "ts": START + seq * 1_000_000,
            "source": {"kind": "server", "name": name, "version": "1.2", "hostname": "h1"},
            "actor": {"user": f"u{seq % 3}", "client": "claude-code", "agent": "agent-7"},
            "mcp.method.name": "tools/call",
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": ["read_file", "search", "write_file"][seq % 3],
            "outcome": ["ok", "error", "denied"][seq % 3],
            "duration_us": 100 + seq,
            "args_bytes": 20 + seq,
            "result_bytes": 300 + seq,
            "mcp.session.id": f"sess-{seq // 5}",
            "network.transport": "pipe",
            "tooltrail.transport": "stdio",
            "trace_id": f"{seq + 1:032x}",
            "span_id": f"{seq + 1:016x}",
            "redactions": {"jwt": 1} if seq % 4 == 0 else None,
        }
        if ev["outcome"] != "ok":
            ev["error.type"] = "PermissionError" if ev["outcome"] == "denied" else "-32602"
        if hostile:
            ev["gen_ai.tool.name"] = f"tool{HOSTILE}"
            ev["actor"]["user"] = f"user{HOSTILE}"
            ev["mcp.resource.uri"] = f"file:///x?{HOSTILE}"
            ev["error.type"] = f"Err{HOSTILE}"
        ev = {k: v for k, v in ev.items() if v is not None}
        seal(ev, sid, seq, prev)
        prev = ev["hash"]
        out.append(ev)
    return out


def store_stream(store: Store, events: list[dict[str, Any]]) -> None:
    """Store one stream's events as the pipeline does (a decoded segment)."""
    source = events[0]["source"]["name"]
    store.insert_segments([DecodedSegment(events[0]["stream_id"], source, events, [], [])])
