"""OTLP logs sent through the OpenTelemetry SDK's exporter to a real local HTTP server that
decodes each protobuf request (opentelemetry-proto): record count, resource, trace context and
attributes (semantic-convention names where the contract has them, checked against the
semconv package); a refused batch moves no cursor."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.semconv._incubating.attributes import (
    error_attributes,
    gen_ai_attributes,
    jsonrpc_attributes,
    mcp_attributes,
    network_attributes,
    server_attributes,
    user_attributes,
)
from typer.testing import CliRunner

from tests.export._events import make_stream, store_stream
from tooltrail.cli import app
from tooltrail.export import Cursor, DeliveryError, Exporter
from tooltrail.export.otlp import OtlpSink
from tooltrail.pipeline.events import EventFilter
from tooltrail.pipeline.store import Store

pytestmark = pytest.mark.store

SEMCONV = {
    getattr(module, name)
    for module in (error_attributes, gen_ai_attributes, jsonrpc_attributes, mcp_attributes,
                   network_attributes, server_attributes, user_attributes)
    for name in dir(module)
    if name.isupper()
}  # fmt: skip


class Collector:
    """An OTLP/HTTP logs receiver: decodes every request; answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.requests: list[ExportLogsServiceRequest] = []
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                assert self.headers["Content-Type"] == "application/x-protobuf"
                request = ExportLogsServiceRequest()
                request.ParseFromString(body)
                outer.requests.append(request)
                reply = ExportLogsServiceResponse().SerializeToString()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/logs"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def records(self) -> list[tuple[dict[str, Any], Any]]:
        """Every received log record with its resource attributes."""
        out = []
        for req in self.requests:
            for rl in req.resource_logs:
                resource = {kv.key: _value(kv.value) for kv in rl.resource.attributes}
                for sl in rl.scope_logs:
                    assert sl.scope.name == "tooltrail.export"
                    out.extend((resource, rec) for rec in sl.log_records)
        return out

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _value(v: AnyValue) -> Any:
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [_value(x) for x in v.array_value.values]
    return getattr(v, kind) if kind else None


@pytest.fixture
def collector() -> Iterator[Collector]:
    c = Collector()
    yield c
    c.close()


def test_events_arrive_as_log_records_with_semconv_attributes(
    store: Store, collector: Collector
) -> None:
    events = make_stream(7) + make_stream(3, "other")
    store_stream(store, events[:7])
    store_stream(store, events[7:])
    store.record_findings([{"stream_id": events[8]["stream_id"], "seq": 1, "class": "deleted"}])
    sink = OtlpSink(collector.url)
    cursor = Cursor(collector.url, "otlp")
    assert Exporter(store, sink, cursor, EventFilter()).run_once() == len(events)
    sink.close()
    received = collector.records()
    assert len(received) == len(events)
    by_id = {_attrs(r)["tooltrail.event_id"]: (res, r) for res, r in received}
    assert set(by_id) == {e["event_id"] for e in events}
    for ev in events:
        resource, rec = by_id[ev["event_id"]]
        attrs = _attrs(rec)
        assert resource["service.name"] == ev["source"]["name"]
        assert resource["service.version"] == "1.2"
        assert resource["host.name"] == "h1"
        assert rec.time_unix_nano == ev["ts"] * 1000
        assert rec.event_name == "tooltrail.event"
        assert rec.trace_id.hex() == ev["trace_id"]
        assert rec.span_id.hex() == ev["span_id"]
        assert rec.body.string_value.startswith(f"tools/call {ev['gen_ai.tool.name']}")
        for key in ("mcp.method.name", "gen_ai.tool.name", "gen_ai.operation.name",
                    "mcp.session.id", "network.transport"):  # fmt: skip
            assert attrs[key] == ev[key]
        assert attrs["user.id"] == ev["actor"]["user"]
        assert attrs["gen_ai.agent.name"] == "agent-7"
        assert attrs["tooltrail.transport"] == "stdio"
        assert attrs["tooltrail.stream_id"] == ev["stream_id"]
        assert attrs["tooltrail.seq"] == ev["seq"]
        assert attrs["tooltrail.hash"] == ev["hash"]
        assert attrs["tooltrail.prev_hash"] == ev["prev_hash"]
        broken_stream = ev["source"]["name"] == "other"
        assert attrs["tooltrail.integrity.stream"] == ("broken" if broken_stream else "unverified")
        broken = broken_stream and ev["seq"] == 1
        assert attrs["tooltrail.integrity.event"] == ("broken" if broken else "ok")
        assert rec.severity_text == ("ERROR" if broken else "INFO" if ev["outcome"] == "ok"
                                     else "WARN")  # fmt: skip
        if "error.type" in ev:
            assert attrs["error.type"] == ev["error.type"]
        # every attribute is a semantic convention or our own
        for key in attrs:
            assert key.startswith("tooltrail.") or key in SEMCONV, key


def _attrs(rec: Any) -> dict[str, Any]:
    return {kv.key: _value(kv.value) for kv in rec.attributes}


def test_a_refused_batch_moves_no_cursor(store: Store, tmp_path: Path) -> None:
    store_stream(store, make_stream(3))
    refusing = Collector(status=400)  # not retryable: the exporter gives up at once
    try:
        cursor = Cursor.open(tmp_path / "cursor.json", refusing.url, "otlp")
        sink = OtlpSink(refusing.url, timeout=5)
        with pytest.raises(DeliveryError, match="did not accept"):
            Exporter(store, sink, cursor, EventFilter()).run_once()
        assert len(refusing.records()) == 3  # it was sent ...
        assert cursor.streams == {}  # ... but not committed
        assert not (tmp_path / "cursor.json").exists()
    finally:
        refusing.close()


def test_the_cli_sends_otlp_and_resumes_from_its_cursor(
    store: Store, collector: Collector, tmp_path: Path
) -> None:
    path = Path(store.config.path)
    store_stream(store, make_stream(4))
    store.close()  # the CLI opens the store itself
    args = ["export", "--format", "otlp", "--endpoint", collector.url, "--store-path",
            str(path), "--cursor", str(tmp_path / "c.json")]  # fmt: skip
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "exported 4 record(s) as otlp" in first.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "exported 0 record(s)" in again.output  # nothing new: nothing sent twice
    assert len(collector.records()) == 4


def test_follow_retries_a_refused_batch_until_the_endpoint_takes_it(
    store: Store, tmp_path: Path
) -> None:
    store_stream(store, make_stream(5))
    flaky = Collector(status=400)
    try:
        cursor = Cursor.open(tmp_path / "cursor.json", flaky.url, "otlp")
        exporter = Exporter(store, OtlpSink(flaky.url, timeout=5), cursor, EventFilter())
        stop = threading.Event()
        runner = threading.Thread(target=exporter.follow, args=(stop, 0.05))
        runner.start()
        deadline = time.monotonic() + 30
        while len(flaky.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert cursor.streams == {}  # refused twice: nothing committed
        flaky.status = 200
        while not cursor.streams and time.monotonic() < deadline:
            time.sleep(0.02)
        stop.set()
        runner.join(10)
        assert cursor.streams == {make_stream(1)[0]["stream_id"]: 4}
        accepted = flaky.requests[-1]
        assert (
            sum(len(sl.log_records) for rl in accepted.resource_logs for sl in rl.scope_logs) == 5
        )
    finally:
        flaky.close()
