"""Turn a request body into a verified :class:`Segment`: decode, validate, chain-verify.

Pure and synchronous (no I/O, no FastAPI), in three steps the app calls in order:

1. :func:`decompress` - gzip with a hard cap on the output (a gzip bomb is a 413);
2. :func:`parse_batch` - orjson, the batch envelope, every event against the contract
   (``validate_event``) with its hash recomputed (``compute_hash``), every checkpoint's shape;
   the first problem raises (400 / 413 / 422 naming index, field and rule);
3. :func:`verify_batch` - against the stream's last accepted head, with the contract's chain
   walker: events at or below the head are duplicates only when the head proves them identical;
   the rest must continue the chain (``seq`` + 1, ``prev_hash``) and carry their recomputed
   hash; checkpoints must be validly signed by a key registered for the source and agree with
   the events they cover.

What does not verify is not refused, and never moves the head: it is quarantined beside the
stream with its findings (:class:`~tooltrail.contract.Finding`, the walker's classes plus
``foreign_source``: a key of another source writing a stream it did not create).
Canonicalization, hashing and classification are ``tooltrail.contract``'s; nothing here
re-implements them.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from tooltrail.contract import (
    GENESIS_HASH,
    ChainWalker,
    EventInvalid,
    Finding,
    hash_events,
    validate_checkpoint,
)
from tooltrail.contract.checkpoint import ALG_NONE

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
    indexes: Sequence[int],
    checkpoints: Sequence[dict[str, Any]],
    findings: Sequence[Finding],
    head_hash: str,
    *,
    quarantine: bool = False,
) -> Segment:
    stream_id = batch.stream_id or ""
    whole = len(indexes) == len(batch.encoded)  # the common case: every event of the batch
    run = b""
    if indexes and not quarantine:  # a run continuing the chain: where it starts and ends
        first, last = batch.events[indexes[0]], batch.events[indexes[-1]]
        run = b'"run":{"first":%d,"last":%d,"n":%d,"hash":%s},' % (
            first["seq"],
            last["seq"],
            len(indexes),
            orjson.dumps(last["hash"]),
        )
    body = b"".join(
        (
            b'{"v":1,"stream_id":%s,"source":%s,%s"events":['
            % (orjson.dumps(stream_id), orjson.dumps(source), run),
            b",".join(batch.encoded if whole else [batch.encoded[i] for i in indexes]),
            b'],"checkpoints":%s,"findings":%s%s}'
            % (
                orjson.dumps(list(checkpoints)),
                orjson.dumps([f.to_json() for f in findings]),
                b',"quarantine":true' if quarantine else b"",
            ),
        )
    )
    seqs = [batch.events[i]["seq"] for i in indexes] or [cp["seq"] for cp in checkpoints]
    seqs = seqs or [f.seq for f in findings if f.seq >= 0] or [0]
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
    """Event ``i`` carries its recomputed hash and (past the first) links to event ``i - 1``:
    a batch's run of such events is one piece of chain, so proving its last event identical to
    an accepted one proves them all."""
    e = events[i]
    if hashes[i] != e["hash"]:
        return False
    if i == 0:
        return True
    p = events[i - 1]
    return bool(e["seq"] == p["seq"] + 1 and e["prev_hash"] == p["hash"])


def _one_piece(events: Sequence[Mapping[str, Any]], hashes: Sequence[str]) -> bool:
    """Every event is ``_chained`` (the batch is one piece of chain), checked a list at a time."""
    if not events:
        return True
    claimed = [e["hash"] for e in events]
    if claimed != hashes:
        return False
    first = events[0]["seq"]
    if [e["seq"] for e in events] != list(range(first, first + len(events))):
        return False
    return [e["prev_hash"] for e in events[1:]] == claimed[:-1]


def _advance(head: Head | None, seq: int, digest: str, source: str, signed: bool) -> Head:
    if head is None:
        return Head(seq, digest, source, signed, ((seq, digest),))
    return head.advance(seq, digest, source=source, signed=signed)


@dataclass(slots=True)
class _Split:
    """Which of a batch's events are duplicates, accepted, or quarantined from ``aside`` on."""

    duplicates: int = 0
    accepted: list[int] = field(default_factory=list)
    aside: int = 0
    head: tuple[int, str] = (-1, GENESIS_HASH)
    findings: list[Finding] = field(default_factory=list)
    suspect: bool = False


