"""CEF and ECS lines parsed back field by field: CEF with an independent parser of the
specification's escaping (hostile values: pipes, backslashes, ``=``, line breaks), ECS against
the field names, types and allowed values of the ECS specification; both carry the integrity
status the store holds (a recorded finding marks its event and stream broken)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.export._events import HOSTILE, make_stream, store_stream
from tooltrail.contract import canonicalize
from tooltrail.detectors.alert import Alert, EventRefs
from tooltrail.detectors.alertstore import AlertStore
from tooltrail.export import Cursor, Exporter, IntegrityIndex, LineSink, LinesSink, read_events
from tooltrail.export.cef import escape_extension, escape_header
from tooltrail.pipeline.events import EventFilter
from tooltrail.pipeline.store import Store

pytestmark = pytest.mark.store

# -- an independent CEF parser (the specification's rules, not our code) ----------------------


def parse_cef(line: str) -> tuple[list[str], dict[str, str]]:
    """Header fields (7, unescaped) and the extension as a dict."""
    assert "\n" not in line, "a CEF record is one line"
    assert "\r" not in line, "a CEF record is one line"
    fields, cur, i = [], [], 0
    while len(fields) < 7:
        ch = line[i]
        if ch == "\\" and line[i + 1] in "|\\":
            cur.append(line[i + 1])
            i += 2
            continue
        if ch == "|":
            fields.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    ext = line[i:]
    equals = []  # positions of unescaped '='
    j = 0
    while j < len(ext):
        if ext[j] == "\\":
            j += 2
            continue
        if ext[j] == "=":
            equals.append(j)
        j += 1
    keys = [(ext.rfind(" ", 0, p) + 1, p) for p in equals]
    out = {}
    for n, (start, eq) in enumerate(keys):
        end = keys[n + 1][0] - 1 if n + 1 < len(keys) else len(ext)
        out[ext[start:eq]] = _unescape(ext[eq + 1 : end])
    return fields, out


def _unescape(value: str) -> str:
    table = {"\\": "\\", "=": "=", "n": "\n", "r": "\r"}
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\":
            nxt = value[i + 1]
            assert nxt in table, f"a lone backslash escapes {nxt!r} in {value!r}"
            out.append(table[nxt])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _export(store: Store, tmp: Path, fmt: str, *, alerts: bool = False) -> list[str]:
    out = tmp / f"out.{fmt}"
    sink = LinesSink(fmt, LineSink(out))  # type: ignore[arg-type]
    cursor = Cursor(str(out), fmt)
    Exporter(store, sink, cursor, EventFilter(), alerts=alerts).run_once()
    sink.close()
    return out.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def stored(store: Store) -> list[dict[str, Any]]:
    events = make_stream(6, hostile=True)
    store_stream(store, events)
    store.record_findings(
        [{"stream_id": events[2]["stream_id"], "seq": 2, "class": "modified", "detail": "x"}]
    )
    return events


def test_cef_escaping_round_trips_hostile_values() -> None:
    assert escape_header("a|b\\c") == "a\\|b\\\\c"
    assert escape_header("x\ny\r\nz") == "x y z"  # a header holds no line break
    assert escape_extension("k=v|w\\\n\r") == "k\\=v|w\\\\\\n\\r"
    line = "CEF:0|v|p|1|sig|" + escape_header(HOSTILE) + "|5|msg=" + escape_extension(HOSTILE)
    header, ext = parse_cef(line)
    assert header[5] == HOSTILE.replace("\r", " ").replace("\n", " ")
    assert ext == {"msg": HOSTILE}


def test_cef_lines_carry_every_field_and_the_integrity(
    store: Store, stored: list[dict[str, Any]], tmp_path: Path
) -> None:
    lines = _export(store, tmp_path, "cef")
    assert len(lines) == len(stored)
    for line, ev in zip(lines, stored, strict=True):
        header, ext = parse_cef(line)
        assert header[:4] == ["CEF:0", "tooltrail", "tooltrail", header[3]]
        assert header[4] == "tools/call"
        assert header[5] == f"tools/call {ev['gen_ai.tool.name']}".replace("\n", " ").replace(
            "\r", " "
        )
        assert ext["act"] == ev["gen_ai.tool.name"]  # pipes, backslashes, =, CR/LF intact
        assert ext["suser"] == ev["actor"]["user"]
        assert ext["request"] == ev["mcp.resource.uri"]
        assert ext["reason"] == ev["error.type"]
        assert ext["outcome"] == ev["outcome"]
        assert ext["externalId"] == ev["event_id"]
        assert int(ext["rt"]) == ev["ts"] // 1000
        assert (ext["cs1Label"], ext["cs1"]) == ("streamId", ev["stream_id"])
        assert (ext["cn1Label"], int(ext["cn1"])) == ("seq", ev["seq"])
        assert (ext["cs2Label"], ext["cs2"]) == ("eventHash", ev["hash"])
        assert ext["flexString1"] == ev["prev_hash"]
        assert ext["cs5"] == ev["mcp.session.id"]
        assert ext["cs6"] == ev["trace_id"]
        assert int(ext["in"]) == ev["args_bytes"]
        assert int(ext["out"]) == ev["result_bytes"]
        assert ext["cs4"] == "broken"  # a finding names the stream
        broken = ev["seq"] == 2
        assert ext["cs3"] == ("broken:modified" if broken else "ok")
        expected = 9 if broken else {"ok": 1, "error": 4, "denied": 6}[ev["outcome"]]
        assert int(header[6]) == expected


# -- ECS ---------------------------------------------------------------------------------------

ECS_FIELDS = dict(
    line.split(",", 1)
    for line in (Path(__file__).parent / "ecs_fields.csv").read_text().splitlines()
    if line and not line.startswith("#")
)
# allowed values of the four categorization fields (ECS 8.12 reference)
ECS_KINDS = {"alert", "enrichment", "event", "metric", "state", "pipeline_error", "signal"}
ECS_CATEGORIES = {
    "api", "authentication", "configuration", "database", "driver", "email", "file", "host",
    "iam", "intrusion_detection", "library", "malware", "network", "package", "process",
    "registry", "session", "threat", "vulnerability", "web",
}  # fmt: skip
ECS_EXPECTED_TYPES = {  # category → the event types ECS expects with it
    "api": {"access", "admin", "allowed", "change", "creation", "deletion", "denied", "end",
            "info", "start", "user"},
    "intrusion_detection": {"allowed", "denied", "info"},
}  # fmt: skip
ECS_OUTCOMES = {"failure", "success", "unknown"}


def _flatten(doc: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _check_type(name: str, kind: str, value: Any) -> None:
    values = value if isinstance(value, list) else [value]
    for v in values:
        if kind == "date":
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", v), (name, v)
            datetime.fromisoformat(v.replace("Z", "+00:00"))
        elif kind == "long":
            assert isinstance(v, int), (name, v)
            assert not isinstance(v, bool), (name, v)
        elif kind == "float":
            assert isinstance(v, float), (name, v)
        else:
            assert isinstance(v, str), (name, v)


def _check_ecs(doc: dict[str, Any]) -> dict[str, Any]:
    flat = _flatten(doc)
    for name, value in flat.items():
        if name.startswith("tooltrail."):
            continue  # our custom namespace
        assert name in ECS_FIELDS, f"{name} is not an ECS field"
        _check_type(name, ECS_FIELDS[name], value)
    assert flat["event.kind"] in ECS_KINDS
    assert set(flat["event.category"]) <= ECS_CATEGORIES
    for category in flat["event.category"]:
        assert set(flat["event.type"]) <= ECS_EXPECTED_TYPES[category]
    if "event.outcome" in flat:
        assert flat["event.outcome"] in ECS_OUTCOMES
    return flat


def test_ecs_documents_use_ecs_fields_and_carry_the_event(
    store: Store, stored: list[dict[str, Any]], tmp_path: Path
) -> None:
    lines = _export(store, tmp_path, "ecs")
    assert len(lines) == len(stored)
    for line, ev in zip(lines, stored, strict=True):
        doc = json.loads(line)
        flat = _check_ecs(doc)
        assert flat["event.id"] == ev["event_id"]
        assert flat["event.sequence"] == ev["seq"]
        assert flat["event.hash"] == ev["hash"]
        assert flat["event.action"] == "tools/call"
        assert flat["event.outcome"] == ("success" if ev["outcome"] == "ok" else "failure")
        assert ("denied" in flat["event.type"]) == (ev["outcome"] == "denied")
        assert flat["event.duration"] == ev["duration_us"] * 1000  # ns
        assert datetime.fromisoformat(flat["@timestamp"]).timestamp() * 1e6 == pytest.approx(
            ev["ts"], abs=1
        )
        assert flat["user.name"] == ev["actor"]["user"]
        assert flat["user_agent.name"] == "claude-code"
        assert flat["service.name"] == "svc"
        assert flat["service.version"] == "1.2"
        assert flat["host.hostname"] == "h1"
        assert flat["trace.id"] == ev["trace_id"]
        assert flat["span.id"] == ev["span_id"]
        assert flat["network.transport"] == "pipe"
        assert flat["url.original"] == ev["mcp.resource.uri"]
        assert flat["error.type"] == ev["error.type"]
        # the contract event itself, canonical: a SIEM can recompute the chain hash
        assert flat["event.original"].encode() == canonicalize(ev)
        own = doc["tooltrail"]
        assert own["stream_id"] == ev["stream_id"]
        assert own["prev_hash"] == ev["prev_hash"]
        assert own["gen_ai"]["tool_name"] == ev["gen_ai.tool.name"]
        assert own["mcp"]["transport"] == "stdio"
        assert own["actor"]["agent"] == "agent-7"
        assert own["integrity"]["stream"] == "broken"
        assert own["integrity"]["event"] == ("broken" if ev["seq"] == 2 else "ok")
        assert own["integrity"].get("findings", []) == (["modified"] if ev["seq"] == 2 else [])


def test_alerts_export_as_ecs_alerts_and_cef(store: Store, tmp_path: Path) -> None:
    alerts = AlertStore(store)
    stored = alerts.offer(
        Alert(
            severity="high",
            detector="rule:denial_burst",
            entity_kind="user",
            entity=f"u{HOSTILE}",
            window_start=1_764_000_000_000_000,
            window_end=1_764_000_600_000_000,
            score=7.5,
            reason=f"burst of denials {HOSTILE}",
            dedupe_key="rule:denial_burst|user|u-1",
            actor="u-1",
            events=EventRefs(3, ("e1", "e2", "e3")),
        )
    )
    assert stored is not None
    (ecs_line,) = _export(store, tmp_path, "ecs", alerts=True)
    flat = _check_ecs(json.loads(ecs_line))
    assert flat["event.kind"] == "alert"
    assert flat["event.id"] == stored.id
    assert flat["rule.name"] == "rule:denial_burst"
    assert flat["user.name"] == "u-1"
    assert flat["event.severity"] == 73
    assert flat["event.risk_score"] == 7.5
    assert flat["message"] == stored.reason
    (cef_line,) = _export(store, tmp_path, "cef", alerts=True)
    header, ext = parse_cef(cef_line)
    assert header[4:] == ["rule:denial_burst", stored.reason.replace("\n", " ").replace(
        "\r", " "), "8"]  # fmt: skip
    assert ext["msg"] == stored.reason
    assert ext["cs1"] == stored.entity
    assert ext["externalId"] == stored.id
    assert int(ext["cn1"]) == 1


def test_integrity_without_findings_is_unverified_until_verified(store: Store) -> None:
    events = make_stream(4)
    store_stream(store, events)
    index = IntegrityIndex()
    recs = read_events(store, EventFilter(), index)
    assert {r.integrity.stream for r in recs} == {"unverified"}
    assert {r.integrity.event for r in recs} == {"ok"}
    from tooltrail.pipeline.integrity import verify_store

    index.add_report(verify_store(store, record=False))
    recs = read_events(store, EventFilter(), index)
    # intact, but no trusted checkpoint covers these old events
    assert {r.integrity.stream for r in recs} == {"unvouched"}


def test_a_version_1_event_keeps_its_transport_out_of_the_semconv_names() -> None:
    from tooltrail.contract import GENESIS_HASH, seal
    from tooltrail.export import EventRecord, Integrity
    from tooltrail.export.ecs import event_doc
    from tooltrail.export.otlp import event_attributes

    ev: dict[str, Any] = {
        "v": 1, "event_id": "0190c0de-0000-7000-8000-000000000001", "ts": 1_764_000_000_000_000,
        "source": {"kind": "host", "name": "h"}, "mcp.method.name": "tools/call",
        "outcome": "ok", "duration_us": 5, "network.transport": "stdio",
        "mcp.tools.hash": "ab" * 32,
    }  # fmt: skip
    seal(ev, "h.0011223344556677", 0, GENESIS_HASH)
    rec = EventRecord(ev, ev["ts"], Integrity("ok", "unverified"))
    doc = event_doc(rec)
    assert "network" not in doc  # v1's value is the MCP transport, not ECS/OTel's
    assert doc["tooltrail"]["mcp"] == {
        "method": "tools/call", "transport": "stdio", "tools_hash": "ab" * 32,
    }  # fmt: skip
    attrs = event_attributes(rec)
    assert "network.transport" not in attrs
    assert attrs["tooltrail.transport"] == "stdio"
    assert attrs["tooltrail.tools.hash"] == "ab" * 32
