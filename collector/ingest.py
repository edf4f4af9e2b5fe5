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
    """What ``verify_batch`` decided about one batch.

    ``segment`` continues the stream (None: nothing new to deliver); ``quarantine`` holds what
    does not (events from the first one that neither continues the chain nor is proven a
    duplicate, refused checkpoints, and every finding), kept as evidence beside the stream.
    """

    stream_id: str | None
    segment: Segment | None
    quarantine: Segment | None
    head: Head | None  # the stream's head once the segments are delivered
    accepted: int
    duplicates: int
    quarantined: int  # events quarantined
    checkpoints: int
    unsigned_checkpoints: int
    findings: tuple[Finding, ...]
    #: the batch's events up to this seq are in the stream (accepted now or before)
    kept_through: int
    #: the writer's source is the stream's own (it may see the head)
    own: bool
    #: a finding that a fresher head could explain (another replica accepted the batch before)
    head_suspect: bool = False

    @property
    def action(self) -> str | None:
        """What the emitter must do on a 409: ``new_stream`` (events were not kept: continue
        them on a new stream naming this one) or ``continue`` (every event is in the stream;
        only checkpoints were refused); None when there is nothing to report."""
        if not self.findings:
            return None
        return "new_stream" if self.quarantined else "continue"


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
    indexes: range,
    checkpoints: Sequence[dict[str, Any]],
    findings: Sequence[Finding],
    head_hash: str,
    *,
    quarantine: bool = False,
) -> Segment:
    stream_id = batch.stream_id or ""
    flag = b',"quarantine":true' if quarantine else b""
    body = b'{"v":1,"stream_id":%s,"source":%s,"events":[%s],"checkpoints":%s,"findings":%s%s}' % (
        orjson.dumps(stream_id),
        orjson.dumps(source),
        b",".join(batch.encoded[i] for i in indexes),
        orjson.dumps(list(checkpoints)),
        orjson.dumps([f.to_json() for f in findings]),
        flag,
    )
    seqs = [batch.events[i]["seq"] for i in indexes] or [cp["seq"] for cp in checkpoints]
    seqs = seqs or [f.seq for f in findings] or [0]
    return Segment(
        stream_id=stream_id,
        source=source,
        first_seq=min(seqs),
        last_seq=max(seqs),
        head_hash=head_hash,
        body=body,
        findings=tuple(dict.fromkeys(f.cls for f in findings)),
        quarantine=quarantine,
    )


def _chained(events: Sequence[Mapping[str, Any]], hashes: Sequence[str], i: int) -> bool:
    """Event ``i`` carries its recomputed hash and (past the first) continues event ``i - 1``."""
    e = events[i]
    if hashes[i] != e["hash"]:
        return False
    if i == 0:
        return True
    p = events[i - 1]
    return bool(e["seq"] == p["seq"] + 1 and e["prev_hash"] == p["hash"])


def _break(
    e: Mapping[str, Any],
    digest: str,
    prev: tuple[int, str],
    seen: Mapping[int, str],
    head: Head | None,
) -> list[Finding]:
    """How event ``e`` (recomputed hash ``digest``) fails to continue ``prev`` (seq, hash)."""
    seq: int = e["seq"]
    claimed: str = e["hash"]
    out: list[Finding] = []
    if digest != claimed:
        out.append(Finding("modified", seq, "content does not match its hash"))
    prev_seq, prev_hash = prev
    earlier = seen.get(seq)
    if earlier is None and head is not None and seq <= head.seq:
        earlier = head.known(seq)
        if earlier is None:
            detail = (
                f"seq {seq} is at or below the stream's head (seq {head.seq}) and cannot be "
                f"proven identical to the event accepted there (this one: {claimed})"
            )
            out.append(Finding("forked", seq, detail))
            return out
    if earlier is not None:
        if earlier == claimed:
            out.append(Finding("replayed", seq, f"seq {seq} was accepted before"))
        else:
            detail = f"seq {seq} was accepted as {earlier}; this one is {claimed}"
            out.append(Finding("forked", seq, detail))
    elif seq <= prev_seq:
        out.append(Finding("reordered", seq, f"seq {seq} comes after seq {prev_seq}"))
    elif seq > prev_seq + 1:
        why = " (the stream was never seen before)" if prev_seq < 0 and head is None else ""
        out.append(Finding("deleted", prev_seq + 1, f"seq {prev_seq + 1}..{seq - 1} missing{why}"))
    elif e["prev_hash"] != prev_hash:
        what = "the genesis hash" if prev_seq < 0 else f"the hash of seq {prev_seq}"
        out.append(Finding("modified", seq, f"prev_hash is not {what}"))
    return out


def _advance(head: Head | None, seq: int, digest: str, source: str, signed: bool) -> Head:
    if head is None:
        return Head(seq, digest, source, signed, ((seq, digest),))
    return head.advance(seq, digest, source=source, signed=signed)


