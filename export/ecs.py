"""Elastic Common Schema (ECS 8.x) documents, one JSON object per line.

Every field outside ``tooltrail.*`` is an ECS field with the meaning ECS gives it (the tests
check each name against the ECS field list): ``@timestamp`` (event time), ``event.*``
(``kind`` ``event`` | ``alert``; ``category`` ``api`` for a call, ``intrusion_detection`` for an
alert; ``type``, ``outcome`` from the allowed values; ``duration`` in ns; ``sequence`` the seq;
``hash`` the event's chain hash; ``original`` the contract event as canonical JSON, so a SIEM can
recompute the hash), ``user.name``, ``user_agent.*`` (the MCP client), ``service.*`` and
``host.*`` (the emitting source), ``server.*``, ``network.*``, ``trace.id``, ``span.id``,
``error.type``, ``url.original`` (an MCP resource URI), ``rule.*`` (the detector of an alert).

What ECS has no field for lives under ``tooltrail.*`` (a custom namespace, as ECS asks):
the MCP and GenAI names of the contract, the chain position (``tooltrail.stream_id``,
``tooltrail.seq``, ``tooltrail.prev_hash``) and the integrity status
(``tooltrail.integrity.event|stream|findings|checkpointed|digested``).
"""

from __future__ import annotations

import json
from typing import Any, Final

from tooltrail.contract import canonicalize

from ._text import ALERT_RANK, iso, summary
from .records import AlertRecord, EventRecord

__all__ = ["ECS_VERSION", "alert_doc", "event_doc", "line"]

ECS_VERSION: Final = "8.12.0"
_TYPES: Final = {"ok": ["access", "allowed"], "error": ["access"], "denied": ["access", "denied"]}
#: Elastic's severity scale for alerts (low 21, medium 47, high 73, critical 99)
_ALERT_SEVERITY: Final = (21, 47, 73, 99)
#: v1 events used these names for what v2 calls tooltrail.transport / tooltrail.tools.hash
_V1_OWN: Final = {"network.transport": "transport", "mcp.tools.hash": "tools_hash"}


def _clean(doc: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty values and emptied objects (ECS: absent, not null)."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            value = _clean(value)
        if value is None or value == "" or value == {} or value == []:
            continue
        out[key] = value
    return out


def event_doc(rec: EventRecord) -> dict[str, Any]:
    """The ECS document of one stored event."""
    e, integ = rec.event, rec.integrity
    actor: dict[str, Any] = e.get("actor") or {}
    source: dict[str, Any] = e["source"]
    v1 = e["v"] == 1
    transport = None if v1 else e.get("network.transport")
    own = {
        "transport": e.get("network.transport") if v1 else e.get("tooltrail.transport"),
        "tools_hash": e.get("mcp.tools.hash") if v1 else e.get("tooltrail.tools.hash"),
    }
    return _clean(
        {
            "@timestamp": iso(e["ts"]),
            "ecs": {"version": ECS_VERSION},
            "message": summary(e),
            "event": {
                "kind": "event",
                "category": ["api"],
                "type": _TYPES.get(e["outcome"], ["access"]),
                "outcome": "success" if e["outcome"] == "ok" else "failure",
                "action": e["mcp.method.name"],
                "id": e["event_id"],
                "sequence": e["seq"],
                "hash": e["hash"],
                "duration": e["duration_us"] * 1000,
                "start": iso(e["ts"]),
                "end": iso(e["ts"] + e["duration_us"]),
                "ingested": iso(rec.ingest_us),
                "dataset": "tooltrail.events",
                "module": "tooltrail",
                "provider": source["kind"],
                "original": canonicalize(e).decode("utf-8"),
            },
            "user": {"name": actor.get("user")},
            "user_agent": {"name": actor.get("client"), "version": actor.get("client_version")},
            "service": {"name": source["name"], "version": source.get("version"), "type": "mcp"},
            "host": {"hostname": source.get("hostname"), "name": source.get("hostname")},
            "server": {"address": e.get("server.address"), "port": e.get("server.port")},
            "network": {"transport": transport, "protocol": e.get("network.protocol.name")},
            "trace": {"id": e.get("trace_id")},
            "span": {"id": e.get("span_id")},
            "error": {"type": e.get("error.type")},
            "url": {"original": e.get("mcp.resource.uri")},
            "tooltrail": {
                "stream_id": e["stream_id"],
                "seq": e["seq"],
                "prev_hash": e["prev_hash"],
                "source_kind": source["kind"],
                "outcome": e["outcome"],
                "mcp": {
                    "method": e["mcp.method.name"],
                    "session_id": e.get("mcp.session.id"),
                    "protocol_version": e.get("mcp.protocol.version"),
                    "request_id": e.get("jsonrpc.request.id"),
                    **own,
                },
                "gen_ai": {
                    "operation_name": e.get("gen_ai.operation.name"),
                    "tool_name": e.get("gen_ai.tool.name"),
                    "tool_call_id": e.get("gen_ai.tool.call.id"),
                    "prompt_name": e.get("gen_ai.prompt.name"),
                },
                "actor": {"agent": actor.get("agent"), "tenant": actor.get("tenant")},
                "args_bytes": e.get("args_bytes"),
                "result_bytes": e.get("result_bytes"),
                "args_fingerprint": e.get("args_fingerprint"),
                "redactions": e.get("redactions"),
                "integrity": {
                    "event": integ.event,
                    "stream": integ.stream,
                    "findings": list(integ.findings),
                    "checkpointed": integ.checkpointed,
                    "digested": integ.digested,
                },
            },
        }
    )


def alert_doc(rec: AlertRecord) -> dict[str, Any]:
    """The ECS document of one stored alert version."""
    a = rec.alert
    rank = ALERT_RANK.get(a.severity, 1)
    return _clean(
        {
            "@timestamp": iso(a.last_window_end),
            "ecs": {"version": ECS_VERSION},
            "message": a.reason,
            "event": {
                "kind": "alert",
                "category": ["intrusion_detection"],
                "type": ["info"],
                "id": a.id,
                "severity": _ALERT_SEVERITY[rank],
                "risk_score": float(a.score),
                "start": iso(a.window_start),
                "end": iso(a.last_window_end),
                "created": iso(rec.created_us),
                "dataset": "tooltrail.alerts",
                "module": "tooltrail",
                "reason": a.reason,
                "reference": a.link,
            },
            "rule": {"name": a.detector, "id": a.dedupe_key, "category": a.entity_kind},
            "user": {"name": a.actor},
            "tooltrail": {
                "alert": {
                    "severity": a.severity,
                    "entity_kind": a.entity_kind,
                    "entity": a.entity,
                    "group": a.group,
                    "status": a.status,
                    "count": a.count,
                    "updated": iso(rec.updated_us),
                    "event_ids": list(a.events.event_ids),
                    "session_ids": list(a.events.session_ids),
                    "trace_ids": list(a.events.trace_ids),
                    "events": a.events.count,
                },
            },
        }
    )


def line(doc: dict[str, Any]) -> str:
    """One JSON line (UTF-8 text, no line break inside: JSON escapes them)."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
