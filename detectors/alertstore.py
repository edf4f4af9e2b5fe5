"""The alert store: the one gate every alert candidate passes, and the alerts' lifecycle.

:meth:`AlertStore.offer` decides on **event time** and stored values only (never the wall clock
at the moment it decides), so a replay or a backfill makes the same decisions as live scoring
did. In this order:

1. **Replay**: a candidate already covered by the latest stored alert of its ``dedupe_key``
   (its ``window_end`` is not after that alert's ``last_window_end``) was seen before (the same
   id offered again after a restart, or an older window replayed) → ``None``, nothing changes,
   nothing is counted. Except a **completion**: the candidate is the alert's only window (same
   id, ``count`` 1) with other content — the alert was raised live while that window was
   still being filled, or stragglers arrived since — then the stored alert takes the
   candidate's reason, evidence, score and severity (what a replay stores), and is returned to
   be sent again only when its severity rose.
2. **False positive**: an alert of this ``dedupe_key`` labelled false positive whose
   ``last_window_end + fp_suppress_us >= candidate.window_start`` → ``None``
   (``alerts_suppressed{reason="false_positive"}``).
3. **Cooldown**: the latest alert of this ``dedupe_key`` (not labelled false positive) has
   ``last_window_end + cooldown_us >= candidate.window_start`` → merged into it: ``count + 1``,
   ``last_window_end``, ``score`` and ``severity`` the maxima, reason/features/events of the
   higher-scoring of the two. The merged row is re-stored under the first alert's id. It is
   returned (to be sent again, status back to ``open``) only when its severity rose; otherwise
   ``None`` (``alerts_suppressed{reason="cooldown"}``).
4. **New**: stored with status ``open`` and returned (``alerts_fired{detector,severity}``, also
   counted for an escalation in 3).

A **live** offer (``offer(alert, live=True)``, a window still being filled: ``live.py``) takes
only step 4: it starts a new alert or does nothing (no merge, nothing counted); the windowed
pass completes it (1) and merges what follows (3), so the stored alerts equal a replay's.

**Grouping** (``Alert.group``): alerts on the same *root actor* share a group. For entity kinds
``user``, ``user_tool``, ``agent`` and ``stream`` the root is the entity up to its first ``|``
(``u-17|fs.read_file`` → ``u-17``); a group stays open while its alerts follow each other with
gaps of at most ``group_window_us`` (a candidate starting no later than ``group_window_us``
after the group's latest ``last_window_end`` joins it). A new group is named by the id of its
first alert; other entity kinds are never grouped (group = own id).

State: the ``alerts`` table (``ReplacingMergeTree(updated)``: a change re-inserts the row with a
newer ``updated``; reads use ``FINAL``) plus a small in-memory index (latest alert per
``dedupe_key``, false-positive labels, open groups) loaded at construction, so a restart keeps
deduplicating. Every change is written to the table first; if the store raises
(``StoreUnavailable``), the index is unchanged. The index sees only this process's writes:
call :meth:`AlertStore.reload` after another process labelled alerts in a shared server.

**Announced activity** (``announce.py``, the change calendar): before these steps, a candidate an
announcement covers is demoted to ``low`` (stored, not paged; ``alerts_suppressed{reason=
"announced"}``). An alert stored unannounced keeps its severity: a completion or a merge of an
announced candidate never lowers it. :meth:`announce` / :meth:`withdraw` file and end them;
the calendar is re-read from its table at most once a second, so other processes' filings count.

The payload column holds ``Alert.to_dict()`` plus an ``annotations`` object (``note``,
``acked_by``) that :func:`alert_from_payload` strips; the other columns mirror the payload.
"""

from __future__ import annotations

import builtins
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from tooltrail.pipeline.store.schema import ALERT_COLUMNS

from ._alertrows import (
    GROUPED_KINDS,
    AlertReads,
    AlertRecord,
    alert_from_payload,
    alert_row,
    fp_ends,
    latest_records,
    root_actor,
)
from .alert import SEVERITIES, Alert, Severity, Status
from .announce import Announcement, Calendar, announcement_alerts, demote, new_announcement
from .metrics import Metrics

if TYPE_CHECKING:
    from tooltrail.pipeline.store import Store

