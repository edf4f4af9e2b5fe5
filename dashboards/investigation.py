"""The Investigation dashboard: one entity, session or trace — every event, both sides of each
call and where they disagree (reconciliation, tool drift), the alerts involved and why, and the
integrity of the streams involved.

An alert's "Investigate" link lands here (``DetectSettings.dashboard_url``): uid
``tooltrail-investigate`` with ``entity_kind``, ``entity`` and ``alert`` set and the time range
around the alert's window. Every variable may stay empty (= any).
"""

from __future__ import annotations

from typing import Final

from ._sql import ALERT_REASON, ALERT_ROW, ENTITY, entity_is
from .spec import DashboardSpec, Link, PanelSpec, Variable, is_any

__all__ = ["ENTITY_KINDS", "INVESTIGATION", "UID", "VARIABLES"]

UID: Final = "tooltrail-investigate"
#: the alert entity kinds the dashboard can select on (the detectors' levels, stream, server, tool,
#: and the host|server pair of a reconciliation alert)
ENTITY_KINDS: Final = (
    "user",
    "user_tool",
    "agent",
    "server_tool",
    "source",
    "stream",
    "server",
    "tool",
    "source_pair",
)
SCOPE: Final = " AND ".join(
    [
        "$__timeFilter(time)",
        entity_is(ENTITY),
        is_any("session", "session_id"),
        is_any("trace", "trace_id"),
    ]
)
_ALERTS: Final = (
    "id = ${alert:sqlstring} OR ($__timeFilter(window_start) AND (${entity:sqlstring} = '' OR "
    "(entity_kind = ${entity_kind:sqlstring} AND entity = ${entity:sqlstring}) OR "
    "JSONExtractString(payload, 'actor') = ${entity:sqlstring}))"
)
_HERE: Final = f"/d/{UID}/?${{__url_time_range}}"
#: a finding's entity: either source, the host|server pair, the server (and its tool)
_FINDING_SCOPE: Final = " AND ".join(
    [
        "$__timeFilter(time)",
        "(${entity:sqlstring} = '' OR ${entity:sqlstring} IN (host, server, server_name, "
        "concat(host, '|', server), concat(server_name, '|', tool), concat(server, '|', tool)))",
        is_any("session", "session_id"),
        is_any("trace", "trace_id"),
    ]
)
VARIABLES: Final = (
    Variable("entity_kind", "entity kind", "custom", ",".join(ENTITY_KINDS), default="user"),
    Variable("entity", "entity", "textbox"),
    Variable("session", "mcp.session.id", "textbox"),
    Variable("trace", "trace_id", "textbox"),
    Variable("alert", "alert id", "textbox"),
)

