"""Run as a script (a process of its own: an OpenTelemetry tracer provider is set once per
process): an audited host calls an audited in-process server with the OpenTelemetry SDK
configured, and prints, as JSON, the trace and span ids of both events and of the spans the SDK
exported. Used by ``test_mcp_otel_sdk.py``."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from _mcp_stdio_server import build_server, make_emitter  # the script's directory is on sys.path
from mcp import Client
from opentelemetry import trace as otel_trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tooltrail.emitter import Emitter, MemoryTransport
from tooltrail.emitter.mcp import audit_client


def _event(emitter: Emitter, transport: MemoryTransport) -> dict[str, Any]:
    assert emitter.flush(timeout=60)
    (event,) = [e for e in transport.events() if e.get("mcp.method.name") == "tools/call"]
    emitter.close()
    return event


async def main() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    otel_trace.set_tracer_provider(provider)
    tmp = Path(tempfile.mkdtemp(prefix="tt-otel-"))
    server_em, server_tx = make_emitter(tmp / "server")
    host_em, host_tx = make_emitter(tmp / "host", "host")
    server, _ = build_server(server_em)
    async with Client(server, mode="legacy") as raw:  # over JSON-RPC: the SDK makes a client span
        await audit_client(raw, host_em).call_tool("echo", {"text": "x"})
    spans = [
        {
            "kind": span.kind.name,
            "span_id": f"{span.context.span_id:016x}",
            "trace_id": f"{span.context.trace_id:032x}",
            "parent": f"{span.parent.span_id:016x}" if span.parent else None,
        }
        for span in exporter.get_finished_spans()
        if "echo" in span.name
    ]
    host, on_server = _event(host_em, host_tx), _event(server_em, server_tx)
    print(
        json.dumps(
            {
                "host": [host["trace_id"], host["span_id"]],
                "server": [on_server["trace_id"], on_server["span_id"]],
                "spans": spans,
            }
        )
    )


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
