"""The Detectors dashboard: scores, alert counts by detector and severity, feedback (acked,
false positive), what cold-start learning and cooldowns held back, and the announced activity
(change calendar) that kept alerts from paging."""

from __future__ import annotations

from typing import Final

from .spec import DashboardSpec, PanelSpec, Variable

__all__ = ["DETECTORS"]

DETECTORS: Final = DashboardSpec(
    uid="tooltrail-detectors",
    title="tooltrail / Detectors",
    description="What the detectors raised, how people labelled it, and what they held back.",
    time_from="now-7d",
    variables=(
        Variable(
            "learning_days",
            "learning days (TOOLTRAIL_DETECT_LEARNING_DAYS)",
            "custom",
            "3,1,7,14",
            default="3",
        ),
    ),
    links=(("Overview", "/d/tooltrail-overview"), ("Investigation", "/d/tooltrail-investigate")),
    panels=(
        PanelSpec(
            title="Alerts by detector and severity",
            viz="timeseries",
            time_series=True,
            sql="""SELECT $__timeInterval(window_start) AS time,
    concat(detector, ' · ', severity) AS series, count() AS alerts
FROM alerts FINAL WHERE $__timeFilter(window_start)
GROUP BY time, series ORDER BY time""",
            columns=(("time", "time"), ("series", "string"), ("alerts", "number")),
        ),
        PanelSpec(
            title="Scores (highest per detector)",
            viz="timeseries",
            time_series=True,
            sql="""SELECT $__timeInterval(window_start) AS time, detector, max(score) AS score
FROM alerts FINAL WHERE $__timeFilter(window_start)
GROUP BY time, detector ORDER BY time""",
            columns=(("time", "time"), ("detector", "string"), ("score", "number")),
        ),
        PanelSpec(
            title="Alert counts and feedback by detector and severity",
            description="windows: scoring windows merged into the alerts (cooldown repeats "
            "included); open / acked / false_positive: people's labels.",
            width=24,
            sql="""SELECT detector, severity, count() AS alerts,
    sum(JSONExtractUInt(payload, 'count')) AS windows, countIf(status = 'open') AS open,
    countIf(status = 'acked') AS acked, countIf(status = 'false_positive') AS false_positive
FROM alerts FINAL WHERE $__timeFilter(window_start)
GROUP BY detector, severity ORDER BY alerts DESC""",
            columns=(
                ("detector", "string"),
                ("severity", "string"),
                ("alerts", "number"),
                ("windows", "number"),
                ("open", "number"),
                ("acked", "number"),
                ("false_positive", "number"),
            ),
        ),
        PanelSpec(
            title="Feedback",
            description="Alerts people acknowledged or labelled false positive (a false "
            "positive suppresses its repeats and is learned as normal).",
            sql="""SELECT updated AS time, id, detector, entity, status,
    JSONExtractString(payload, 'annotations', 'note') AS note,
    JSONExtractString(payload, 'annotations', 'acked_by') AS acked_by
FROM alerts FINAL WHERE status != 'open' ORDER BY updated DESC LIMIT 200""",
            columns=(
                ("time", "time"),
                ("id", "string"),
                ("detector", "string"),
                ("entity", "string"),
                ("status", "string"),
                ("note", "string"),
                ("acked_by", "string"),
            ),
        ),
        PanelSpec(
            title="Held back: users still learning, repeats merged",
            description="Users first seen less than $learning_days days before the end of the "
            "range: baseline rules do not page on them yet (counted live in "
            'tooltrail_alerts_suppressed_total{reason="learning"}). repeats_merged: windows '
            "folded into an earlier alert by the cooldown.",
            sql="""SELECT user AS `actor.user`, min(time) AS first_seen, count() AS calls,
    (SELECT sum(JSONExtractUInt(payload, 'count') - 1) FROM alerts FINAL
     WHERE $__timeFilter(window_start)) AS repeats_merged
FROM events WHERE user != '' AND time <= $__toTime
GROUP BY user HAVING first_seen > $__toTime - INTERVAL $learning_days DAY
ORDER BY first_seen DESC""",
            columns=(
                ("actor.user", "string"),
                ("first_seen", "time"),
                ("calls", "number"),
                ("repeats_merged", "number"),
            ),
        ),
        PanelSpec(
            title="Announced activity (change calendar)",
            description="Announcements filed with 'tooltrail alerts announce' that overlap the "
            "range: whose activity, when, why, who filed it, whether it was withdrawn, and how "
            "many alerts it kept from paging (stored as low; see docs/alerts.md).",
            width=24,
            sql="""SELECT a.created AS filed, a.id AS id,
    arrayStringConcat(a.actors, ', ') AS actors,
    a.window_start AS starts, a.window_end AS ends, a.by AS by, a.status AS status,
    JSONExtractString(a.payload, 'withdrawn_by') AS withdrawn_by,
    JSONExtractString(a.payload, 'reason') AS reason, ifNull(d.demoted, 0) AS demoted
FROM announcements AS a FINAL
LEFT JOIN (SELECT JSONExtractString(payload, 'announcement') AS id, count() AS demoted
    FROM alerts FINAL WHERE JSONExtractString(payload, 'original_severity') != ''
    GROUP BY id) AS d ON a.id = d.id
WHERE a.window_end >= $__fromTime AND a.window_start <= $__toTime
ORDER BY filed DESC LIMIT 200""",
            columns=(
                ("filed", "time"),
                ("id", "string"),
                ("actors", "string"),
                ("starts", "time"),
                ("ends", "time"),
                ("by", "string"),
                ("status", "string"),
                ("withdrawn_by", "string"),
                ("reason", "string"),
                ("demoted", "number"),
            ),
        ),
    ),
)
