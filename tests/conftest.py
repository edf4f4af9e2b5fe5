"""Shared fixtures. Integration fixtures (broker, store) live beside the tests that need them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tooltrail.contract import GENESIS_HASH, SPEC_VERSION, seal

EventFactory = Callable[..., list[dict[str, Any]]]


def build_chain(
    n: int, stream_id: str = "svc.0123456789abcdef", *, start_ts: int = 1_764_000_000_000_000
) -> list[dict[str, Any]]:
    """``n`` sealed events of one stream, as an emitter would write them."""
    events: list[dict[str, Any]] = []
    prev = GENESIS_HASH
    for seq in range(n):
        ev: dict[str, Any] = {
            "v": SPEC_VERSION,
            "event_id": f"0190c0de-0000-7000-8000-{seq:012x}",
            "ts": start_ts + seq * 1000,
            "source": {"kind": "server", "name": "svc", "hostname": "h1"},
            "actor": {"user": f"u{seq % 3}", "client": "claude-code"},
            "mcp.method.name": "tools/call",
            "gen_ai.tool.name": ["read_file", "search", "write_file"][seq % 3],
            "outcome": "ok" if seq % 5 else "error",
            "duration_us": 100 + seq,
            "args_bytes": 20 + seq,
        }
        seal(ev, stream_id, seq, prev)
        prev = ev["hash"]
        events.append(ev)
    return events


@pytest.fixture
def chain() -> EventFactory:
    return build_chain
