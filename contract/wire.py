"""The batch an emitter ships: ``POST /v1/events`` with a JSON body (gzip allowed).

::

    {"v": 1, "events": [<event>, ...], "checkpoints": [<checkpoint>, ...]}

Events of one batch belong to one stream and come in ``seq`` order. The body need not be
canonical JSON: the receiver recomputes every hash from the canonical bytes.

An emitter that signs its checkpoints also sends its Ed25519 public key (raw, base64) in the
``X-Tooltrail-Signer`` header: a collector in trust-on-first-use mode registers it for a source
that has no signer yet; otherwise it only serves the error message that says how to trust it.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["RECORD_CHECKPOINT", "RECORD_EVENT", "SIGNER_HEADER", "encode_batch"]

#: the request header carrying the emitter's checkpoint public key (base64 raw Ed25519)
SIGNER_HEADER = "X-Tooltrail-Signer"

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