INVESTIGATION: Final = DashboardSpec(
    uid=UID,
    title="tooltrail / Investigation",
    description="One entity, session or trace: the timeline of every call, both sides of each "
    "call, the alerts involved and their explanation, the integrity of the streams.",
    variables=VARIABLES,
    time_from="now-6h",
    annotations=(
        (
            "alerts of this entity",
            f"""SELECT window_start AS time, window_end AS timeEnd,
    concat(severity, ' · ', detector, ': ', {ALERT_REASON}) AS text, [severity, detector] AS tags
FROM alerts FINAL WHERE {_ALERTS}""",
        ),
    ),
    links=(("Overview", "/d/tooltrail-overview"), ("Integrity", "/d/tooltrail-integrity")),
    panels=(
        PanelSpec(
            title="Alerts involved",
            width=24,
            height=6,
            sql=f"""SELECT window_start AS time, window_end, severity, detector, entity_kind,
    entity, round(score, 2) AS score, {ALERT_REASON} AS reason, status, id
FROM alerts FINAL WHERE {_ALERTS}
ORDER BY window_start LIMIT 200""",
            columns=(
                ("time", "time"),
                ("window_end", "time"),
                *ALERT_ROW,
            ),
            links=(
                Link(
                    "entity",
                    "This entity's events",
                    f"{_HERE}&var-entity_kind=${{__data.fields.entity_kind}}"
                    "&var-entity=${__value.raw}",
                ),
            ),
        ),
        PanelSpec(
            title="Why: the features that drove the alerts",
            width=24,
            height=6,
            sql=f"""SELECT id, detector, JSONExtractString(f, 'name') AS feature,
    JSONExtractFloat(f, 'value') AS value, JSONExtractFloat(f, 'baseline_p50') AS baseline_p50,
    JSONExtractFloat(f, 'baseline_p99') AS baseline_p99, JSONExtractString(f, 'basis') AS basis
FROM (SELECT id, detector, payload FROM alerts FINAL WHERE {_ALERTS})
ARRAY JOIN JSONExtractArrayRaw(payload, 'features') AS f
ORDER BY id, feature""",
            columns=(
                ("id", "string"),
                ("detector", "string"),
                ("feature", "string"),
                ("value", "number"),
                ("baseline_p50", "number"),
                ("baseline_p99", "number"),
                ("basis", "string"),
            ),
        ),
        PanelSpec(
            title="Calls in scope by outcome",
            viz="timeseries",
            time_series=True,
            width=24,
            height=6,
            sql=f"""SELECT $__timeInterval(time) AS time, outcome, count() AS calls
FROM events WHERE {SCOPE}
GROUP BY time, outcome ORDER BY time""",
            columns=(("time", "time"), ("outcome", "string"), ("calls", "number")),
        ),
        PanelSpec(
            title="Timeline: every event",
            description="Column names are the event contract's field names.",
            width=24,
            height=14,
            sql=f"""SELECT time, source_kind AS `source.kind`, source_name AS `source.name`,
    user AS `actor.user`, agent AS `actor.agent`, method AS `mcp.method.name`,
    tool AS `gen_ai.tool.name`, resource_uri AS `mcp.resource.uri`, outcome,
    error_type AS `error.type`, duration_us, args_bytes, result_bytes, args_fingerprint,
    session_id AS `mcp.session.id`, trace_id, event_id, stream_id, seq, integrity
FROM events WHERE {SCOPE}
ORDER BY time, event_id LIMIT 5000""",
            columns=(
                ("time", "time"),
                ("source.kind", "string"),
                ("source.name", "string"),
                ("actor.user", "string"),
                ("actor.agent", "string"),
                ("mcp.method.name", "string"),
                ("gen_ai.tool.name", "string"),
                ("mcp.resource.uri", "string"),
                ("outcome", "string"),
                ("error.type", "string"),
                ("duration_us", "number"),
                ("args_bytes", "number"),
                ("result_bytes", "number"),
                ("args_fingerprint", "string"),
                ("mcp.session.id", "string"),
                ("trace_id", "string"),
                ("event_id", "string"),
                ("stream_id", "string"),
                ("seq", "number"),
                ("integrity", "string"),
            ),
            links=(
                Link("trace_id", "This trace", f"{_HERE}&var-trace=${{__value.raw}}"),
                Link("mcp.session.id", "This session", f"{_HERE}&var-session=${{__value.raw}}"),
                Link(
                    "actor.user",
                    "This user",
                    f"{_HERE}&var-entity_kind=user&var-entity=${{__value.raw}}",
                ),
                Link(
                    "stream_id",
                    "This stream",
                    f"{_HERE}&var-entity_kind=stream&var-entity=${{__value.raw}}",
                ),
            ),
        ),
        PanelSpec(
            title="Both sides of each call (host and server events by trace)",
            width=24,
            sql=f"""SELECT min(time) AS started, trace_id, method AS `mcp.method.name`,
    tool AS `gen_ai.tool.name`,
    anyIf(source_name, source_kind = 'host') AS `host source.name`,
    anyIf(outcome, source_kind = 'host') AS `host outcome`,
    maxIf(duration_us, source_kind = 'host') AS `host duration_us`,
    anyIf(source_name, source_kind = 'server') AS `server source.name`,
    anyIf(outcome, source_kind = 'server') AS `server outcome`,
    maxIf(duration_us, source_kind = 'server') AS `server duration_us`,
    countIf(source_kind = 'host') AS host_events, countIf(source_kind = 'server') AS server_events
FROM events WHERE {SCOPE} AND trace_id != ''
GROUP BY trace_id, method, tool ORDER BY started LIMIT 2000""",
            columns=(
                ("started", "time"),
                ("trace_id", "string"),
                ("mcp.method.name", "string"),
                ("gen_ai.tool.name", "string"),
                ("host source.name", "string"),
                ("host outcome", "string"),
                ("host duration_us", "number"),
                ("server source.name", "string"),
                ("server outcome", "string"),
                ("server duration_us", "number"),
                ("host_events", "number"),
                ("server_events", "number"),
            ),
            links=(Link("trace_id", "This trace", f"{_HERE}&var-trace=${{__value.raw}}"),),
        ),
        PanelSpec(
            title="Reconciliation and tool drift",
            description="Calls the host and the server saw differently (or only one of them saw), "
            "and tools that changed or carry instructions aimed at the model "
            "(call_findings; docs/alerts.md).",
            width=24,
            height=7,
            sql=f"""SELECT time, kind, severity, method AS `mcp.method.name`,
    tool AS `gen_ai.tool.name`, host AS `host source.name`, server AS `server source.name`,
    client AS `actor.client`, server_name, server_version, detail,
    session_id AS `mcp.session.id`, trace_id, host_event_id, server_event_id
FROM (SELECT *, fromUnixTimestamp64Micro(toInt64(ts), 'UTC') AS time FROM call_findings FINAL)
WHERE {_FINDING_SCOPE}
ORDER BY time, kind LIMIT 1000""",
            columns=(
                ("time", "time"),
                ("kind", "string"),
                ("severity", "string"),
                ("mcp.method.name", "string"),
                ("gen_ai.tool.name", "string"),
                ("host source.name", "string"),
                ("server source.name", "string"),
                ("actor.client", "string"),
                ("server_name", "string"),
                ("server_version", "string"),
                ("detail", "string"),
                ("mcp.session.id", "string"),
                ("trace_id", "string"),
                ("host_event_id", "string"),
                ("server_event_id", "string"),
            ),
            links=(Link("trace_id", "This trace", f"{_HERE}&var-trace=${{__value.raw}}"),),
        ),
        PanelSpec(
            title="Integrity of the streams involved",
            width=24,
            height=6,
            sql=f"""SELECT e.stream_id AS stream_id, e.source AS `source.name`, e.events AS events,
    e.first_seq AS first_seq, e.last_seq AS last_seq, e.flagged AS flagged_events,
    f.findings AS findings, f.classes AS finding_classes, c.checkpoint_seq AS checkpoint_seq,
    if(c.checkpoints = 0, 'no checkpoint',
       if(c.checkpoint_seq >= e.last_seq, 'vouched', 'unvouched tail')) AS vouched
FROM (SELECT stream_id, any(source_name) AS source, count() AS events, min(seq) AS first_seq,
        max(seq) AS last_seq, countIf(integrity != '') AS flagged
      FROM events WHERE {SCOPE} GROUP BY stream_id) AS e
LEFT JOIN (SELECT stream_id, count() AS findings,
        arrayStringConcat(groupUniqArray(class), ', ') AS classes
      FROM integrity_findings GROUP BY stream_id) AS f ON f.stream_id = e.stream_id
LEFT JOIN (SELECT stream_id, count() AS checkpoints, max(seq) AS checkpoint_seq
      FROM checkpoints GROUP BY stream_id) AS c ON c.stream_id = e.stream_id
ORDER BY findings DESC, stream_id""",
            columns=(
                ("stream_id", "string"),
                ("source.name", "string"),
                ("events", "number"),
                ("first_seq", "number"),
                ("last_seq", "number"),
                ("flagged_events", "number"),
                ("findings", "number"),
                ("finding_classes", "string"),
                ("checkpoint_seq", "number"),
                ("vouched", "string"),
            ),
        ),
    ),
)
