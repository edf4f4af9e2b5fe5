"""With the OpenTelemetry SDK configured, the host's fresh trace is made current for the call:
the SDK's own client span joins it, so the trace id on the wire, the server's span and both audit
events agree (without an SDK, ``test_mcp_client`` / ``test_mcp_server`` show the same join from
the ``traceparent`` alone). In a process of its own: a tracer provider is set once per process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("_mcp_otel_sdk.py")


def test_sdk_spans_and_both_events_share_the_hosts_trace() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    trace_id, span_id = seen["host"]
    kinds = {span["kind"]: span for span in seen["spans"]}
    assert set(kinds) == {"CLIENT", "SERVER"}
    assert {span["trace_id"] for span in seen["spans"]} == {trace_id}
    assert kinds["CLIENT"]["parent"] == span_id  # the SDK's client span is the host's child
    assert kinds["SERVER"]["parent"] == kinds["CLIENT"]["span_id"]  # the wire carried it
    assert seen["server"] == [trace_id, kinds["SERVER"]["span_id"]]  # the server's event joins
