"""Chain heads: the last accepted ``(seq, hash)`` of every stream, in shared state.

A head also binds its stream: to the source that created it, and (once one was accepted) to
signed checkpoints; and it remembers the ends of the last few accepted batches, so a resend can be
told from a fork (:class:`Head`). Only a batch that continues the chain moves a head: what does
not continue it is quarantined beside the stream and leaves the head where it was.

The collector checks that a batch continues its stream's head, delivers the segment to
the sink, and only then records the new head with :meth:`HeadStore.put` (a group commit records
all the heads it moved with one :meth:`HeadStore.put_many`).  Heads live in
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
(:class:`~tooltrail.broker.ManagedProducer`), and the background consumer
keeps retrying until the broker is back.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Protocol, runtime_checkable

__all__ = ["RECENT", "Head", "HeadStore", "MemoryHeadStore", "newer"]


#: how many recent batch ends a head remembers (to prove a resend identical; see ``Head.known``)
RECENT: Final = 32


@dataclass(frozen=True, slots=True)
class Head:
    """The last accepted event of a stream (``seq``, ``hash``), and what the stream is bound to.

    ``source`` is the source that created the stream (only its keys may extend it); ``signed``
    says a checkpoint verified against a registered key was accepted (from then on an unsigned
    checkpoint is a finding); ``recent`` holds the ``(seq, hash)`` ends of the last
    :data:`RECENT` accepted batches, newest last, so that a resend after a lost answer (which
    may cut its batch elsewhere) can be proven identical rather than taken on trust.
    """

    seq: int
    hash: str
    source: str = ""
    signed: bool = False
    recent: tuple[tuple[int, str], ...] = ()

    def known(self, seq: int) -> str | None:
        """The accepted hash at ``seq`` if this head can tell it (the head or a recent end)."""
        if seq == self.seq:
            return self.hash
        for s, h in self.recent:
            if s == seq:
                return h
        return None

    def advance(self, seq: int, hash_: str, *, source: str, signed: bool) -> Head:
        """The head after accepting a batch ending at ``seq`` (remembered among the ends)."""
        recent = self.recent if (seq, hash_) in self.recent else (*self.recent, (seq, hash_))
        return Head(seq, hash_, self.source or source, self.signed or signed, recent[-RECENT:])

    def to_json(self) -> bytes:
        doc = {"seq": self.seq, "hash": self.hash, "source": self.source, "signed": self.signed}
        doc["recent"] = [list(r) for r in self.recent]
        return json.dumps(doc, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Head:
        data = json.loads(raw)
        seq, hash_ = data["seq"], data["hash"]
        source, signed = data.get("source", ""), data.get("signed", False)
        recent = data.get("recent", [])
        if (
            type(seq) is not int
            or seq < 0
            or not isinstance(hash_, str)
            or not isinstance(source, str)
            or type(signed) is not bool
            or type(recent) is not list
        ):
            raise ValueError(f"bad head record {raw[:200]!r}")
        ends: list[tuple[int, str]] = []
        for item in recent[-RECENT:]:
            if type(item) is not list or len(item) != 2 or type(item[0]) is not int:
                raise ValueError(f"bad head record {raw[:200]!r}")
            ends.append((item[0], str(item[1])))
        return cls(seq, hash_, source, signed, tuple(ends))


@runtime_checkable
class HeadStore(Protocol):
    def get(self, stream_id: str) -> Head | None:
        """The stream's head as this replica knows it (no I/O)."""
        ...

    def put(self, stream_id: str, head: Head) -> None:
        """Record ``head``; called only AFTER its segment was durably delivered."""
        ...

    def put_many(self, heads: Mapping[str, Head]) -> None:
        """Record several heads ({stream_id: head}) in one round trip, after their segments
        were durably delivered; raises like :meth:`put` (some may have been recorded)."""
        ...

    def refresh(self, timeout: float) -> None:
        """Catch up with heads written by other replicas; raises ``SinkUnavailable``
        when that cannot be done within ``timeout`` seconds."""
        ...

    def close(self) -> None: ...


def newer(current: Head | None, candidate: Head) -> bool:
    """Whether ``candidate`` replaces ``current``: further along, or the same position newly
    signed (a head never moves back and never changes its hash or its source)."""
    if current is None or candidate.seq > current.seq:
        return True
    return (
        candidate.seq == current.seq
        and candidate.hash == current.hash
        and candidate.signed
        and not current.signed
    )


class MemoryHeadStore:
    """Heads in a dict of this process (tests, single-process mode); keeps the max seq."""

    def __init__(self) -> None:
        self._heads: dict[str, Head] = {}
        self._lock = threading.Lock()

    def get(self, stream_id: str) -> Head | None:
        with self._lock:
            return self._heads.get(stream_id)

    def put(self, stream_id: str, head: Head) -> None:
        self.put_many({stream_id: head})

    def put_many(self, heads: Mapping[str, Head]) -> None:
        with self._lock:
            for stream_id, head in heads.items():
                if newer(self._heads.get(stream_id), head):
                    self._heads[stream_id] = head

    def refresh(self, timeout: float) -> None:
        return None

    def close(self) -> None:
        return None
