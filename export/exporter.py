"""The export loop: read a page of new records, hand it to the destination, then move the cursor.

Guarantee: the cursor moves only after the destination holds the page (a file fsynced, an OTLP
endpoint's 2xx); a failed delivery raises ``DeliveryError`` and the cursor stays, so the next
run sends the page again. With a cursor file, a killed export resumes where it stopped: no gap,
and no duplicate in a file destination (see ``cursor``).

``run_once`` exports everything stored so far; ``follow`` keeps doing so every ``interval``
seconds until ``stop`` is set: a store error or a refused batch is logged and retried at the
next poll (a file is first cut back to its committed size).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from tooltrail.pipeline.errors import StoreUnavailable

from . import cef, ecs
from .cursor import Cursor
from .errors import DeliveryError
from .records import AlertRecord, EventRecord, IntegrityIndex, read_alerts, read_events
from .sinks import LineSink

if TYPE_CHECKING:
    from tooltrail.pipeline.events import EventFilter
    from tooltrail.pipeline.store import Store

__all__ = ["FORMATS", "Exporter", "Format", "LinesSink", "Sink", "render_lines"]

log = logging.getLogger(__name__)

Format = Literal["otlp", "cef", "ecs"]
FORMATS: tuple[Format, ...] = ("otlp", "cef", "ecs")


class Sink(Protocol):
    """A destination: ``write`` returns once it holds the batch (a file: its new size);
    ``rollback`` undoes what a failed ``write`` left beyond the committed size."""

    def write(self, records: Sequence[EventRecord | AlertRecord]) -> int | None: ...

    def rollback(self, committed: int | None) -> None: ...

    def close(self) -> None: ...


def render_lines(fmt: Format, records: Sequence[EventRecord | AlertRecord]) -> list[str]:
    """CEF or ECS lines of the records."""
    if fmt == "cef":
        return [
            cef.event_line(r) if isinstance(r, EventRecord) else cef.alert_line(r) for r in records
        ]
    return [
        ecs.line(ecs.event_doc(r) if isinstance(r, EventRecord) else ecs.alert_doc(r))
        for r in records
    ]


@dataclass(slots=True)
class Exporter:
    """Exports events (and alerts) matching ``where`` from ``store`` to ``sink``."""

    store: Store
    sink: Sink
    cursor: Cursor
    where: EventFilter
    events: bool = True
    alerts: bool = False
    index: IntegrityIndex | None = None
    page: int = 5_000
    on_batch: Callable[[int], None] | None = None

    def run_once(self) -> int:
        """Export every new record stored so far; returns how many."""
        index = self.index if self.index is not None else IntegrityIndex()
        total = 0
        while self.events:
            after = self.cursor.streams if self.cursor.streams else None
            batch = read_events(self.store, self.where, index, after=after, limit=self.page)
            if not batch:
                break
            self._commit(batch)
            for rec in batch:
                sid, seq = rec.event["stream_id"], rec.event["seq"]
                self.cursor.streams[sid] = max(seq, self.cursor.streams.get(sid, -1))
            self.cursor.save()
            total += len(batch)
            if len(batch) < self.page:
                break
        while self.alerts:
            found = read_alerts(
                self.store, since_us=self.where.since_us, after=self.cursor.alerts, limit=self.page
            )
            if not found:
                break
            self._commit(found)
            self.cursor.alerts = (found[-1].updated_us, found[-1].alert.id)
            self.cursor.save()
            total += len(found)
            if len(found) < self.page:
                break
        return total

    def _commit(self, batch: Sequence[EventRecord | AlertRecord]) -> None:
        """Hand the batch on; the caller saves the cursor after this returns."""
        try:
            size = self.sink.write(batch)
        except DeliveryError:
            self.sink.rollback(self.cursor.output_bytes)
            raise
        if size is not None:
            self.cursor.output_bytes = size
        if self.on_batch is not None:
            self.on_batch(len(batch))

    def follow(self, stop: threading.Event, interval: float = 1.0) -> int:
        """``run_once`` every ``interval`` seconds until ``stop`` is set; returns the total."""
        total = 0
        while True:
            try:
                total += self.run_once()
            except StoreUnavailable as exc:
                log.warning("export: the store is unavailable (retrying): %s", exc)
            except DeliveryError as exc:  # the cursor did not move: the batch goes again
                log.warning("export: %s (retrying)", exc)
            if stop.wait(interval):
                return total


class LinesSink:
    """A ``Sink`` writing one format's lines (CEF, ECS) to a file or stdout."""

    def __init__(self, fmt: Format, lines: LineSink) -> None:
        self.fmt = fmt
        self.lines = lines

    def write(self, records: Sequence[EventRecord | AlertRecord]) -> int | None:
        return self.lines.write(render_lines(self.fmt, records))

    def rollback(self, committed: int | None) -> None:
        self.lines.resume(committed)

    def close(self) -> None:
        self.lines.close()
