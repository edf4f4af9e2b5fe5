"""Turn a request body into a verified :class:`Segment`: decode, validate, chain-verify.

Pure and synchronous (no I/O, no FastAPI), in three steps the app calls in order:

1. :func:`decompress` - gzip with a hard cap on the output (a gzip bomb is a 413);
2. :func:`parse_batch` - orjson, the batch envelope, every event against the contract
   (``validate_event``) with its hash recomputed (``compute_hash``), every checkpoint's shape;
   the first problem raises (400 / 413 / 422 naming index, field and rule);
3. :func:`verify_batch` - against the stream's last accepted head: events at or below the head
   are duplicates of an accepted batch (dropped, counted); the rest must continue the chain
   (``seq`` + 1, ``prev_hash``), carry their recomputed hash, and checkpoints must be validly
   signed by a key registered for the source and agree with the events they cover.

What does not verify is not refused: it becomes a :class:`Finding` (a class of
``tooltrail.contract.BREAK_CLASSES``) and the segment still goes downstream as evidence.
Canonicalization and hashing are ``tooltrail.contract``'s; nothing here re-implements them.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import orjson

from tooltrail.contract import (
    GENESIS_HASH,
    EventInvalid,
    SignatureError,
    hash_events,
    validate_checkpoint,
    verify_checkpoint,
)

from .errors import InvalidField, Malformed, TooLarge, UnsupportedEncoding
from .heads import Head
from .sinks.base import Segment

__all__ = [
    "Batch",
    "Finding",
    "Limits",
    "Verdict",
    "decompress",
    "parse_batch",
    "verify_batch",
]

BATCH_VERSION: Final = 1
_ENVELOPE: Final = frozenset({"v", "events", "checkpoints"})


@dataclass(frozen=True, slots=True)
class Limits:
    max_decompressed_bytes: int = 32 * 2**20
    max_batch_events: int = 10_000
    max_batch_checkpoints: int = 1_000
    max_event_bytes: int = 256 * 2**10


@dataclass(frozen=True, slots=True)
class Batch:
    """A decoded, schema-valid batch of one stream (``stream_id`` None only when empty)."""

    stream_id: str | None
    events: list[dict[str, Any]]
    encoded: list[bytes]  # each event as compact JSON, as it goes downstream
    hashes: list[str]  # each event's recomputed hash
    sources: list[str]  # each event's source.name
    checkpoints: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Finding:
    """An integrity break seen at ingest."""

    cls: str
    seq: int
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"class": self.cls, "seq": self.seq, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``verify_batch`` decided. ``segment`` is None when nothing new is to be delivered."""

    stream_id: str | None
    segment: Segment | None
    head: Head | None  # the stream's head once the segment is delivered
    accepted: int
    duplicates: int
    checkpoints: int
    unsigned_checkpoints: int
    findings: tuple[Finding, ...]
    #: a finding that a fresher head could explain (another replica accepted the batch before)
    head_suspect: bool = False


# -- 1. decompress --------------------------------------------------------------------------------


def decompress(body: bytes, encoding: str | None, max_bytes: int) -> bytes:
    """The body with its Content-Encoding undone, never longer than ``max_bytes``."""
    enc = (encoding or "identity").strip().lower()
    if enc == "identity":
        if len(body) > max_bytes:
            raise TooLarge(f"body is {len(body)} bytes; the limit is {max_bytes}")
        return body
    if enc not in ("gzip", "x-gzip"):
        raise UnsupportedEncoding(f"Content-Encoding {encoding!r} is not supported (use gzip)")
    out: list[bytes] = []
    size = 0
    data = body
    try:
        while data:  # a gzip file may hold several members back to back
            d = zlib.decompressobj(wbits=31)
            chunk = d.decompress(data, max_bytes - size + 1)
            size += len(chunk)
            if size > max_bytes or d.unconsumed_tail:
                raise TooLarge(f"body decompresses to more than {max_bytes} bytes")
            if not d.eof:
                raise Malformed("gzip body is truncated")
            out.append(chunk)
            data = d.unused_data
    except zlib.error as exc:
        raise Malformed(f"body is not valid gzip: {exc}") from exc
    return b"".join(out)


