"""Detection as a running thing: engine → alert store → sinks, live or over a historic range.

``Detection.advance(until)`` scores every window that ends after the cursor and no later than
``until``, passes the candidates through the alert store (dedupe, cooldown, grouping) and hands
the alerts that come out to the sinks (never waiting for them). A step (:meth:`Detection.step`)

1. reads what the store took since the last step (:class:`~.progress.StreamProgress`);
2. scores again the already scored windows that hold **stragglers** (events older than the
   cursor, by at most ``lateness_seconds``);
3. fires the **live rules** on the window still being filled (:mod:`.live`): a rate limit,
   loop, denial burst, new client or sensitive tool pages as its threshold is crossed, not
   when its window closes (before 4, so a page never waits for it); the windowed pass then
   completes that same alert;
4. advances to the **watermark**: the newest event time every active stream has passed (a
   window ending there is complete), never more than ``lateness_seconds`` behind the newest
   event; when nothing arrived for ``idle_seconds`` of wall time, the newest event time plus
   one window, but never closer than ``idle_seconds`` to the wall clock.

``run(stop)`` does this every ``poll_seconds`` in two threads: the live loop (1, 3, and where
4 should go) and the scorer (2 and 4, woken by the live loop). A page therefore never waits for
the closed windows' scoring in progress (a 70-minute read, every level, models, families), nor
for a model fit. The live loop's read and the scorer's start of a range are ordered by one lock
(``_mark``), so an event the scorer's read may have missed is always counted as a straggler by
a later poll and scored again — nothing falls between the two threads.

With ``settings.live`` off, steps 2 and 3 are skipped and the watermark is the old schedule:
``lateness_seconds`` behind the newest event (all of it once nothing arrived for a while, but
never closer than ``lateness_seconds`` to the wall clock).

Integrity findings (from the collector, the pipeline or ``verify``) become ``critical`` alerts,
one dedupe key per stream and class, at the next step. The call-level rules (``callchecks``:
host/server reconciliation, tool drift) judge the same closed range beside the engine.

Live and backfill (``backfill(since, until)``) give the same candidates for the same stored
events: windows are aligned to the step grid and models to the refit grid (see ``engine``), and
a live-fired alert is the alert a replay raises (same window, dedupe key and id; its content
completed by the closed window). An event stored more than ``lateness_seconds`` after its window
was scored is seen only by a backfill.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .alert import Alert
from .alertstore import AlertStore
from .callchecks import CallChecks
from .engine import Engine
from .live import LiveRules
from .metrics import Metrics
from .paging import GroupPager
from .progress import Arrivals, StreamProgress
from .settings import DetectSettings
from .source import StoreSource

if TYPE_CHECKING:
    from tooltrail.pipeline.store import Store

    from .sinks.base import AlertSink
    from .sinks.dispatch import Dispatcher

__all__ = ["Detection", "sinks_from_settings"]

log = logging.getLogger(__name__)


class Detection:
    """Engine, alert store and (optional) dispatcher over one store."""

    def __init__(
        self,
        store: Store,
        settings: DetectSettings | None = None,
        *,
        dispatcher: Dispatcher | None = None,
        metrics: Metrics | None = None,
        on_alert: Callable[[Alert], None] | None = None,
        idle_seconds: float = 5.0,
        state_file: Path | None = None,
        record_candidates: bool = False,
        store_alerts: bool = True,
    ) -> None:
        self.settings = settings or DetectSettings()
        self.metrics = metrics or (dispatcher.metrics if dispatcher is not None else Metrics())
        self.store = store
        self.alerts = AlertStore(
            store,
            cooldown_us=self.settings.cooldown_us,
            group_window_us=self.settings.group_us,
            metrics=self.metrics,
            write=store_alerts,
        )
        self.engine = Engine(
            StoreSource(store),
            self.settings,
            metrics=self.metrics,
            false_positives=self.alerts.false_positive_labels,
            model_dir=Path(self.settings.model_dir),
        )
        # call-level rules: reconcile, tool_drift
        self.checks = CallChecks(store, link=self.engine.link)
        self.dispatcher = dispatcher
        self.on_alert = on_alert
        self.state_file = state_file  # where live detection keeps its cursor across restarts
        self.cursor: int | None = self._load_cursor()
        self._saved = self.cursor  # the cursor the state file holds
        self.record_candidates = record_candidates
        self.candidates: list[Alert] = []  # every candidate, when recorded (tests, replays)
        self.candidate_count = 0
        self._findings_seen = 0
        self._pager = GroupPager()  # one notification per alert group (and on escalation)
        self.live_rules = LiveRules(self.engine)
        self.progress = StreamProgress(
            store, idle_seconds=idle_seconds, lateness_us=self.settings.lateness_us
        )
        # run(): the live loop and the scorer. ``_mark`` orders a poll's read against the start
        # of a scored range (``_scoring_to``); ``_scoring`` is held while windows are scored;
        # ``_raising`` serialises the hand-over to the alert store and the sinks.
        self._mark = threading.Lock()
        self._scoring = threading.Lock()
        self._raising = threading.RLock()
        self._scoring_to = 0  # the end of the range being (or last) scored
        self._late: tuple[int, int] | None = None  # stragglers waiting for the scorer
        self._target: int | None = None  # where the scorer advances to next
        self._wake = threading.Event()

    @property
    def idle_seconds(self) -> float:
        """Wall time without new events after which the system counts as quiet."""
        return self.progress.idle_seconds

    @idle_seconds.setter
    def idle_seconds(self, value: float) -> None:
        self.progress.idle_seconds = value

    # -- one step -------------------------------------------------------------------------------

    def advance(self, until: int) -> list[Alert]:
        """Score windows ending in ``(cursor, until]``; returns the alerts raised. The cursor
        moves only once they are stored: whoever sees it at ``until`` finds them there."""
        step = self.settings.step_us
        until = (until // step) * step
        if self.cursor is None:
            extent = self.engine.source.extent()
            if extent is None:
                return self._raise([])
            # a first start on a store with history scores the last baseline period, not all
            first = max(extent[0], extent[1] - self.settings.baseline_us)
            self.cursor = (first // step) * step
        candidates: list[Alert] = []
        if until > self.cursor:
            with self._mark:  # a poll after this counts events below ``until`` as stragglers
                self._scoring_to = max(self._scoring_to, until)
            candidates = self.engine.score(self.cursor, until)
            candidates += self.checks.score(self.cursor, until)
        raised = self._raise(candidates)  # integrity findings are raised even with no new window
        if until > self.cursor:  # only now: a reader of the cursor finds these alerts stored
            self.cursor = until
            self.metrics.watermark.set(until / 1e6)
        self._save_cursor()
        return raised

    def _load_cursor(self) -> int | None:
        if self.state_file is None or not self.state_file.exists():
            return None
        try:
            return int(json.loads(self.state_file.read_text())["cursor"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring detection state %s: %s", self.state_file, exc)
            return None

    def _save_cursor(self) -> None:
        """Write the cursor when it moved (the live loop calls ``advance`` every poll)."""
        if self.state_file is None or self.cursor is None or self.cursor == self._saved:
            return
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"cursor": self.cursor}))
        os.replace(tmp, self.state_file)
        self._saved = self.cursor

    def _raise(
        self, candidates: list[Alert], *, live: bool = False, record: bool = True
    ) -> list[Alert]:
        with self._raising:
            self.candidate_count += len(candidates)
            if self.record_candidates and record:
                self.candidates.extend(candidates)
            if not live:
                candidates = candidates + self._integrity_alerts()
            raised = self.alerts.offer_many(candidates, live=live)
            for alert in raised:
                if self.dispatcher is not None and self._notify(alert):
                    self.dispatcher.submit(alert)
                if self.on_alert is not None:
                    self.on_alert(alert)
            return raised

    def _notify(self, alert: Alert) -> bool:
        """One notification per group (an actor's related alerts), again only when a later
        alert of the group is more severe than what was sent: a page per incident, not per
        level that noticed it. Every alert is stored either way."""
        if not self.settings.notify_per_group or self._pager.pages(alert):
            return True
        self.metrics.alerts_suppressed.labels("grouped").inc()
        return False

    def backfill(
        self,
        since: int,
        until: int,
        *,
        chunk_us: int | None = None,
        on_chunk: Callable[[int], None] | None = None,
    ) -> list[Alert]:
        """Score a historic range (replay): the same candidates live scoring produced; alerts
        already raised are not raised again. Does not move a live cursor (``state_file``).
        With ``chunk_us`` the range is scored in steps of that much event time (the same
        candidates: windows and fits are on fixed grids), calling ``on_chunk(end)`` after each."""
        step = self.settings.step_us
        saved, self.state_file = self.state_file, None
        self.cursor = (since // step) * step
        raised: list[Alert] = []
        try:
            if chunk_us is None:
                return self.advance(until)
            chunk = max(step, (chunk_us // step) * step)
            end = self.cursor
            while end < until:
                end = min(until, end + chunk)
                raised.extend(self.advance(end))
                if on_chunk is not None:
                    on_chunk(end)
            return raised
        finally:
            self.state_file = saved

    def _integrity_alerts(self) -> list[Alert]:
        db = self.store.database
        found = self.store.query_df(
            "SELECT stream_id, seq, class AS cls, detail, source, event_id,"  # noqa: S608
            " toUnixTimestamp64Micro(found_at) AS at"
            f" FROM {db}.integrity_findings FINAL ORDER BY at, stream_id, seq"
            " LIMIT 1000 OFFSET {skip:UInt64}",
            {"skip": self._findings_seen},
        )
        self._findings_seen += len(found)
        out = []
        for row in found.itertuples(index=False):
            at = int(row.at)
            reason = (
                f"stream {row.stream_id}: {row.cls} at seq {row.seq} ({row.detail}), "
                f"found by the {row.source}"
            )
            out.append(
                Alert(
                    severity="critical",
                    detector="rule:integrity",
                    entity_kind="stream",
                    entity=str(row.stream_id),
                    window_start=at,
                    window_end=at + 1,
                    score=100.0,
                    reason=reason,
                    dedupe_key=f"rule:integrity|stream|{row.stream_id}|{row.cls}",
                )
            )
        return out

    # -- live -----------------------------------------------------------------------------------

    def watermark(
        self, newest: int, idle: bool, now_us: int | None = None, *, low: int | None = None
    ) -> int:
        """Where live scoring may go. ``low``: the newest event time every active stream has
        passed (None: unknown, or ``settings.live`` off). Never more than ``lateness`` behind
        ``newest``; when nothing arrived for a while (``idle``), past it by a window — but never
        closer to the wall clock than ``idle_seconds`` (``lateness`` with ``live`` off), so a
        quiet real-time system does not score windows still being filled."""
        lateness = self.settings.lateness_us
        floor = newest - lateness if low is None else max(newest - lateness, low)
        if not idle:
            return floor
        now = time.time_ns() // 1000 if now_us is None else now_us
        guard = int(self.idle_seconds * 1e6) if self.settings.live else lateness
        return max(floor, min(newest + self.settings.window_us, now - guard))

    def step(self, *, now_us: int | None = None, mono: float | None = None) -> list[Alert]:
        """One live step (see the module docs) in this thread: stragglers, the live rules, the
        watermark. ``now_us`` / ``mono`` stand in for the wall and monotonic clocks (tests)."""
        arrived = self._poll(mono)
        if arrived is None:
            return []
        raised = self._score_pending(closed=False)  # stragglers' windows end first
        raised += self._fire_live(arrived, now_us, mono)
        return raised + self._score_pending()

    def _observe(self) -> list[Alert]:
        """The live loop's part of a step (stragglers and closed windows are the scorer's)."""
        arrived = self._poll(None)
        return [] if arrived is None else self._fire_live(arrived, None, None)

    def _poll(self, mono: float | None) -> Arrivals | None:
        """Read what arrived; stragglers are queued for the scorer. None: nothing stored yet."""
        live = self.settings.live
        with self._mark:  # ordered against the start of a scored range (``advance``)
            below = None if self.cursor is None else max(self.cursor, self._scoring_to)
            arrived = self.progress.poll(below=below if live else None, mono=mono)
        if live and arrived.late is not None and self.cursor is not None:
            self._pend(late=arrived.late)
        return None if self.progress.newest is None else arrived

    def _fire_live(self, arrived: Arrivals, now_us: int | None, mono: float | None) -> list[Alert]:
        """The live rules on the window being filled; then the scorer's next target."""
        live = self.settings.live
        raised: list[Alert] = []
        if live and arrived.count and self.cursor is not None:
            end = self.cursor + self.settings.step_us  # the window being filled next
            if arrived.hi >= end - self.settings.window_us and arrived.lo < end:
                self.metrics.live_windows.inc()
                raised += self._raise(self.live_rules.window(end), live=True, record=False)
        newest = self.progress.newest
        assert newest is not None
        low = self.progress.low(mono) if live else None
        self._pend(target=self.watermark(newest, self.progress.idle(mono), now_us, low=low))
        return raised

    def _pend(self, *, late: tuple[int, int] | None = None, target: int | None = None) -> None:
        """Leave work for the scorer: stragglers' span and the target merge with what waits."""
        with self._mark:
            if late is not None:
                lo, hi = late if self._late is None else self._late
                self._late = (min(lo, late[0]), max(hi, late[1]))
            if target is not None:
                self._target = target if self._target is None else max(self._target, target)

    def _score_pending(self, *, closed: bool = True) -> list[Alert]:
        """The scorer's part: the stragglers' windows again, then (``closed``) the closed
        windows up to the target. What fails stays pending for the next call."""
        with self._scoring:
            with self._mark:
                late, self._late = self._late, None
            raised: list[Alert] = []
            target: int | None = None
            try:
                if late is not None and self.cursor is not None:
                    raised += self._rescore(*late)
                    late = None
                if closed:
                    with self._mark:
                        target, self._target = self._target, None
                    if target is not None:
                        raised += self.advance(target)
            except Exception:
                self._pend(late=late, target=target)
                raise
            return raised

    def _rescore(self, lo: int, hi: int) -> list[Alert]:
        """Score again the scored windows holding stragglers with ``lo <= ts <= hi`` (those at
        most ``lateness`` behind the cursor; older ones are left to a backfill)."""
        assert self.cursor is not None
        step = self.settings.step_us
        lo = max(lo, self.cursor - self.settings.lateness_us)
        until = min(self.cursor, (hi // step) * step + self.settings.window_us)
        since = (lo // step) * step
        if since >= until:
            return []
        self.metrics.rescored.inc()
        return self._raise(self.engine.score(since, until), record=False)

    def run(self, stop: threading.Event, *, active: Callable[[], bool] | None = None) -> None:
        """Step until ``stop`` is set (the live loop of ``tooltrail up`` and of ``tooltrail
        detectors run``): this thread observes and fires the live rules every poll, a scorer
        thread scores what it asks for. ``active`` is asked before every poll; while it answers
        False (another instance holds the lease) nothing is scored."""
        done = threading.Event()  # set when this loop ends, however it ends
        scorer = threading.Thread(
            target=self._scorer, args=(done,), name="tooltrail-detect-scorer", daemon=True
        )
        scorer.start()
        try:
            while not stop.wait(self.settings.poll_seconds):
                try:
                    if active is not None and not active():
                        continue
                    self._observe()
                    self._wake.set()
                except Exception:  # the store may be busy or down: try again next poll
                    log.exception("detection step failed")
        finally:
            done.set()
            self._wake.set()
            scorer.join()

    def _scorer(self, done: threading.Event) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if done.is_set():
                return
            try:
                self._score_pending()
            except Exception:  # the target stays behind: the next wake scores it again
                log.exception("detection scoring failed")

    def set_cursor(self, cursor: int | None) -> None:
        """Move the cursor (a lease taken over from another instance), never mid-scoring."""
        with self._scoring:
            self.cursor = cursor


def sinks_from_settings(settings: DetectSettings, *, console: bool = False) -> list[AlertSink]:
    """The Slack and webhook sinks ``settings`` configure (plus the console when asked)."""
    from .sinks import build_sinks

    slack = settings.slack_webhook_url
    secret = settings.webhook_secret
    return build_sinks(
        slack_webhook_url=slack.get_secret_value() if slack is not None else None,
        webhook_url=settings.webhook_url,
        webhook_secret=secret.get_secret_value().encode() if secret is not None else None,
        console=console,
    )
