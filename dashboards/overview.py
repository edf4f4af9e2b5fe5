"""The Overview dashboard: traffic, failures, bytes, top actors, alerts and integrity at a glance.

Selectors: source, server, tool, user, agent (each "All" by default); alerts are annotations.
"""

from __future__ import annotations

from typing import Final

from ._sql import AGENT, ALERT_REASON, ALERT_ROW, EVENT_FILTERS, SERVER, TOOL
from .spec import DashboardSpec, Link, PanelSpec, Variable

__all__ = ["OVERVIEW"]

F = EVENT_FILTERS
_INVESTIGATE = (
    "/d/tooltrail-investigate/?var-entity_kind={kind}&var-entity=${{__value.raw}}"
    "&${{__url_time_range}}"
)


def _top(column: str, name: str, kind: str) -> PanelSpec:
    return PanelSpec(
        title=f"Top {kind}s",
        sql=f"""SELECT {column} AS `{name}`, count() AS calls,
    countIf(outcome = 'error') AS errors, countIf(outcome = 'denied') AS denials,
    sum(ifNull(result_bytes, 0)) AS bytes_out
FROM events WHERE {F} AND {column} != ''
GROUP BY `{name}` ORDER BY calls DESC LIMIT 10""",
        columns=(
            (name, "string"),
            ("calls", "number"),
            ("errors", "number"),
            ("denials", "number"),
            ("bytes_out", "number"),
        ),
        links=(Link(name, f"Investigate this {kind}", _INVESTIGATE.format(kind=kind)),),
    )


OVERVIEW: Final = DashboardSpec(
    uid="tooltrail-overview",
    title="tooltrail / Overview",
    description="MCP tool calls: traffic, failures, bytes, top users and agents, alerts and "
    "integrity.",
    variables=(
        Variable(
            "source",
            "source.name",
            "query",
            "SELECT DISTINCT source_name FROM events WHERE $__timeFilter(time) ORDER BY 1",
        ),
        Variable(
            "server",
            "server",
            "query",
            f"SELECT DISTINCT {SERVER} FROM events WHERE $__timeFilter(time) ORDER BY 1",
        ),
        Variable(
            "tool",
            "gen_ai.tool.name",
            "query",
            f"SELECT DISTINCT {TOOL} FROM events WHERE $__timeFilter(time) ORDER BY 1",
        ),
        Variable(
            "user",
            "actor.user",
            "query",
            "SELECT DISTINCT user FROM events WHERE $__timeFilter(time) AND user != '' ORDER BY 1",
        ),
        Variable(
            "agent",
            "actor.agent",
            "query",
            f"SELECT DISTINCT {AGENT} FROM events WHERE $__timeFilter(time) ORDER BY 1",
        ),
    ),
    annotations=(
        (
            "alerts",
            f"""SELECT window_start AS time, window_end AS timeEnd,
    concat(severity, ' · ', detector, ': ', {ALERT_REASON}) AS text, [severity, detector] AS tags
FROM alerts FINAL WHERE $__timeFilter(window_start)""",
        ),
    ),
    links=(
        ("Investigation", "/d/tooltrail-investigate"),
        ("Integrity", "/d/tooltrail-integrity"),
        ("Detectors", "/d/tooltrail-detectors"),
    ),
    panels=(
        PanelSpec(
            title="Calls",
            viz="stat",
            width=8,
            height=4,
            sql=f"""SELECT count() AS calls, countIf(outcome != 'ok') AS failed,
    uniqExact(user) AS users, uniqExact(source_name) AS sources
FROM events WHERE {F}""",
            columns=(
                ("calls", "number"),
                ("failed", "number"),
                ("users", "number"),
                ("sources", "number"),
            ),
        ),
        PanelSpec(
            title="Integrity",
            description="Streams with stored events; integrity findings (any time); events in "
            "range flagged at ingest. Details: the Integrity dashboard.",
            viz="stat",
            width=8,
            height=4,
            sql="""SELECT (SELECT uniqExact(stream_id) FROM chain_heads) AS streams,
    (SELECT count() FROM integrity_findings FINAL) AS findings,
    countIf(integrity != '') AS flagged_events
FROM events WHERE $__timeFilter(time)""",
            columns=(
                ("streams", "number"),
                ("findings", "number"),
                ("flagged_events", "number"),
            ),
        ),
        PanelSpec(
            title="Alerts",
            viz="stat",
            width=8,
            height=4,
            sql="""SELECT count() AS alerts, countIf(severity IN ('high', 'critical')) AS high,
    countIf(status = 'open') AS open
FROM alerts FINAL WHERE $__timeFilter(window_start)""",
            columns=(("alerts", "number"), ("high", "number"), ("open", "number")),
        ),
        PanelSpec(
            title="Calls/s by server and tool",
            viz="timeseries",
            time_series=True,
            width=24,
            unit="reqps",
            sql=f"""SELECT $__timeInterval(time) AS time,
    concat(source_name, ' · ', {TOOL}) AS series, count() / $__interval_s AS calls_per_s
FROM events WHERE {F}
GROUP BY time, series ORDER BY time""",
            columns=(("time", "time"), ("series", "string"), ("calls_per_s", "number")),
        ),
        PanelSpec(
            title="Errors and denials",
            viz="timeseries",
            sql=f"""SELECT $__timeInterval(time) AS time, countIf(outcome = 'error') AS errors,
    countIf(outcome = 'denied') AS denials
FROM events WHERE {F}
GROUP BY time ORDER BY time""",
            columns=(("time", "time"), ("errors", "number"), ("denials", "number")),
        ),
        PanelSpec(
            title="Bytes in / out",
            description="args_bytes (in) and result_bytes (out) summed per interval.",
            viz="timeseries",
            unit="decbytes",
            sql=f"""SELECT $__timeInterval(time) AS time, sum(ifNull(args_bytes, 0)) AS bytes_in,
    sum(ifNull(result_bytes, 0)) AS bytes_out
FROM events WHERE {F}
GROUP BY time ORDER BY time""",
            columns=(("time", "time"), ("bytes_in", "number"), ("bytes_out", "number")),
        ),
        _top("user", "actor.user", "user"),
        _top(AGENT, "actor.agent", "agent"),
        PanelSpec(
            title="Alerts in range",
            width=24,
            sql=f"""SELECT window_start AS time, severity, detector, entity_kind, entity,
    round(score, 2) AS score, {ALERT_REASON} AS reason, status, id
FROM alerts FINAL WHERE $__timeFilter(window_start)
ORDER BY window_start DESC LIMIT 200""",
            columns=(
                ("time", "time"),
                *ALERT_ROW,
            ),
            links=(
                Link(
                    "id",
                    "Investigate this alert",
                    "/d/tooltrail-investigate/?var-alert=${__value.raw}"
                    "&var-entity_kind=${__data.fields.entity_kind}"
                    "&var-entity=${__data.fields.entity}&${__url_time_range}",
                ),
            ),
        ),
    ),
)
