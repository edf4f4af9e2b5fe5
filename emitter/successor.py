"""A stream's successor: where an emitter goes on when the collector says its chain cannot.

The collector answers 409 with ``"action": "new_stream"`` when events of a batch were not kept
in their stream: the emitter forked (its spool was restored from a snapshot, or another writer
of the stream took the positions it was about to fill) or its chain has a hole (it set a batch
aside). Those events must not be lost, and they can never join the old stream, whose head has
moved past them or will not accept them. So every pending record goes onto a NEW stream:

* events of the old stream up to ``kept_through`` (the collector holds them) are dropped;
* every later event is re-sealed in order on the new stream from seq 0 and the genesis hash,
  unchanged but for ``stream_id``/``seq``/``prev_hash``/``hash``; the first one names its
  predecessor in ``attrs`` (``tooltrail.stream.forked_from`` and ``.forked_at``, see
  ``tooltrail.contract.streams``), so the two streams can be read as one history;
* checkpoints of the old stream are dropped (they vouch for positions of the old stream); the
  emitter signs the new stream's head next.

:func:`rechain` computes the new records (pure); ``Spool.replace_pending`` swaps them in
atomically. Standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tooltrail.contract import GENESIS_HASH, seal
from tooltrail.contract.streams import FORKED_AT, FORKED_FROM
from tooltrail.contract.wire import RECORD_EVENT

__all__ = ["rechain"]


def rechain(
    records: Sequence[bytes], old_stream: str, kept_through: int, new_stream: str
) -> tuple[list[bytes], int, str]:
    """The pending ``records`` re-chained onto ``new_stream``; returns them, the next seq and
    the last hash of the new stream (its genesis when no event was left)."""
    out: list[bytes] = []
    seq, last = 0, GENESIS_HASH
    for record in records:
        if record[:1] != RECORD_EVENT:
            continue  # a checkpoint of the old stream
        event: dict[str, Any] = json.loads(record[1:])
        if event.get("stream_id") == old_stream and event.get("seq", -1) <= kept_through:
            continue  # the collector holds it
        if seq == 0:
            at = event.get("seq") if event.get("stream_id") == old_stream else kept_through + 1
            attrs = dict(event.get("attrs") or {})
            attrs[FORKED_FROM] = old_stream
            attrs[FORKED_AT] = at
            event["attrs"] = attrs
        out.append(RECORD_EVENT + seal(event, new_stream, seq, last))
        seq, last = seq + 1, event["hash"]
    return out, seq, last