__all__ = ["GROUPED_KINDS", "AlertRecord", "AlertStore", "alert_from_payload", "root_actor"]

logger = logging.getLogger(__name__)


def _higher(a: Severity, b: Severity) -> Severity:
    return a if SEVERITIES.index(a) >= SEVERITIES.index(b) else b


def _completes(prev: Alert, full: Alert) -> bool:
    """``full`` is the same alert's only window with other content (it was raised while the
    window was being filled, or stragglers arrived since)."""
    return (
        prev.id == full.id
        and prev.count == 1
        and prev.last_window_end == full.window_end
        and (prev.severity, prev.score, prev.reason, prev.features, prev.events)
        != (full.severity, full.score, full.reason, full.features, full.events)
    )


@dataclass(slots=True)
class _Group:
    id: str
    last_end: int


class AlertStore(AlertReads):
    """Dedupe, cooldown, grouping and false-positive feedback over the ``alerts`` table.

    Thread-safe (one lock around the index and its writes). Times are event time in µs.
    """

    def __init__(
        self,
        store: Store,
        *,
        cooldown_us: int = 30 * 60 * 10**6,
        group_window_us: int = 10 * 60 * 10**6,
        fp_suppress_us: int = 7 * 24 * 3600 * 10**6,
        metrics: Metrics | None = None,
        write: bool = True,
        announce_max_us: int = 72 * 3600 * 10**6,
    ) -> None:
        for name, value in (
            ("cooldown_us", cooldown_us),
            ("group_window_us", group_window_us),
            ("fp_suppress_us", fp_suppress_us),
        ):
            if value < 0:
                raise ValueError(f"{name} must be >= 0, not {value}")
        self._store = store
        self._table = f"{store.database}.alerts"
        self.cooldown_us = cooldown_us
        self.group_window_us = group_window_us
        self.fp_suppress_us = fp_suppress_us
        self.metrics = metrics or Metrics()
        self._lock = threading.RLock()
        self._last_updated = 0
        self._latest: dict[str, AlertRecord] = {}  # dedupe_key -> latest alert
        self._fp_end: dict[str, int] = {}  # dedupe_key -> latest last_window_end labelled FP
        self._groups: dict[str, _Group] = {}  # root actor -> open group
        self._pending: dict[str, Sequence[Any]] | None = None  # offer_many: id -> last row
        # False: decide and index as usual but write nothing (a store served read-only)
        self.write = write
        self.calendar = Calendar(store, max_us=announce_max_us, write=write)
        self.reload()

    # -- the gate ---------------------------------------------------------------------------

    def offer(self, alert: Alert, *, live: bool = False) -> Alert | None:
        """Pass one candidate through replay, false-positive, cooldown and grouping (see the
        module docs); returns the alert to send (new, or escalated), or None.
        ``live``: the candidate is of a window still being filled (``live.py``): it may only
        start a new alert (nothing is merged or counted), which its closed window completes.
        A candidate with an unknown severity or a window ending before it starts: ValueError."""
        if alert.severity not in SEVERITIES:
            raise ValueError(f"alert severity must be one of {SEVERITIES}, not {alert.severity!r}")
        if alert.window_end < alert.window_start:
            raise ValueError(f"alert {alert.id}: window_end is before window_start")
        with self._lock:
            if self._pending is None:
                self.calendar.refresh()  # offer_many refreshes once for all
            announced = self.calendar.cover(alert)
            full = alert if announced is None else demote(alert, announced)
            key = alert.dedupe_key
            latest = self._latest.get(key)
            if latest is not None and alert.window_end <= latest.alert.last_window_end:
                done = full if latest.alert.announcement else alert  # a page stays a page
                if not live and _completes(latest.alert, done):
                    return self._complete(latest, done)
                logger.debug("alert %s already covered by %s: replay", alert.id, latest.alert.id)
                return None
            alert = full
            fp_end = self._fp_end.get(key)
            if fp_end is not None and alert.window_start <= fp_end + self.fp_suppress_us:
                if not live:
                    self.metrics.alerts_suppressed.labels(reason="false_positive").inc()
                return None
            if announced is not None and not live:
                self.metrics.alerts_suppressed.labels(reason="announced").inc()
            if (
                latest is not None
                and latest.alert.status != "false_positive"
                and alert.window_start <= latest.alert.last_window_end + self.cooldown_us
            ):
                return None if live else self._merge(latest, alert)
            return self._add(alert)

    def offer_many(
        self, candidates: Sequence[Alert], *, live: bool = False
    ) -> builtins.list[Alert]:
        """:meth:`offer` for each candidate in order, with the table written once at the end
        (the last version of each alert touched). Same decisions as one ``offer`` at a time;
        if the write fails, the index is as before the call (metrics may have counted)."""
        with self._lock:
            self.calendar.refresh()
            saved = (dict(self._latest), dict(self._groups), dict(self._fp_end))
            groups = {k: _Group(g.id, g.last_end) for k, g in self._groups.items()}
            self._groups = groups
            self._pending = {}
            try:
                out = [a for a in (self.offer(c, live=live) for c in candidates) if a is not None]
                rows = list(self._pending.values())
                self._pending = None
                if rows and self.write:
                    self._store.insert_rows("alerts", rows, ALERT_COLUMNS)
            except BaseException:
                self._pending = None
                self._latest, self._groups, self._fp_end = saved
                raise
            return out

    def _merge(self, old: AlertRecord, new: Alert) -> Alert | None:
        prev = old.alert
        severity = _higher(prev.severity, new.severity)
        rose = severity != prev.severity
        strongest = new if new.score > prev.score else prev
        original = strongest.original_severity  # announced: the higher it would have had
        if bool(prev.announcement) != bool(new.announcement):  # a page's content stays a page's
            strongest = new if prev.announcement else prev
            original = strongest.original_severity
        elif prev.announcement:
            original = max(prev.original_severity, new.original_severity, key=SEVERITIES.index)
        merged = replace(
            prev,
            severity=severity,
            score=max(prev.score, new.score),
            count=prev.count + 1,
            last_window_end=max(prev.last_window_end, new.window_end),
            reason=strongest.reason,
            features=strongest.features,
            events=strongest.events,
            status="open" if rose else prev.status,
            announcement=strongest.announcement,
            original_severity=original,
        )
        record = self._write(replace(old, alert=merged))
        self._latest[merged.dedupe_key] = record
        self._extend_group(merged)
        if not rose:
            self.metrics.alerts_suppressed.labels(reason="cooldown").inc()
            return None
        self.metrics.alerts_fired.labels(detector=merged.detector, severity=severity).inc()
        return merged

    def _complete(self, old: AlertRecord, full: Alert) -> Alert | None:
        """The alert's one window, scored again once closed (or with stragglers): its content
        becomes that of the whole window, as a replay would store it; sent again only when
        the severity rose."""
        prev = old.alert
        rose = SEVERITIES.index(full.severity) > SEVERITIES.index(prev.severity)
        completed = replace(
            prev,
            severity=full.severity,
            score=full.score,
            reason=full.reason,
            features=full.features,
            events=full.events,
            status="open" if rose else prev.status,
            announcement=full.announcement,
            original_severity=full.original_severity,
        )
        record = self._write(replace(old, alert=completed))
        self._latest[completed.dedupe_key] = record
        if not rose:
            return None
        self.metrics.alerts_fired.labels(detector=prev.detector, severity=full.severity).inc()
        return completed

    def _add(self, alert: Alert) -> Alert:
        root = root_actor(alert)
        group = self._groups.get(root) if root is not None else None
        if group is not None and alert.window_start <= group.last_end + self.group_window_us:
            group_id = group.id
        else:
            group_id = alert.id
        fresh = replace(alert, group=group_id, status="open", count=max(alert.count, 1))
        record = self._write(AlertRecord(fresh, self._now_us()))
        self._latest[fresh.dedupe_key] = record
        self._extend_group(fresh)
        self.metrics.alerts_fired.labels(detector=fresh.detector, severity=fresh.severity).inc()
        return fresh

    def _extend_group(self, alert: Alert) -> None:
        root = root_actor(alert)
        if root is None:
            return
        group = self._groups.get(root)
        if group is not None and group.id == alert.group:
            group.last_end = max(group.last_end, alert.last_window_end)
        elif group is None or alert.last_window_end >= group.last_end:
            self._groups[root] = _Group(alert.group or alert.id, alert.last_window_end)

    # -- announced activity (announce.py) ---------------------------------------------------

    def announce(
        self,
        actors: Sequence[str],
        start_us: int,
        end_us: int,
        reason: str,
        *,
        by: str,
        families: Sequence[str] = (),
        created_us: int | None = None,
    ) -> Announcement:
        """File an announcement (:func:`.announce.new_announcement`, at most
        ``announce_max_us`` long; ``created_us``: the wall clock unless a replay of history
        names it) and record it as ``low`` alerts, one per actor. AnnouncementError when
        refused: nothing stored."""
        with self._lock:
            at = self._now_us() if created_us is None else created_us
            ann = new_announcement(actors, start_us, end_us, reason, by=by, created_us=at,
                                   max_us=self.calendar.max_us, families=families)  # fmt: skip
            self.calendar.put(ann, at)
            self.offer_many(announcement_alerts(ann))
            return ann

    def withdraw(self, id: str, *, by: str) -> Announcement:
        """End an announcement now (kept, marked withdrawn) and record that as ``low`` alerts.
        AnnouncementError for an unknown or already withdrawn id."""
        with self._lock:
            ann = self.calendar.withdraw(id, by=by, at_us=self._now_us())
            self.offer_many(announcement_alerts(ann))
            return ann

    # -- labels -----------------------------------------------------------------------------

    def ack(self, id: str, by: str | None = None) -> Alert:
        """Mark an alert acknowledged (``by``: who). Raises AlertNotFound for an unknown id."""
        record = self._relabel(id, "acked", acked_by=by, note=None)
        self.metrics.acked.inc()
        return record.alert

    def false_positive(self, id: str, note: str | None = None) -> Alert:
        """Label an alert a false positive (``note`` kept in its payload): candidates of its
        ``dedupe_key`` are suppressed for ``fp_suppress_us`` after its ``last_window_end``, and
        it is among :meth:`false_positive_labels`. Raises AlertNotFound for an unknown id."""
        record = self._relabel(id, "false_positive", acked_by=None, note=note)
        self.metrics.false_positives.labels(detector=record.alert.detector).inc()
        return record.alert

    def _relabel(
        self, id: str, status: Status, *, acked_by: str | None, note: str | None
    ) -> AlertRecord:
        with self._lock:
            old = self.record(id)
            record = self._write(
                replace(
                    old,
                    alert=replace(old.alert, status=status),
                    acked_by=acked_by or old.acked_by,
                    note=note or old.note,
                )
            )
            key = record.alert.dedupe_key
            latest = self._latest.get(key)
            if latest is not None and latest.alert.id == id:
                self._latest[key] = record
            self._fp_end.pop(key, None)
            self._fp_end.update(fp_ends(self._store, self._table, key))
            return record

    # -- reading (get, record, list, false_positive_labels: _alertrows.AlertReads) -----------

    def reload(self) -> None:
        """Rebuild the in-memory index from the table (done at construction)."""
        latest = {r.alert.dedupe_key: r for r in latest_records(self._store, self._table)}
        labelled = fp_ends(self._store, self._table, None)
        groups: dict[str, _Group] = {}
        for record in sorted(latest.values(), key=lambda r: r.alert.last_window_end):
            root = root_actor(record.alert)
            if root is not None:
                a = record.alert
                groups[root] = _Group(a.group or a.id, a.last_window_end)
        with self._lock:
            self._latest, self._fp_end, self._groups = latest, labelled, groups
            self.calendar.refresh(force=True)
        logger.debug("alert index: %d keys, %d false-positive labels", len(latest), len(labelled))

    # -- the table (rows and queries: _alertrows.py) ----------------------------------------

    def _now_us(self) -> int:
        """Wall-clock µs, strictly increasing in this process (orders a row's versions)."""
        self._last_updated = max(time.time_ns() // 1000, self._last_updated + 1)
        return self._last_updated

    def _write(self, record: AlertRecord) -> AlertRecord:
        """Store one version of an alert (the table first; the caller updates the index)."""
        a = record.alert
        updated = self._now_us()
        row = alert_row(record, updated)
        if self._pending is not None:
            self._pending[a.id] = row
        elif self.write:
            self._store.insert_rows("alerts", [row], ALERT_COLUMNS)
        return replace(record, updated_us=updated)