# -- 2. parse -------------------------------------------------------------------------------------


def _envelope(doc: Any) -> tuple[list[Any], list[Any]]:
    if type(doc) is not dict:
        raise InvalidField(None, "body", "must be a JSON object {v, events, checkpoints}")
    if "v" not in doc:
        raise InvalidField(None, "v", "is required")
    if type(doc["v"]) is not int or doc["v"] != BATCH_VERSION:
        raise InvalidField(
            None, "v", f"unsupported batch version {doc['v']!r}; this collector speaks 1"
        )
    events = doc.get("events")
    if type(events) is not list:
        raise InvalidField(None, "events", "is required and must be an array")
    checkpoints = doc.get("checkpoints", [])
    if type(checkpoints) is not list:
        raise InvalidField(None, "checkpoints", "must be an array")
    for name in doc:
        if name not in _ENVELOPE:
            raise InvalidField(None, str(name), "is not a field of a batch")
    return events, checkpoints


def parse_batch(raw: bytes, limits: Limits = Limits()) -> Batch:
    """Decode and validate a batch body; raise the first problem (Malformed/TooLarge/Invalid)."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Malformed(f"body is not valid JSON: {exc}") from exc
    events, checkpoints = _envelope(doc)
    if len(events) > limits.max_batch_events:
        raise TooLarge(f"batch holds {len(events)} events; the limit is {limits.max_batch_events}")
    if len(checkpoints) > limits.max_batch_checkpoints:
        raise TooLarge(
            f"batch holds {len(checkpoints)} checkpoints; "
            f"the limit is {limits.max_batch_checkpoints}"
        )
    max_event = limits.max_event_bytes
    sources: list[str] = []
    stream_id: str | None = None
    try:
        hashes, encoded = hash_events(events)
    except EventInvalid as exc:
        raise InvalidField(exc.index or 0, exc.field, exc.rule) from exc
    for i, event in enumerate(events):
        data = encoded[i]
        if len(data) > max_event:
            raise TooLarge(f"event[{i}] is {len(data)} bytes; the limit is {max_event}")
        if stream_id is None:
            stream_id = event["stream_id"]
        elif event["stream_id"] != stream_id:
            raise InvalidField(
                i, "stream_id", f"all events of a batch must belong to one stream ({stream_id})"
            )
        sources.append(event["source"]["name"])
    for i, cp in enumerate(checkpoints):
        try:
            validate_checkpoint(cp)
        except EventInvalid as exc:
            raise InvalidField(i, exc.field, exc.rule, what="checkpoint") from exc
        if stream_id is None:
            stream_id = cp["stream_id"]
        elif cp["stream_id"] != stream_id:
            raise InvalidField(
                i,
                "stream_id",
                f"a checkpoint must belong to the batch's stream ({stream_id})",
                what="checkpoint",
            )
    return Batch(stream_id, events, encoded, hashes, sources, checkpoints)


# -- 3. verify ------------------------------------------------------------------------------------


def _segment(
    batch: Batch,
    source: str,
    start: int,
    head: Head | None,
    findings: Sequence[Finding],
) -> Segment:
    stream_id = batch.stream_id or ""
    body = b'{"v":1,"stream_id":%s,"source":%s,"events":[%s],"checkpoints":%s,"findings":%s}' % (
        orjson.dumps(stream_id),
        orjson.dumps(source),
        b",".join(batch.encoded[start:]),
        orjson.dumps(batch.checkpoints),
        orjson.dumps([f.to_json() for f in findings]),
    )
    if start < len(batch.events):
        first = batch.events[start]["seq"]
        last = head.seq if head is not None else first
    else:  # checkpoints only
        first = last = max(cp["seq"] for cp in batch.checkpoints)
    return Segment(
        stream_id=stream_id,
        source=source,
        first_seq=first,
        last_seq=max(first, last),
        head_hash=head.hash if head is not None else GENESIS_HASH,
        body=body,
        findings=tuple(dict.fromkeys(f.cls for f in findings)),
    )


def verify_batch(
    batch: Batch, head: Head | None, public_keys: Mapping[str, bytes], *, source: str
) -> Verdict:
    """Check ``batch`` against the stream's accepted ``head`` (None: stream never seen).

    ``public_keys`` ({key_id: raw}) are the Ed25519 keys registered for the source (none
    registered: signatures are not checked at ingest and the checkpoints count as unverified);
    ``source`` names the segment's source when the batch holds only checkpoints.
    """
    events, hashes = batch.events, batch.hashes
    n = len(events)
    start = 0
    if head is not None:
        while start < n and events[start]["seq"] <= head.seq:
            start += 1
    if n and start == n:  # a resend of accepted events: deliver nothing again
        return Verdict(batch.stream_id, None, head, 0, n, 0, 0, ())
    findings: list[Finding] = []
    suspect = False
    prev_seq, prev_hash = (head.seq, head.hash) if head is not None else (-1, GENESIS_HASH)
    new_head = head
    seen: dict[int, str] = {}
    for i in range(start, n):
        e = events[i]
        seq: int = e["seq"]
        claimed: str = e["hash"]
        if hashes[i] != claimed:
            findings.append(Finding("modified", seq, "content does not match its hash"))
        expected = prev_seq + 1
        if seq < expected:
            earlier = seen.get(seq)
            cls = "reordered" if earlier is None else "replayed" if earlier == claimed else "forked"
            findings.append(Finding(cls, seq, f"seq {seq} comes after seq {prev_seq}"))
            continue
        if seq > expected:
            why = " (the stream was never seen before)" if prev_seq < 0 else ""
            findings.append(Finding("deleted", expected, f"seq {expected}..{seq - 1} missing{why}"))
            suspect = suspect or i == start
        elif e["prev_hash"] != prev_hash:
            what = "the genesis hash" if prev_seq < 0 else f"the hash of seq {prev_seq}"
            findings.append(Finding("modified", seq, f"prev_hash is not {what}"))
        seen[seq] = claimed
        prev_seq, prev_hash = seq, claimed
        new_head = Head(seq, claimed)
    unsigned = 0
    if batch.checkpoints:
        covered = {e["seq"]: e["hash"] for e in events}
        if head is not None:
            covered.setdefault(head.seq, head.hash)
        end = new_head.seq if new_head is not None else -1
        for cp in batch.checkpoints:
            seq = cp["seq"]
            if cp["alg"] == "none" or not public_keys:
                # unsigned, or signed while the source has no registered signer yet: kept and
                # counted, checked by `tooltrail verify` against the keys trusted then
                unsigned += 1
            else:
                try:
                    verify_checkpoint(cp, public_keys)
                except SignatureError as exc:
                    findings.append(Finding("bad_checkpoint", seq, str(exc)))
                    continue
            known = covered.get(seq)
            if known is not None and known != cp["hash"]:
                findings.append(
                    Finding("modified", seq, "checkpoint hash differs from the event at its seq")
                )
            elif seq > end:
                findings.append(
                    Finding("truncated", end + 1, f"checkpoint covers seq {seq}; head is {end}")
                )
                suspect = True
    segment = _segment(batch, source, start, new_head, findings)
    return Verdict(
        stream_id=batch.stream_id,
        segment=segment,
        head=new_head,
        accepted=n - start,
        duplicates=start,
        checkpoints=len(batch.checkpoints),
        unsigned_checkpoints=unsigned,
        findings=tuple(findings),
        head_suspect=suspect,
    )
