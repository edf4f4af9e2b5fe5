"""``tooltrail detectors run``: live detection as a service of its own (the distributed form).

It does what the detection thread of ``tooltrail up`` does — score windows as events arrive,
store the alerts, send them — against a ClickHouse server (or a chDB store it alone opens).
Several instances may run for availability: a lease in the store (:mod:`.lease`) lets one score
at a time, and a standby that takes over continues from the cursor the active one recorded, so a
window is neither skipped nor (beyond the last step) scored twice. Alerts are deduplicated by
the alert store, so a step scored again stores nothing new.

Failure behaviour: a store error is logged and retried at the next poll; while the lease cannot
be proven the instance does not score.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from .alert import Alert
from .lease import StoreLease
from .runner import Detection
from .settings import DetectSettings

if TYPE_CHECKING:
    from tooltrail.pipeline.store import Store

    from .sinks.dispatch import Dispatcher

__all__ = ["DetectorService"]

log = logging.getLogger(__name__)


class DetectorService:
    """Live detection gated by a lease; ``run(stop)`` until ``stop`` is set."""

    def __init__(
        self,
        store: Store,
        settings: DetectSettings,
        lease: StoreLease,
        *,
        dispatcher: Dispatcher | None = None,
        on_alert: Callable[[Alert], None] | None = None,
        idle_seconds: float = 5.0,
    ) -> None:
        self.lease = lease
        self.detection = Detection(
            store, settings, dispatcher=dispatcher, on_alert=on_alert, idle_seconds=idle_seconds
        )
        self.active = False
        self.takeovers = 0  # times this instance became the active one

    def _gate(self) -> bool:
        try:
            held = self.lease.hold(self.detection.cursor)
            if held and not self.active:
                handed = self.lease.handed_cursor()
                mine = self.detection.cursor
                if handed is not None and (mine is None or handed > mine):
                    self.detection.set_cursor(handed)
                self.takeovers += 1
                log.info(
                    "detectors %s active (lease %s), scoring from %s",
                    self.lease.holder,
                    self.lease.name,
                    self.detection.cursor,
                )
        except Exception:
            log.exception("lease check failed: not scoring until it succeeds")
            held = False
        if self.active and not held:
            log.warning("detectors %s standing by: the lease is not ours", self.lease.holder)
        self.active = held
        self.detection.metrics.active.set(1 if held else 0)
        return held

    def run(self, stop: threading.Event) -> None:
        try:
            self.detection.run(stop, active=self._gate)
        finally:
            if self.active:
                self.active = False
                self.detection.metrics.active.set(0)
                with contextlib.suppress(Exception):  # the ttl frees it if this fails
                    self.lease.release(self.detection.cursor)