def verify_batch(
    batch: Batch, head: Head | None, public_keys: Mapping[str, bytes], *, source: str
) -> Verdict:
    """Split ``batch`` against the stream's accepted ``head`` (None: stream never seen).

    Events at or below the head are duplicates when the head proves them identical (the last of
    them is the head or one of its recent batch ends, and they chain to it); the following
    events are accepted while they continue the chain; from the first event that does neither,
    the rest of the batch is quarantined with findings. ``public_keys`` ({key_id: raw}) are the
    Ed25519 keys registered for ``source`` (none: signatures are not checked at ingest and the
    checkpoints count as unverified); ``source`` is the writing key's source.
    """
    events, hashes = batch.events, batch.hashes
    n = len(events)
    cps = batch.checkpoints
    if head is not None and head.source and head.source != source:
        first = events[0]["seq"] if n else max(cp["seq"] for cp in cps)
        detail = f"the stream belongs to another source; this key writes for {source!r}"
        foreign = (Finding("foreign_source", first, detail),)
        evidence = _segment(batch, source, range(n), cps, foreign, GENESIS_HASH, quarantine=True)
        return Verdict(
            batch.stream_id, None, evidence, head, 0, 0, n, len(cps), 0, foreign, first - 1, False
        )
    base = (head.seq, head.hash) if head is not None else (-1, GENESIS_HASH)
    cut = next((i for i in range(n) if not _chained(events, hashes, i)), n)
    below = next((i for i in range(cut) if events[i]["seq"] > base[0]), cut)
    proven = -1  # the last event at or below the head that the head proves identical
    if head is not None:
        for j in range(below):
            if head.known(events[j]["seq"]) == hashes[j]:
                proven = j
    start = proven + 1  # the first event not proven a duplicate
    findings: list[Finding] = []
    suspect = False
    quarantine_from = cut
    accepted = range(0)
    if start < below:  # at or below the head, and not provably what was accepted: a fork
        quarantine_from = start
    elif below < cut:  # beyond the head: it must continue it
        found = _break(events[below], hashes[below], base, {}, head)
        if found:
            quarantine_from = below
            suspect = found[-1].cls == "deleted" and below == 0
        else:
            accepted = range(below, cut)
    seen: dict[int, str] = {events[i]["seq"]: hashes[i] for i in range(quarantine_from)}
    for i in range(quarantine_from, n):
        prev = (
            (events[i - 1]["seq"], events[i - 1]["hash"])
            if i > quarantine_from
            else (events[i - 1]["seq"], hashes[i - 1])
            if i
            else base
        )
        if i == quarantine_from or not _chained(events, hashes, i):
            findings.extend(_break(events[i], hashes[i], prev, seen, head))
        seen.setdefault(events[i]["seq"], events[i]["hash"])
    new_head = head
    covered = {events[i]["seq"]: hashes[i] for i in range(quarantine_from)}
    held = {events[i]["seq"] for i in range(quarantine_from, n)}
    last = accepted[-1] if accepted else None
    end = events[last]["seq"] if last is not None else base[0]
    kept: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    unsigned = 0
    signed = False
    bound_signed = head is not None and head.signed
    for cp in cps:
        seq = cp["seq"]
        known = covered.get(seq) or (head.known(seq) if head is not None else None)
        if seq in held and known != cp["hash"]:
            refused.append(cp)  # it vouches for a quarantined event: evidence with it
            continue
        if cp["alg"] == "none" or not public_keys:
            if cp["alg"] == "none" and public_keys and bound_signed:
                detail = "an unsigned checkpoint on a stream whose checkpoints are signed"
                findings.append(Finding("bad_checkpoint", seq, detail))
                refused.append(cp)
                continue
            # unsigned, or signed while the source has no registered signer yet: kept and
            # counted, checked by `tooltrail verify` against the keys trusted then
            unsigned += 1
            verified = False
        else:
            try:
                verify_checkpoint(cp, public_keys)
            except SignatureError as exc:
                findings.append(Finding("bad_checkpoint", seq, str(exc)))
                refused.append(cp)
                continue
            verified = True
        if known is not None and known != cp["hash"]:
            findings.append(
                Finding("modified", seq, "checkpoint hash differs from the event at its seq")
            )
            refused.append(cp)
        elif seq > end:
            findings.append(
                Finding("truncated", end + 1, f"checkpoint covers seq {seq}; head is {end}")
            )
            refused.append(cp)
            suspect = True
        else:
            kept.append(cp)
            signed = signed or verified
    if last is not None:
        new_head = _advance(head, end, hashes[last], source, signed)
    elif signed and head is not None:
        new_head = head.advance(head.seq, head.hash, source=source, signed=True)
    head_hash = new_head.hash if new_head is not None else GENESIS_HASH
    segment = _segment(batch, source, accepted, kept, (), head_hash) if accepted or kept else None
    quarantined = range(quarantine_from, n)
    kept_aside: Segment | None = None
    if quarantined or refused or findings:
        kept_aside = _segment(
            batch, source, quarantined, refused, findings, head_hash, quarantine=True
        )
    if quarantine_from:
        kept_through = events[quarantine_from - 1]["seq"]
    else:
        kept_through = events[0]["seq"] - 1 if n else -1
    return Verdict(
        stream_id=batch.stream_id,
        segment=segment,
        quarantine=kept_aside,
        head=new_head,
        accepted=len(accepted),
        duplicates=start,
        quarantined=len(quarantined),
        checkpoints=len(cps),
        unsigned_checkpoints=unsigned,
        findings=tuple(findings),
        kept_through=kept_through,
        own=True,
        head_suspect=suspect,
    )
