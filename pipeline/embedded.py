"""The embedded hand-off: the collector writes verified segments straight into the store.

In the all-in-one mode (``tooltrail up``) there is no Kafka: :class:`StoreSink` is the collector's
sink and returns only once the store holds the events, so the collector's 202 keeps its meaning
("durably stored downstream"). :class:`StoreHeadStore` reads chain heads from the store itself —
in one process the store *is* the shared state, and it survives restarts: a stream's source is
that of its stored events, it is signed once a signed checkpoint is stored, and its last stored
events prove resends identical.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from tooltrail.collector.errors import SinkUnavailable
from tooltrail.collector.heads import RECENT, Head, newer
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
            db = self._store.database
            try:
                df = self._store.query_df(
                    f"SELECT seq, hash, source_name FROM {db}.events FINAL"  # noqa: S608
                    " WHERE stream_id = {s:String} ORDER BY seq DESC LIMIT {n:UInt32}",
                    {"s": stream_id, "n": RECENT},
                )
                if df.empty:
                    return None
                signed = self._store.query_df(
                    f"SELECT count() AS n FROM {db}.checkpoints"  # noqa: S608
                    " WHERE stream_id = {s:String} AND alg = 'ed25519'",
                    {"s": stream_id},
                ).iloc[0]["n"]
            except StoreUnavailable as exc:
                raise SinkUnavailable(f"store unavailable: {exc}") from exc
            # the last stored events stand for the recent batch ends (any accepted position
            # proves a resend identical just as well)
            ends = tuple((int(q), str(h)) for q, h in zip(df["seq"], df["hash"], strict=True))
            top = ends[0]
            source = str(df.iloc[0]["source_name"])
            head = Head(top[0], top[1], source, bool(signed), ends[::-1])
            self._cache[stream_id] = head
            return head

    def put(self, stream_id: str, head: Head) -> None:
        self.put_many({stream_id: head})

    def put_many(self, heads: Mapping[str, Head]) -> None:
        with self._lock:
            for stream_id, head in heads.items():
                if newer(self._cache.get(stream_id), head):
                    self._cache[stream_id] = head

    def refresh(self, timeout: float) -> None:
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        """Nothing to release."""
