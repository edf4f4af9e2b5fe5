"""The SlowMist MCP Security Checklist (v0.23) items tooltrail serves, as data.

The same table as the project's ``shared/CHECKLIST.md`` (the tests compare them when that file is
beside the checkout): section, item, priority (H Must, M Strongly recommended, L Recommended),
what tooltrail provides, and the key of the evidence that answers it (``evidence.JUDGES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["ITEMS", "PRIORITIES", "Item"]

PRIORITIES: Final = {"H": "Must", "M": "Strongly recommended", "L": "Recommended"}


@dataclass(frozen=True, slots=True)
class Item:
    section: str
    name: str
    prio: str
    provides: str
    key: str  # which evidence answers it


_S, _C = "Server", "Client"
ITEMS: Final = (
    Item(f"{_S} › Monitoring & Logging", "Anomaly Detection", "H",
         "PyOD + rule detectors over call frequency, data volume, access patterns", "detection"),
    Item(f"{_S} › Monitoring & Logging", "Detailed Logging", "H",
         "one event per MCP request with caller, tool, outcome, sizes, timing", "logging"),
    Item(f"{_S} › Monitoring & Logging", "Security Event Alerts (real-time)", "H",
         "Slack / signed webhook alerts within seconds", "alerting"),
    Item(f"{_S} › Monitoring & Logging", "Centralized Log Management", "M",
         "collector → Kafka → ClickHouse", "central"),
    Item(f"{_S} › Monitoring & Logging", "Log Integrity", "M",
         "emitter-side hash chain, signed checkpoints, signed digests, `verify`", "integrity"),
    Item(f"{_S} › Monitoring & Logging", "Audit Capability (incident investigation)", "M",
         "Grafana dashboards, session/trace drill-down", "audit"),
    Item(f"{_S} › API Security", "API Rate Limiting", "M",
         "collector rate limits per source; rate rules on tool calls", "rate_limit"),
    Item(f"{_S} › Background Persistence", "Background Activity Monitoring", "M",
         "events for calls outside a user session; long-session alerts", "background"),
    Item(f"{_S} › Deployment", "Environment Variable Security (not exposed in logs)", "M",
         "redaction by value and by name before hashing", "redaction"),
    Item(f"{_S} › Deployment", "Resource Limits (excessive calls)", "M",
         "frequency detectors, hard-limit rules", "frequency"),
    Item(f"{_S} › Code & Data Integrity", "Integrity Verification", "H",
         "chain + signatures over the log itself", "integrity"),
    Item(f"{_S} › Code & Data Integrity", "Remote Validation", "M",
         "`verify` against signed checkpoints held outside the store", "remote"),
    Item(f"{_S} › Invocation Isolation", "Tool Permission Separation", "M",
         "per-tool / per-server baselines; denied-call stream", "permissions"),
    Item(f"{_S} › Tools Security", "Tool Behavior Constraints", "H",
         "alerts when a tool's behaviour leaves its baseline", "tool_behaviour"),
    Item(f"{_S} › Tools Security", "Error Handling (no sensitive info)", "M",
         "errors recorded by type, not by message content, unless opted in", "errors"),
    Item(f"{_S} › Data Security & Privacy", "Data Minimization", "H",
         "arguments off by default; fingerprints instead", "minimization"),
    Item(f"{_S} › Data Security & Privacy", "Sensitive Data Identification", "H",
         "value-pattern redaction with counts of what was redacted", "redaction"),
    Item(f"{_S} › Data Security & Privacy", "Data Isolation / Access Control", "H",
         "per-source keys scoped to their own streams; per-tenant fields", "isolation"),
    Item(f"{_C} › AI Control & Monitoring", "Operation Logging", "H",
         "host-side emitter on ClientSession", "host_logging"),
    Item(f"{_C} › AI Control & Monitoring",
         "Anomaly Detection (tool-invocation patterns, sequences)", "M",
         "access-pattern and sequence features", "detection"),
    Item(f"{_C} › AI Control & Monitoring", "Tool Invocation Limitation (frequency, quantity)",
         "M", "rate rules per user/agent/tool", "frequency"),
    Item(f"{_C} › Logging & Auditing",
         "Client Logging (interactions, tool calls, authorization)", "H",
         "host-side events incl. denials", "host_logging"),
    Item(f"{_C} › Logging & Auditing", "Security Event Recording (incl. authz failures)", "H",
         "`outcome=denied` events, denial-burst rule", "denials"),
    Item(f"{_C} › Logging & Auditing", "Anomaly Alerts", "M", "alerts", "alerting"),
    Item(f"{_C} › other", "Operation Visualization (auditable by users)", "M", "Grafana",
         "visualization"),
    Item(f"{_C} › other", "Malicious MCP Detection", "H",
         "tool-description drift, host/server reconciliation", "malicious"),
    Item(f"{_C} › other", "Version Control of tools", "M",
         "server version + tools/list hash on every event", "versions"),
    Item(f"{_C} › other", "Sensitive Data Filtering", "H",
         "redaction before anything leaves the process", "redaction"),
)  # fmt: skip
