"""OpenTelemetry logs over OTLP/HTTP (protobuf), through the OpenTelemetry SDK's exporter.

Each event is one log record: ``timestamp`` its event time, ``observed_timestamp`` when the store
took it, the W3C trace context of the call (``trace_id``/``span_id``) on the record itself,
``event_name`` ``tooltrail.event``, severity INFO (ok), WARN (error, denied) or ERROR (broken
integrity), the one-line summary as body. The resource is the emitting source
(``service.name``, ``service.version``, ``host.name``).

Attributes use the OpenTelemetry semantic-convention names wherever the contract has them
(``mcp.method.name``, ``gen_ai.tool.name``, ``gen_ai.operation.name``, ``mcp.session.id``,
``jsonrpc.request.id``, ``error.type``, ``network.transport``, ``server.address``, …; the
actor's user is ``user.id``, its agent ``gen_ai.agent.name``); everything else is ours, under
``tooltrail.`` (the chain position ``tooltrail.stream_id|seq|hash|prev_hash`` and the
integrity ``tooltrail.integrity.*``). A version-1 event's ``network.transport`` held the MCP
transport name, not semconv's value: it is sent as ``tooltrail.transport``.

Alerts are records with ``event_name`` ``tooltrail.alert`` from the resource
``service.name=tooltrail-detectors``, severity WARN (low, medium), ERROR (high) or FATAL
(critical).

Needs the ``otlp`` extra (``opentelemetry-sdk``, ``opentelemetry-exporter-otlp-proto-http``);
this module imports it when used. A batch the endpoint does not accept raises
``DeliveryError`` (the SDK exporter has retried what it retries).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from tooltrail import __version__

from ._text import ALERT_RANK, summary
from .errors import DeliveryError, ExportError
from .records import AlertRecord, EventRecord

if TYPE_CHECKING:
    from opentelemetry.sdk._logs import ReadableLogRecord
    from opentelemetry.sdk.resources import Resource

__all__ = ["OtlpSink", "alert_attributes", "event_attributes"]

#: contract fields sent under their own (semconv) name
_SEMCONV: Final = (
    "mcp.method.name",
    "gen_ai.operation.name",
    "gen_ai.tool.name",
    "gen_ai.tool.call.id",
    "gen_ai.prompt.name",
    "mcp.resource.uri",
    "mcp.session.id",
    "mcp.protocol.version",
    "jsonrpc.request.id",
    "error.type",
    "network.protocol.name",
    "server.address",
    "server.port",
)
_OURS: Final = ("outcome", "duration_us", "args_bytes", "result_bytes", "args_fingerprint")
_ACTOR: Final = (
    ("user", "user.id"),
    ("agent", "gen_ai.agent.name"),
    ("client", "tooltrail.actor.client"),
    ("client_version", "tooltrail.actor.client_version"),
    ("tenant", "tooltrail.actor.tenant"),
)
# SeverityNumber: INFO 9, WARN 13, ERROR 17, FATAL 21
_ALERT_SEVERITY: Final = ((13, "WARN"), (13, "WARN"), (17, "ERROR"), (21, "FATAL"))


def event_attributes(rec: EventRecord) -> dict[str, Any]:
    """The log record attributes of one event."""
    e, integ = rec.event, rec.integrity
    attrs: dict[str, Any] = {k: e[k] for k in _SEMCONV if k in e}
    if e["v"] == 1:
        if "network.transport" in e:
            attrs["tooltrail.transport"] = e["network.transport"]
        if "mcp.tools.hash" in e:
            attrs["tooltrail.tools.hash"] = e["mcp.tools.hash"]
    else:
        for key in ("network.transport", "tooltrail.transport", "tooltrail.tools.hash"):
            if key in e:
                attrs[key] = e[key]
    actor = e.get("actor") or {}
    attrs.update({name: actor[key] for key, name in _ACTOR if actor.get(key)})
    attrs.update({f"tooltrail.{k}": e[k] for k in _OURS if k in e})
    if e.get("redactions"):
        attrs["tooltrail.redactions"] = json.dumps(e["redactions"], sort_keys=True)
    attrs.update(
        {
            "tooltrail.event_id": e["event_id"],
            "tooltrail.source.kind": e["source"]["kind"],
            "tooltrail.stream_id": e["stream_id"],
            "tooltrail.seq": e["seq"],
            "tooltrail.hash": e["hash"],
            "tooltrail.prev_hash": e["prev_hash"],
            "tooltrail.integrity.event": integ.event,
            "tooltrail.integrity.stream": integ.stream,
            "tooltrail.integrity.findings": list(integ.findings),
            "tooltrail.integrity.checkpointed": integ.checkpointed,
            "tooltrail.integrity.digested": integ.digested,
        }
    )
    return attrs


def alert_attributes(rec: AlertRecord) -> dict[str, Any]:
    """The log record attributes of one alert version."""
    a = rec.alert
    attrs: dict[str, Any] = {
        "tooltrail.alert.id": a.id,
        "tooltrail.alert.detector": a.detector,
        "tooltrail.alert.severity": a.severity,
        "tooltrail.alert.score": float(a.score),
        "tooltrail.alert.entity_kind": a.entity_kind,
        "tooltrail.alert.entity": a.entity,
        "tooltrail.alert.group": a.group,
        "tooltrail.alert.status": a.status,
        "tooltrail.alert.count": a.count,
        "tooltrail.alert.dedupe_key": a.dedupe_key,
        "tooltrail.alert.window_start_us": a.window_start,
        "tooltrail.alert.window_end_us": a.last_window_end,
        "tooltrail.alert.event_ids": list(a.events.event_ids),
    }
    if a.actor:
        attrs["user.id"] = a.actor
    if a.link:
        attrs["tooltrail.alert.link"] = a.link
    return attrs


class OtlpSink:
    """Sends records to an OTLP/HTTP logs endpoint (``http://host:4318/v1/logs``)."""

    def __init__(
        self, endpoint: str, *, headers: dict[str, str] | None = None, timeout: float = 10.0
    ) -> None:
        try:
            from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
        except ImportError as exc:
            raise ExportError(
                "--format otlp needs the 'otlp' extra: pip install 'tooltrail[otlp]'"
            ) from exc
        self.endpoint = endpoint
        self._exporter = OTLPLogExporter(endpoint=endpoint, headers=headers, timeout=timeout)
        self._resources: dict[tuple[str, ...], Resource] = {}

    def _resource(self, *key: str) -> Resource:
        from opentelemetry.sdk.resources import Resource

        if key not in self._resources:
            name, version, host, kind = key
            attrs = {"service.name": name, "tooltrail.source.kind": kind}
            if version:
                attrs["service.version"] = version
            if host:
                attrs["host.name"] = host
            self._resources[key] = Resource(attrs)
        return self._resources[key]

    def _record(
        self,
        *,
        resource: Resource,
        ts_us: int,
        observed_us: int,
        severity: tuple[int, str],
        body: str,
        name: str,
        attrs: dict[str, Any],
        trace: tuple[str, str] | None = None,
    ) -> ReadableLogRecord:
        from opentelemetry import trace as otel_trace
        from opentelemetry._logs import LogRecord, SeverityNumber
        from opentelemetry.sdk._logs import ReadableLogRecord
        from opentelemetry.sdk.util.instrumentation import InstrumentationScope

        context = None
        if trace is not None:
            span = otel_trace.NonRecordingSpan(
                otel_trace.SpanContext(
                    int(trace[0], 16), int(trace[1], 16), is_remote=True,
                    trace_flags=otel_trace.TraceFlags(otel_trace.TraceFlags.SAMPLED),
                )
            )  # fmt: skip
            context = otel_trace.set_span_in_context(span)
        record = LogRecord(
            timestamp=ts_us * 1000,
            observed_timestamp=observed_us * 1000,
            context=context,
            severity_number=SeverityNumber(severity[0]),
            severity_text=severity[1],
            body=body,
            attributes=attrs,
            event_name=name,
        )
        scope = InstrumentationScope("tooltrail.export", __version__)
        return ReadableLogRecord(record, resource=resource, instrumentation_scope=scope)

    def event_record(self, rec: EventRecord) -> ReadableLogRecord:
        e, src = rec.event, rec.event["source"]
        if rec.integrity.event == "broken":
            severity = (17, "ERROR")
        else:
            severity = (9, "INFO") if e["outcome"] == "ok" else (13, "WARN")
        trace = (e["trace_id"], e["span_id"]) if e.get("trace_id") and e.get("span_id") else None
        return self._record(
            resource=self._resource(
                src["name"], src.get("version", ""), src.get("hostname", ""), src["kind"]
            ),
            ts_us=e["ts"],
            observed_us=rec.ingest_us,
            severity=severity,
            body=summary(e),
            name="tooltrail.event",
            attrs=event_attributes(rec),
            trace=trace,
        )

    def alert_record(self, rec: AlertRecord) -> ReadableLogRecord:
        a = rec.alert
        return self._record(
            resource=self._resource("tooltrail-detectors", __version__, "", "detectors"),
            ts_us=a.last_window_end,
            observed_us=rec.updated_us,
            severity=_ALERT_SEVERITY[ALERT_RANK.get(a.severity, 1)],
            body=a.reason,
            name="tooltrail.alert",
            attrs=alert_attributes(rec),
        )

    def write(self, records: Sequence[EventRecord | AlertRecord]) -> None:
        """Send one batch; ``DeliveryError`` unless the endpoint accepted it."""
        from opentelemetry.sdk._logs.export import LogRecordExportResult

        if not records:
            return None
        batch = [
            self.event_record(r) if isinstance(r, EventRecord) else self.alert_record(r)
            for r in records
        ]
        if self._exporter.export(batch) is not LogRecordExportResult.SUCCESS:
            raise DeliveryError(f"the OTLP endpoint {self.endpoint} did not accept the batch")
        return None

    def rollback(self, committed: int | None) -> None:
        """Nothing to undo: an endpoint that refused a batch holds none of it."""

    def close(self) -> None:
        self._exporter.shutdown()  # type: ignore[no-untyped-call]
