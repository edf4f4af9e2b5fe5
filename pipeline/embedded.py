"""The embedded hand-off: the collector writes verified segments straight into the store.

In the all-in-one mode (``tooltrail up``) there is no Kafka: :class:`StoreSink` is the collector's
sink and returns only once the store holds the events, so the collector's 202 keeps its meaning
("durably stored downstream"). :class:`StoreHeadStore` reads chain heads from the store itself —
in one process the store *is* the shared state, and it survives restarts.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from tooltrail.collector.errors import SinkUnavailable
from tooltrail.collector.heads import Head
from tooltrail.collector.sinks.base import Segment

from .errors import PoisonRecord, StoreUnavailable
from .segments import decode_segment
from .store import Store

__all__ = ["StoreHeadStore", "StoreSink"]


class StoreSink:
    """A collector ``Sink`` that inserts into the store (deduplicating on stream and seq)."""

    def __init__(self, store: Store, *, retry_after: float = 1.0) -> None:
        self._store = store
        self._retry_after = retry_after

    def deliver(self, segments: Sequence[Segment]) -> None:
        try:
            decoded = [decode_segment(s.body) for s in segments]
        except PoisonRecord as exc:  # the collector built it: a bug, not bad input
            raise SinkUnavailable(f"segment not storable: {exc}", retry_after=60) from exc
        try:
            self._store.insert_segments(decoded)  # the store serializes its client calls
        except StoreUnavailable as exc:
            raise SinkUnavailable(
                f"store unavailable: {exc}", retry_after=self._retry_after
            ) from exc

    def ready(self) -> bool:
        try:
            self._store.command("SELECT 1")
        except StoreUnavailable:
            return False
        return True

    def close(self) -> None:
        """The store belongs to whoever opened it."""


class StoreHeadStore:
    """Chain heads read from the store's ``events`` (cached; the sink keeps them current)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache: dict[str, Head] = {}
        self._lock = threading.Lock()

    def get(self, stream_id: str) -> Head | None:
        with self._lock:
            head = self._cache.get(stream_id)
            if head is not None:
                return head
            try:
                df = self._store.query_df(
                    f"SELECT seq, hash FROM {self._store.database}.events"  # noqa: S608
                    " WHERE stream_id = {s:String} ORDER BY seq DESC LIMIT 1",
                    {"s": stream_id},
                )
            except StoreUnavailable as exc:
                raise SinkUnavailable(f"store unavailable: {exc}") from exc
            if df.empty:
                return None
            head = Head(int(df.iloc[0]["seq"]), str(df.iloc[0]["hash"]))
            self._cache[stream_id] = head
            return head

    def put(self, stream_id: str, head: Head) -> None:
        with self._lock:
            old = self._cache.get(stream_id)
            if old is None or head.seq >= old.seq:
                self._cache[stream_id] = head

    def refresh(self, timeout: float) -> None:
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        """Nothing to release."""