def _split(batch: Batch, head: Head | None) -> _Split:
    """Walk the batch from the head with the contract's chain walker (see ``verify_batch``)."""
    events, hashes, stream = batch.events, batch.hashes, batch.stream_id or ""
    n = len(events)
    base = (head.seq, head.hash) if head is not None else (-1, GENESIS_HASH)
    out = _Split(head=base)
    # the leading piece of chain: events the head proves are duplicates, then what continues it
    if _one_piece(events, hashes):
        cut = n
    else:
        cut = next((i for i in range(n) if not _chained(events, hashes, i)), n)
    if cut == n and n and events[0]["seq"] == base[0] + 1 and events[0]["prev_hash"] == base[1]:
        # the common case: one piece of chain continuing the head (what the walker would find)
        out.accepted, out.aside = list(range(n)), n
        out.head = (events[-1]["seq"], events[-1]["hash"])
        return out
    below = next((i for i in range(cut) if events[i]["seq"] > base[0]), cut)
    walker = ChainWalker(stream, *base, known=head.known if head is not None else None)
    step = walker.feed(events[:cut], hashes[:cut])
    proven = max(step.duplicates, default=-1)  # the chain proves every event before it too
    if proven + 1 < below:  # at or below the head and not provably what was accepted: a fork
        out.duplicates = out.aside = proven + 1
    elif step.findings:  # beyond the head, and it does not continue it
        out.duplicates = out.aside = below
        out.suspect = below == 0 and step.findings[0].cls == "deleted"
    else:
        out.duplicates, out.accepted, out.aside = below, list(range(below, cut)), cut
        out.head = (step.head.seq, step.head.hash)
    if out.aside == n:
        return out
    # the rest, walked on from where the stream now ends: what it already holds (this batch's
    # kept events, the head's recent ends) is a duplicate or a fork, never taken on trust
    held = {events[i]["seq"]: hashes[i] for i in range(out.aside)}

    def known(seq: int) -> str | None:
        return held.get(seq) or (head.known(seq) if head is not None else None)

    rest = ChainWalker(stream, *out.head, known=known)
    step = rest.feed(events[out.aside :], hashes[out.aside :])
    if step.ok and not step.unchecked and out.aside == cut:  # a resent run inside the batch
        out.duplicates += len(step.duplicates)
        out.accepted += [i for i in range(cut, n) if i - cut not in step.duplicates]
        out.head, out.aside = (step.head.seq, step.head.hash), n
        return out
    out.findings = list(step.findings)
    if step.unchecked:
        e = events[out.aside + step.unchecked[0]]
        detail = (
            f"seq {e['seq']} is at or below the stream's head and cannot be proven identical to "
            f"the event accepted there (this one: {e['hash']})"
        )
        out.findings.insert(0, Finding("forked", stream, e["seq"], detail, e["event_id"]))
    return out


