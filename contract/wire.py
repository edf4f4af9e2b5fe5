"""The batch an emitter ships: ``POST /v1/events`` with a JSON body (gzip allowed).

::

    {"v": 1, "events": [<event>, ...], "checkpoints": [<checkpoint>, ...]}

Events of one batch belong to one stream and come in ``seq`` order. The body need not be
canonical JSON: the receiver recomputes every hash from the canonical bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["RECORD_CHECKPOINT", "RECORD_EVENT", "encode_batch"]

#: one-byte tags that the emitter's spool puts before each record
RECORD_EVENT = b"E"
RECORD_CHECKPOINT = b"C"


def encode_batch(records: Sequence[bytes]) -> bytes:
    """Build the batch body from tagged spool records (tag byte + JSON object)."""
    events = [r[1:] for r in records if r[:1] == RECORD_EVENT]
    checkpoints = [r[1:] for r in records if r[:1] == RECORD_CHECKPOINT]
    return b'{"v":1,"events":[%s],"checkpoints":[%s]}' % (
        b",".join(events),
        b",".join(checkpoints),
    )
