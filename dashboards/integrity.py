"""The Integrity dashboard: every stream's chain head, last checkpoint and digest, unvouched
tails, quarantined batches, and the findings (by class, and each one) that ingest and ``verify``
recorded."""

from __future__ import annotations

from typing import Final

from .spec import DashboardSpec, Link, PanelSpec

__all__ = ["INTEGRITY"]

_STREAMS: Final = """SELECT h.stream_id AS stream_id, h.source AS `source.name`, h.seq AS head_seq,
    h.updated AS last_stored, c.checkpoints AS checkpoints, c.checkpoint_seq AS checkpoint_seq,
    c.checkpoint_time AS checkpoint_time, d.digest_hour AS last_digest_hour,
    d.digest_last_seq AS digest_last_seq,
    toInt64(if(c.checkpoints = 0, toInt64(h.seq) + 1,
        greatest(toInt64(h.seq) - toInt64(c.checkpoint_seq), toInt64(0)))) AS unvouched_events,
    f.findings AS findings
FROM (SELECT stream_id, argMax(source, chain_heads.seq) AS source, max(chain_heads.seq) AS seq,
        max(chain_heads.updated) AS updated
      FROM chain_heads GROUP BY stream_id) AS h
LEFT JOIN (SELECT stream_id, count() AS checkpoints, max(seq) AS checkpoint_seq,
        fromUnixTimestamp64Micro(toInt64(max(ts)), 'UTC') AS checkpoint_time
      FROM checkpoints GROUP BY stream_id) AS c ON c.stream_id = h.stream_id
LEFT JOIN (SELECT stream_id, max(hour) AS digest_hour, max(last_seq) AS digest_last_seq
      FROM digests GROUP BY stream_id) AS d ON d.stream_id = h.stream_id
LEFT JOIN (SELECT stream_id, count() AS findings FROM integrity_findings GROUP BY stream_id) AS f
    ON f.stream_id = h.stream_id
ORDER BY findings DESC, unvouched_events DESC, stream_id"""

INTEGRITY: Final = DashboardSpec(
    uid="tooltrail-integrity",
    title="tooltrail / Integrity",
    description="Streams, chain heads, checkpoints, digests, unvouched tails and findings. "
    "`tooltrail verify` is the authority; this shows what it and ingest recorded.",
    time_from="now-7d",
    links=(("Overview", "/d/tooltrail-overview"), ("Investigation", "/d/tooltrail-investigate")),
    panels=(
        PanelSpec(
            title="Streams",
            viz="stat",
            width=8,
            height=4,
            sql=f"""SELECT count() AS streams, countIf(unvouched_events > 0) AS unvouched,
    countIf(findings > 0) AS with_findings
FROM ({_STREAMS})""",
            columns=(
                ("streams", "number"),
                ("unvouched", "number"),
                ("with_findings", "number"),
            ),
        ),
        PanelSpec(
            title="Findings by class",
            viz="barchart",
            width=16,
            height=4,
            sql="""SELECT class, count() AS findings FROM integrity_findings FINAL
GROUP BY class ORDER BY findings DESC""",
            columns=(("class", "string"), ("findings", "number")),
        ),
        PanelSpec(
            title="Streams: head, last checkpoint and digest, unvouched tail",
            description="unvouched_events: stored events after the stream's last signed "
            "checkpoint (all of them when it has none).",
            width=24,
            height=10,
            sql=_STREAMS,
            columns=(
                ("stream_id", "string"),
                ("source.name", "string"),
                ("head_seq", "number"),
                ("last_stored", "time"),
                ("checkpoints", "number"),
                ("checkpoint_seq", "number"),
                ("checkpoint_time", "time"),
                ("last_digest_hour", "time"),
                ("digest_last_seq", "number"),
                ("unvouched_events", "number"),
                ("findings", "number"),
            ),
            links=(
                Link(
                    "stream_id",
                    "This stream's events",
                    "/d/tooltrail-investigate/?var-entity_kind=stream"
                    "&var-entity=${__value.raw}&${__url_time_range}",
                ),
            ),
        ),
        PanelSpec(
            title="Flagged events over time",
            description="Events stored with an integrity mark (a break found at ingest).",
            viz="timeseries",
            time_series=True,
            width=24,
            height=6,
            sql="""SELECT $__timeInterval(time) AS time, integrity AS class, count() AS events
FROM events WHERE $__timeFilter(time) AND integrity != ''
GROUP BY time, class ORDER BY time""",
            columns=(("time", "time"), ("class", "string"), ("events", "number")),
        ),
        PanelSpec(
            title="Quarantined batches",
            description="What a writer sent that did not continue a stream's chain, kept beside "
            "it as evidence (never in the stream): one row per segment received.",
            width=24,
            height=8,
            sql="""SELECT min(received) AS time, stream_id, writer, findings,
    min(seq) AS first_seq, max(seq) AS last_seq, countIf(kind = 'event') AS events,
    countIf(kind = 'checkpoint') AS checkpoints
FROM quarantine FINAL
GROUP BY stream_id, writer, findings, toStartOfSecond(received)
ORDER BY time DESC LIMIT 500""",
            columns=(
                ("time", "time"),
                ("stream_id", "string"),
                ("writer", "string"),
                ("findings", "string"),
                ("first_seq", "number"),
                ("last_seq", "number"),
                ("events", "number"),
                ("checkpoints", "number"),
            ),
        ),
        PanelSpec(
            title="Findings",
            width=24,
            height=10,
            sql="""SELECT found_at AS time, stream_id, seq, class, detail, source, event_id
FROM integrity_findings FINAL ORDER BY found_at DESC LIMIT 500""",
            columns=(
                ("time", "time"),
                ("stream_id", "string"),
                ("seq", "number"),
                ("class", "string"),
                ("detail", "string"),
                ("source", "string"),
                ("event_id", "string"),
            ),
            links=(
                Link(
                    "stream_id",
                    "This stream's events",
                    "/d/tooltrail-investigate/?var-entity_kind=stream"
                    "&var-entity=${__value.raw}&${__url_time_range}",
                ),
            ),
        ),
    ),
)
