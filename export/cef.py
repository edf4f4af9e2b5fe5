"""ArcSight Common Event Format (CEF:0) lines, one per event or alert.

``CEF:0|tooltrail|tooltrail|<version>|<signature>|<name>|<severity>|<extension>``

Escaping follows the CEF specification: in the header a ``\\`` becomes ``\\\\`` and a ``|``
becomes ``\\|``; a header cannot hold a line break, so CR and LF become a space. In extension
values ``\\`` becomes ``\\\\``, ``=`` becomes ``\\=``, LF ``\\n`` and CR ``\\r`` (a ``|`` needs
no escape there). Keys are the CEF dictionary's (``rt``, ``suser``, ``act``, ``outcome``,
``cs1``…``cs6`` with their labels, ``cn1``…, ``flexString1``…); times are ms since the epoch.

Severity (0-10): an event is 1 (ok), 4 (error), 6 (denied), 9 when its integrity is broken;
an alert 3 (low), 5 (medium), 8 (high), 10 (critical).

The integrity status rides along: ``cs1`` the stream, ``cn1`` the seq, ``cs2`` the event's hash,
``flexString1`` the previous hash, ``cs3`` the event's status (``ok`` or ``broken:<classes>``),
``cs4`` the stream's (``broken`` | ``intact`` | ``unvouched`` | ``unverified``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from tooltrail import __version__

from ._text import summary
from .records import AlertRecord, EventRecord

__all__ = ["alert_line", "escape_extension", "escape_header", "event_line"]

_EVENT_SEVERITY: Final = {"ok": 1, "error": 4, "denied": 6}
_ALERT_SEVERITY: Final = {"low": 3, "medium": 5, "high": 8, "critical": 10}


def escape_header(value: object) -> str:
    """A CEF header field: ``\\`` and ``|`` escaped, line breaks as spaces."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def escape_extension(value: object) -> str:
    """A CEF extension value: ``\\``, ``=`` escaped, line breaks as ``\\n`` / ``\\r``."""
    text = str(value).replace("\\", "\\\\").replace("=", "\\=")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")


def _line(signature: str, name: str, severity: int, ext: Iterable[tuple[str, Any]]) -> str:
    header = "|".join(
        escape_header(x)
        for x in ("CEF:0", "tooltrail", "tooltrail", __version__, signature, name, severity)
    )
    given = {k: v for k, v in ext if v is not None and v != ""}
    pairs = " ".join(
        f"{k}={escape_extension(v)}"
        for k, v in given.items()
        if not k.endswith("Label") or k.removesuffix("Label") in given  # no label alone
    )
    return f"{header}|{pairs}"


def event_line(rec: EventRecord) -> str:
    """The CEF line of one stored event."""
    e, integ = rec.event, rec.integrity
    actor: dict[str, Any] = e.get("actor") or {}
    severity = 9 if integ.event == "broken" else _EVENT_SEVERITY.get(e["outcome"], 4)
    state = "ok" if integ.event == "ok" else "broken:" + ",".join(integ.findings)
    vouch = "".join(
        f", {word}" for word, on in (("checkpointed", integ.checkpointed),
                                     ("digested", integ.digested)) if on
    )  # fmt: skip
    ts_ms = e["ts"] // 1000
    ext: list[tuple[str, Any]] = [
        ("rt", ts_ms),
        ("start", ts_ms),
        ("end", (e["ts"] + e["duration_us"]) // 1000),
        ("externalId", e["event_id"]),
        ("app", "MCP"),
        ("act", e.get("gen_ai.tool.name") or e["mcp.method.name"]),
        ("outcome", e["outcome"]),
        ("suser", actor.get("user")),
        ("requestClientApplication", actor.get("client")),
        ("request", e.get("mcp.resource.uri")),
        ("reason", e.get("error.type")),
        ("cat", e["source"]["kind"]),
        ("deviceProcessName", e["source"]["name"]),
        ("dvchost", e["source"].get("hostname")),
        ("dhost", e.get("server.address")),
        ("dpt", e.get("server.port")),
        ("in", e.get("args_bytes")),
        ("out", e.get("result_bytes")),
        ("cs1Label", "streamId"),
        ("cs1", e["stream_id"]),
        ("cn1Label", "seq"),
        ("cn1", e["seq"]),
        ("cs2Label", "eventHash"),
        ("cs2", e["hash"]),
        ("flexString1Label", "prevHash"),
        ("flexString1", e["prev_hash"]),
        ("cs3Label", "integrityEvent"),
        ("cs3", state),
        ("cs4Label", "integrityStream"),
        ("cs4", integ.stream),
        ("cs5Label", "sessionId"),
        ("cs5", e.get("mcp.session.id")),
        ("cs6Label", "traceId"),
        ("cs6", e.get("trace_id")),
        ("cn2Label", "durationUs"),
        ("cn2", e["duration_us"]),
        ("flexString2Label", "agent"),
        ("flexString2", actor.get("agent")),
        ("msg", f"{summary(e)}; integrity: {state}, stream {integ.stream}{vouch}"),
    ]
    name = f"{e['mcp.method.name']} {e.get('gen_ai.tool.name', '')}".strip()
    return _line(e["mcp.method.name"], name, severity, ext)


def alert_line(rec: AlertRecord) -> str:
    """The CEF line of one stored alert version."""
    a = rec.alert
    ext: list[tuple[str, Any]] = [
        ("rt", rec.updated_us // 1000),
        ("start", a.window_start // 1000),
        ("end", a.last_window_end // 1000),
        ("externalId", a.id),
        ("suser", a.actor),
        ("cat", a.entity_kind),
        ("cs1Label", "entity"),
        ("cs1", a.entity),
        ("cs2Label", "alertGroup"),
        ("cs2", a.group),
        ("cs3Label", "status"),
        ("cs3", a.status),
        ("cs4Label", "dedupeKey"),
        ("cs4", a.dedupe_key),
        ("cn1Label", "count"),
        ("cn1", a.count),
        ("cfp1Label", "score"),
        ("cfp1", f"{a.score:.6g}"),
        ("request", a.link),
        ("msg", a.reason),
    ]
    return _line(a.detector, a.reason, _ALERT_SEVERITY.get(a.severity, 5), ext)