def _checkpoints(
    batch: Batch,
    head: Head | None,
    split: _Split,
    public_keys: Mapping[str, bytes],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Finding], int, bool]:
    """Kept and refused checkpoints, their findings, the unsigned count, and whether one was
    verified against a registered key. Checked by a walker over what the stream now holds."""
    if not batch.checkpoints:
        return [], [], [], 0, False
    events, hashes, stream = batch.events, batch.hashes, batch.stream_id or ""
    base = (head.seq, head.hash) if head is not None else (-1, GENESIS_HASH)
    walker = ChainWalker(stream, *base)
    walker.feed([events[i] for i in split.accepted], [hashes[i] for i in split.accepted])
    kept_at = {events[i]["seq"]: hashes[i] for i in range(split.aside)}
    aside = {events[i]["seq"] for i in range(split.aside, len(events))}
    kept: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    findings: list[Finding] = []
    unsigned = 0
    signed = False
    for cp in batch.checkpoints:
        seq = cp["seq"]
        if seq in aside and kept_at.get(seq) != cp["hash"]:
            refused.append(cp)  # it vouches for a quarantined event: evidence with it
            continue
        if cp["alg"] == ALG_NONE and public_keys and head is not None and head.signed:
            detail = "an unsigned checkpoint on a stream whose checkpoints are signed"
            findings.append(Finding("bad_checkpoint", stream, seq, detail))
            refused.append(cp)
            continue
        step = walker.check_checkpoints([cp], public_keys, compare_unverified=True)
        if step.findings:
            findings.extend(step.findings)
            refused.append(cp)
            split.suspect = split.suspect or any(f.cls == "truncated" for f in step.findings)
            continue
        kept.append(cp)
        if cp["alg"] == ALG_NONE or not public_keys:
            # unsigned, or signed while the source has no registered signer yet: kept and
            # counted, checked by `tooltrail verify` against the keys trusted then
            unsigned += 1
        else:
            signed = True
    return kept, refused, findings, unsigned, signed


def verify_batch(
    batch: Batch, head: Head | None, public_keys: Mapping[str, bytes], *, source: str
) -> Verdict:
    """Split ``batch`` against the stream's accepted ``head`` (None: stream never seen).

    The contract's :class:`~tooltrail.contract.ChainWalker` classifies, fed the stored head:
    events at or below the head are duplicates when the head proves them identical (the last of
    them is the head or one of its recent batch ends, and the batch chains up to it); the
    following events are accepted while they continue the chain; from the first event that does
    neither, the rest of the batch is quarantined with findings. ``public_keys`` ({key_id: raw})
    are the Ed25519 keys registered for ``source`` (none: signatures are not checked at ingest
    and the checkpoints count as unverified); ``source`` is the writing key's source.
    """
    events = batch.events
    n = len(events)
    cps = batch.checkpoints
    stream = batch.stream_id or ""
    if head is not None and head.source and head.source != source:
        first = events[0]["seq"] if n else max(cp["seq"] for cp in cps)
        detail = f"the stream belongs to another source; this key writes for {source!r}"
        foreign = (Finding("foreign_source", stream, first, detail),)
        kept_aside = _segment(batch, source, range(n), cps, foreign, GENESIS_HASH, quarantine=True)
        return Verdict(
            batch.stream_id, None, kept_aside, head, 0, 0, n, len(cps), 0, foreign, first - 1, False
        )
    split = _split(batch, head)
    kept, refused, cp_findings, unsigned, signed = _checkpoints(batch, head, split, public_keys)
    findings = split.findings + cp_findings
    new_head = head
    if split.accepted:
        new_head = _advance(head, *split.head, source, signed)
    elif signed and head is not None:
        new_head = head.advance(head.seq, head.hash, source=source, signed=True)
    head_hash = new_head.hash if new_head is not None else GENESIS_HASH
    segment: Segment | None = None
    if split.accepted or kept:
        segment = _segment(batch, source, split.accepted, kept, (), head_hash)
    aside = range(split.aside, n)
    evidence: Segment | None = None
    if aside or refused or findings:
        evidence = _segment(batch, source, aside, refused, findings, head_hash, quarantine=True)
    if split.aside:
        kept_through = events[split.aside - 1]["seq"]
    else:
        kept_through = events[0]["seq"] - 1 if n else -1
    return Verdict(
        stream_id=batch.stream_id,
        segment=segment,
        quarantine=evidence,
        head=new_head,
        accepted=len(split.accepted),
        duplicates=split.duplicates,
        quarantined=len(aside),
        checkpoints=len(cps),
        unsigned_checkpoints=unsigned,
        findings=tuple(findings),
        kept_through=kept_through,
        own=True,
        head_suspect=split.suspect,
    )
