"""The call-level rules ``reconcile`` and ``tool_drift``: findings stored, then alert candidates.

Unlike the window rules (``rules.py``), these judge single events: the two sides of one call
(``reconcile.py``) and each tool list against the one before it (``drift.py``).
:meth:`CallChecks.score` runs both over an event-time range, the way ``Engine.score`` scores the
windows ending in it, and is called beside it by the runner:

- reconciliation judges the calls in ``[since - grace, until - grace)``: a call is judged only
  once its twin had ``grace`` of event time to arrive (the runner's watermark already trails the
  newest event by its lateness); tool lists are judged in ``[since, until)``;
- every finding is stored in ``call_findings`` (``tooltrail.pipeline.store.callfindings``;
  judging the same events again stores nothing new) *before* its alert candidate is returned;
- alert candidates: ``rule:reconcile`` (``high`` for altered arguments, ``medium`` for one-sided
  calls and result sizes), ``rule:tool_drift`` (``high``; ``critical`` for injected
  instructions); one dedupe key per finding kind and pair (reconcile) or server tool (drift), so
  repeats within the cooldown raise the alert's count.

If the store fails, :class:`~tooltrail.pipeline.store.errors.StoreUnavailable` propagates and
the runner retries the step (the cursor does not move).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from tooltrail.pipeline.store.callfindings import CALL_FINDING_COLUMNS

from .alert import Alert, EventRefs, Severity
from .drift import DriftFinding, Listing, judge_listing, listing_of
from .reconcile import CALL_METHODS, Finding, Pairs, SizeTolerance, reconcile

if TYPE_CHECKING:
    from tooltrail.pipeline.store import Store

__all__ = ["CallCheckSettings", "CallChecks"]

_S: Final = 1_000_000


@dataclass(frozen=True, slots=True)
class CallCheckSettings:
    grace_seconds: float = 60.0
    skew_seconds: float = 30.0
    result_min_bytes: int = 32
    result_share: float = 0.05

    @property
    def grace_us(self) -> int:
        return int(self.grace_seconds * _S)

    @property
    def skew_us(self) -> int:
        return int(self.skew_seconds * _S)


class CallChecks:
    """Reconciliation and tool drift over one store (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        settings: CallCheckSettings | None = None,
        *,
        link: Callable[[str, str, int, int, str], str] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings or CallCheckSettings()
        self.link = link  # (entity kind, entity, start, end, alert id) -> the alert's link
        self._pairs = Pairs({}, set())
        self._pairs_until = 0  # event time up to which pairs and served tools are loaded

    def score(self, since: int, until: int) -> list[Alert]:
        """Store the findings of ``(since, until]`` (see the module docstring); their alerts."""
        grace = self.settings.grace_us
        found = self.reconcile(since - grace, until - grace)
        drift = self.drift(since, until)
        self._store_findings(found, drift)
        alerts = [_reconcile_alert(f) for f in found] + [_drift_alert(f) for f in drift]
        if self.link is not None:
            for a in alerts:
                a.link = self.link(a.entity_kind, a.entity, a.window_start, a.window_end, a.id)
        alerts.sort(key=lambda a: (a.window_start, a.detector, a.entity))
        return alerts

    # -- reconciliation -------------------------------------------------------------------------

    def reconcile(self, since: int, until: int) -> list[Finding]:
        """Reconciliation findings of the calls in ``[since, until)`` (nothing stored)."""
        if until <= since:
            return []
        skew = self.settings.skew_us
        self._load_pairs(until + self.settings.grace_us)
        if not self._pairs.first:  # no call ever joined: nothing can be judged (host-only, or
            return []  # server-only, deployments)
        db = self.store.database
        events = self.store.query_df(
            "SELECT event_id, toInt64(ts) AS ts, source_kind, source_name, client, method, tool,"  # noqa: S608
            " resource_uri, trace_id, session_id, request_id, args_fingerprint,"
            " ifNull(toInt64(result_bytes), -1) AS result_bytes, outcome,"
            " JSONExtractString(attrs, 'tooltrail.relay') AS relay"
            f" FROM {db}.events FINAL"
            " WHERE ts >= {lo:UInt64} AND ts < {hi:UInt64} AND method IN {m:Array(String)}",
            {"lo": max(since - skew, 0), "hi": max(until + skew, 0), "m": list(CALL_METHODS)},
        )
        s = self.settings
        return reconcile(
            events,
            self._pairs,
            since,
            until,
            grace_us=s.grace_us,
            tolerance=SizeTolerance(s.result_min_bytes, s.result_share),
        )

    def _load_pairs(self, until: int) -> None:
        """Add the pairs that joined, and the tools servers served, up to event time ``until``
        (incrementally: from where the last load ended, less the skew)."""
        if until <= self._pairs_until:
            return
        lo = max(self._pairs_until - 2 * self.settings.skew_us, 0)
        db = self.store.database
        joined = self.store.query_rows(
            "SELECT h.source_name, s.source_name, s.client, min(least(h.ts, s.ts))"  # noqa: S608
            f" FROM (SELECT source_name, ts, trace_id, method, tool, resource_uri FROM {db}.events"
            "  WHERE source_kind = 'host' AND trace_id != ''"
            "  AND ts >= {lo:UInt64} AND ts < {hi:UInt64}) AS h"
            f" INNER JOIN (SELECT source_name, client, ts, trace_id, method, tool, resource_uri"
            f"  FROM {db}.events WHERE source_kind = 'server' AND trace_id != ''"
            "  AND ts >= {lo:UInt64} AND ts < {hi:UInt64}) AS s"
            " ON h.trace_id = s.trace_id AND h.method = s.method AND h.tool = s.tool"
            " AND h.resource_uri = s.resource_uri"
            " GROUP BY h.source_name, s.source_name, s.client",
            {"lo": lo, "hi": until},
        )
        for host, server, client, first in joined:
            key = (str(host), str(server), str(client))
            self._pairs.first[key] = min(int(first), self._pairs.first.get(key, int(first)))
        served = self.store.query_rows(
            "SELECT DISTINCT source_name, method, tool"  # noqa: S608
            f" FROM {db}.events WHERE source_kind = 'server'"
            " AND method IN {m:Array(String)} AND ts >= {lo:UInt64} AND ts < {hi:UInt64}"
            " UNION DISTINCT SELECT DISTINCT source_name, 'tools/call',"
            " arrayJoin(JSONExtractKeys(attrs, 'tooltrail.tools'))"
            f" FROM {db}.events WHERE source_kind = 'server' AND method = 'tools/list'"
            " AND ts >= {lo:UInt64} AND ts < {hi:UInt64}",
            {"lo": lo, "hi": until, "m": list(CALL_METHODS)},
        )
        self._pairs.served.update((str(s), str(m), str(t)) for s, m, t in served)
        self._pairs_until = until

    # -- tool drift -----------------------------------------------------------------------------

    def drift(self, since: int, until: int) -> list[DriftFinding]:
        """Drift findings of the tool lists recorded in ``[since, until)`` (nothing stored)."""
        if until <= since:
            return []
        db = self.store.database
        rows = self.store.query_rows(
            "SELECT event_id, toInt64(ts), source_name, attrs"  # noqa: S608
            f" FROM {db}.events FINAL WHERE method = 'tools/list'"
            " AND ts >= {lo:UInt64} AND ts < {hi:UInt64} ORDER BY ts, event_id",
            {"lo": max(since, 0), "hi": max(until, 0)},
        )
        listings = [
            x for r in rows if (x := listing_of(str(r[0]), int(r[1]), str(r[2]), str(r[3])))
        ]
        if not listings:
            return []
        last = self._previous_listings(since, sorted({x.observer for x in listings}))
        out: list[DriftFinding] = []
        for listing in listings:
            key = (listing.observer, listing.server_name)
            out.extend(judge_listing(listing, last.get(key)))
            last[key] = listing
        return out

    def _previous_listings(
        self, before: int, observers: Sequence[str]
    ) -> dict[tuple[str, str], Listing]:
        """Each observer's latest listing (per server name) before ``before``."""
        db = self.store.database
        rows = self.store.query_rows(
            "SELECT argMax(event_id, (ts, event_id)), toInt64(max(ts)), source_name,"  # noqa: S608
            " argMax(attrs, (ts, event_id))"
            f" FROM {db}.events WHERE method = 'tools/list' AND ts < {{lo:UInt64}}"
            " AND source_name IN {obs:Array(String)}"
            " GROUP BY source_name, JSONExtractString(attrs, 'tooltrail.server.name')",
            {"lo": max(before, 0), "obs": list(observers)},
        )
        out: dict[tuple[str, str], Listing] = {}
        for r in rows:
            if (x := listing_of(str(r[0]), int(r[1]), str(r[2]), str(r[3]))) is not None:
                out[(x.observer, x.server_name)] = x
        return out

    # -- storing --------------------------------------------------------------------------------

    def _store_findings(self, found: Sequence[Finding], drift: Sequence[DriftFinding]) -> None:
        rows = [
            (f.kind, f.severity, f.ts, f.key, f.method, f.tool, f.host, f.server, f.client,
             f.session_id, f.trace_id, f.host_event_id, f.server_event_id, "", "", f.detail)
            for f in found
        ]  # fmt: skip
        rows += [
            (d.kind, d.severity, d.listing.ts, d.key, "tools/list", d.tool, "", d.listing.observer,
             "", "", "", "", d.listing.event_id, d.listing.server_name, d.listing.server_version,
             d.detail)
            for d in drift
        ]  # fmt: skip
        if rows:
            self.store.insert_rows("call_findings", rows, CALL_FINDING_COLUMNS)


def _reconcile_alert(f: Finding) -> Alert:
    entity = f"{f.host}|{f.server}"
    return Alert(
        severity=_severity(f.severity),
        detector="rule:reconcile",
        entity_kind="source_pair",
        entity=entity,
        window_start=f.ts,
        window_end=f.ts + 1,
        score=100.0 if f.severity == "high" else 50.0,
        reason=f.detail,
        dedupe_key=f"rule:reconcile|{f.kind}|{entity}",
        events=EventRefs(
            count=int(bool(f.host_event_id)) + int(bool(f.server_event_id)),
            event_ids=tuple(e for e in (f.host_event_id, f.server_event_id) if e),
            session_ids=(f.session_id,) if f.session_id else (),
            trace_ids=(f.trace_id,) if f.trace_id else (),
        ),
    )


def _drift_alert(d: DriftFinding) -> Alert:
    server = d.listing.server_name or d.listing.observer
    entity = f"{server}|{d.tool}"
    return Alert(
        severity=_severity(d.severity),
        detector="rule:tool_drift",
        entity_kind="server_tool",
        entity=entity,
        window_start=d.listing.ts,
        window_end=d.listing.ts + 1,
        score=100.0 if d.severity == "critical" else 80.0,
        reason=d.detail,
        dedupe_key=f"rule:tool_drift|{d.kind}|{d.listing.observer}|{entity}",
        events=EventRefs(count=1, event_ids=(d.listing.event_id,)),
    )


def _severity(value: str) -> Severity:
    if value == "critical":
        return "critical"
    if value == "high":
        return "high"
    return "medium" if value == "medium" else "low"
