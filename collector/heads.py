"""Chain heads: the last accepted ``(seq, hash)`` of every stream, in shared state.

The collector checks that a batch continues its stream's head, delivers the segment to
the sink, and only then records the new head with :meth:`HeadStore.put`.  Heads live in
Kafka (:class:`~tooltrail.collector.heads_kafka.KafkaHeadStore`, which alone imports
kafka-python) so they survive a collector restart and are shared by
several replicas; :class:`MemoryHeadStore` serves tests and the single-process mode.

Why segment first, head after: if the collector dies between the two writes, the head
still names the older position.  The emitter, which got no answer, retries the same
batch; it is then seen as a continuation of that older head, accepted, and produced
again: a duplicate, which the pipeline removes on ``(stream_id, seq)``, never a loss.
Writing the head first would instead lose the batch (the head would claim events that
no topic holds, and the retry would look like a replay).

Several replicas: each keeps a local map fed by a background consumer of the heads
topic, so a replica may briefly lag another one's writes.  A replica that sees an
apparent gap (a batch starting past its known head) calls :meth:`HeadStore.refresh`
before it declares the chain broken.  ``refresh`` is linearizable: it appends a
barrier record (a tombstone under the reserved key ``~barrier``, which no stream id can
take since they start alphanumeric) to every partition of the heads topic and waits until
the consumer has read past all of them, so every head acknowledged before the call is
then in the map.  (The plain way, waiting for the partitions' end offsets, is not used:
``ListOffsets`` answers stale values on Tansu's S3 storage.)

Failures: ``put`` and ``refresh`` raise :class:`SinkUnavailable` (bounded by
``delivery_timeout_s`` / ``timeout``); the producer is then replaced, as in the Kafka sink
(:class:`~tooltrail.collector.sinks.kafka.ManagedProducer`), and the background consumer
keeps retrying until the broker is back.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["Head", "HeadStore", "MemoryHeadStore", "newer"]


@dataclass(frozen=True, slots=True)
class Head:
    """The last accepted event of a stream: its ``seq`` and its ``hash``."""

    seq: int
    hash: str

    def to_json(self) -> bytes:
        return json.dumps({"seq": self.seq, "hash": self.hash}, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Head:
        data = json.loads(raw)
        seq, hash_ = data["seq"], data["hash"]
        if type(seq) is not int or seq < 0 or not isinstance(hash_, str):
            raise ValueError(f"bad head record {raw[:200]!r}")
        return cls(seq, hash_)


@runtime_checkable
class HeadStore(Protocol):
    def get(self, stream_id: str) -> Head | None:
        """The stream's head as this replica knows it (no I/O)."""
        ...

    def put(self, stream_id: str, head: Head) -> None:
        """Record ``head``; called only AFTER its segment was durably delivered."""
        ...

    def refresh(self, timeout: float) -> None:
        """Catch up with heads written by other replicas; raises ``SinkUnavailable``
        when that cannot be done within ``timeout`` seconds."""
        ...

    def close(self) -> None: ...


def newer(current: Head | None, candidate: Head) -> bool:
    return current is None or candidate.seq > current.seq


class MemoryHeadStore:
    """Heads in a dict of this process (tests, single-process mode); keeps the max seq."""

    def __init__(self) -> None:
        self._heads: dict[str, Head] = {}
        self._lock = threading.Lock()

    def get(self, stream_id: str) -> Head | None:
        with self._lock:
            return self._heads.get(stream_id)

    def put(self, stream_id: str, head: Head) -> None:
        with self._lock:
            if newer(self._heads.get(stream_id), head):
                self._heads[stream_id] = head

    def refresh(self, timeout: float) -> None:
        return None

    def close(self) -> None:
        return None
