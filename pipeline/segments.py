"""Decode what arrives from the collector: one Kafka record = one verified segment of one stream.

The record's value is the JSON document the collector built (``collector/sinks/base.py``)::

    {"v": 1, "stream_id": "...", "source": "...", "events": [<event>, ...],
     "checkpoints": [<checkpoint>, ...], "findings": [{"class", "seq", "detail"}, ...],
     "quarantine": true}

``quarantine`` (optional, default false) marks evidence the collector kept beside the stream:
what did not continue its chain. The store keeps it in its own table, never among the events.

:func:`decode_segment` turns it into a :class:`DecodedSegment` or raises
:class:`~tooltrail.pipeline.errors.PoisonRecord` naming the first problem: such a record can never
be stored, so the processor sends it to the dead-letter topic instead of retrying it forever.

:func:`split_run` takes a trusted record that is a clean run of new events (the collector's
``run``: first and last seq, count, last hash) apart without parsing its events: a
:class:`RawRun` holds their JSON bytes, which the store hands to ClickHouse to parse; anything
else (findings, quarantine, no ``run``) is ``None`` and goes through :func:`decode_segment`.

``trusted=True`` is for a record whose collector MAC verified (``tooltrail.broker.recordmac``):
a collector wrote it after validating every event against the contract and verifying the chain,
so only the envelope is checked, not each event again (~5 µs per event). A record that should
carry a MAC and does not verify is kept as evidence instead: :func:`unauthenticated` turns its
(fully validated) segment into a quarantine segment with an ``unauthenticated`` finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from tooltrail.contract import (
    FIELDS,
    SPEC_VERSION,
    ContractError,
    validate_checkpoint,
    validate_event,
)

from .errors import PoisonRecord

__all__ = [
    "REJECTED",
    "SEGMENT_VERSION",
    "UNAUTHENTICATED",
    "DecodedSegment",
    "ForeignStream",
    "RawRun",
    "decode_segment",
    "rejected",
    "split_run",
    "stream_of",
    "unauthenticated",
]

SEGMENT_VERSION: Final = 1
_KEYS: Final = ("stream_id", "source", "events", "checkpoints", "findings")
#: the finding class of a record on the events topic whose collector MAC does not verify
UNAUTHENTICATED: Final = "unauthenticated"
#: the finding class of a record with a valid collector MAC that cannot be stored: it breaks the
#: contract (a collector's bug, a version skew, or a writer holding the record key)
REJECTED: Final = "rejected"

_loads: Callable[[bytes], Any]
try:  # optional speed-up (the ``fast`` extra)
    import orjson

    _loads = orjson.loads
except ImportError:  # pragma: no cover - stdlib-only installs
    import json

    _loads = json.loads


@dataclass(frozen=True, slots=True)
class DecodedSegment:
    """One verified run of one stream's events, as the collector delivered it.

    ``findings`` are the integrity breaks the collector saw at ingest (``class``, ``seq``,
    ``detail``); empty when the run is clean. ``quarantine``: evidence kept beside the stream
    (it does not continue the chain); ``source`` is the writing key's source.
    """

    stream_id: str
    source: str
    events: list[dict[str, Any]]
    checkpoints: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    quarantine: bool = False


def _check_stream(kind: str, index: int, item: dict[str, Any], stream_id: str) -> None:
    if item["stream_id"] != stream_id:
        raise PoisonRecord(
            f"{kind}[{index}].stream_id is {item['stream_id']!r}, the segment's is {stream_id!r}"
        )


class ForeignStream(ValueError):
    """A trusted segment holds an event or checkpoint of another stream (see :func:`stream_of`)."""


def stream_of(segment: DecodedSegment) -> str:
    """The stream of ``segment`` once every event and checkpoint is checked to be of it, as
    :func:`decode_segment` checks an untrusted one; ForeignStream otherwise.

    For a trusted segment (not validated here, ``trusted=True``): the store calls it before it
    takes one, so a record of a writer holding the record key cannot store an event under a
    stream other than its segment's (another writer's chain); the processor then validates
    the record in full (``intake.recheck``), which rejects it."""
    stream_id = segment.stream_id
    for kind, items in (("events", segment.events), ("checkpoints", segment.checkpoints)):
        for i, item in enumerate(items):
            if type(item) is not dict or item.get("stream_id") != stream_id:
                other = item.get("stream_id") if type(item) is dict else None
                raise ForeignStream(
                    f"{kind}[{i}].stream_id is {other!r}, the segment's is {stream_id!r}"
                )
    return stream_id


def _finding(index: int, item: Any) -> dict[str, Any]:
    where = f"findings[{index}]"
    if type(item) is not dict:
        raise PoisonRecord(f"{where} must be an object")
    cls, seq, detail = item.get("class"), item.get("seq"), item.get("detail", "")
    if type(cls) is not str or not cls:
        raise PoisonRecord(f"{where}.class must be a non-empty string")
    if type(seq) is not int or seq < 0:
        raise PoisonRecord(f"{where}.seq must be a non-negative integer")
    if type(detail) is not str:
        raise PoisonRecord(f"{where}.detail must be a string")
    return item


def decode_segment(value: bytes, *, trusted: bool = False) -> DecodedSegment:
    """Parse and check one segment record; raise PoisonRecord(reason) if it can never be stored.

    ``trusted``: a collector's MAC over ``value`` verified; its events are not validated again.
    """
    try:
        doc = _loads(value)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise PoisonRecord(f"not valid JSON: {exc}") from exc
    if type(doc) is not dict:
        raise PoisonRecord("the segment must be a JSON object")
    version = doc.get("v")
    if type(version) is not int or version != SEGMENT_VERSION:
        raise PoisonRecord(f"unsupported segment version {version!r}; expected {SEGMENT_VERSION}")
    for key in _KEYS:
        if key not in doc:
            raise PoisonRecord(f"the segment has no {key!r}")
    stream_id, source = doc["stream_id"], doc["source"]
    try:
        FIELDS["stream_id"][0]("stream_id", stream_id)
    except ContractError as exc:
        raise PoisonRecord(f"segment {exc}") from exc
    if type(source) is not str or not source:
        raise PoisonRecord("segment source must be a non-empty string")
    for key in ("events", "checkpoints", "findings"):
        if type(doc[key]) is not list:
            raise PoisonRecord(f"segment {key} must be a list")
    events: list[dict[str, Any]] = doc["events"]
    checkpoints: list[dict[str, Any]] = doc["checkpoints"]
    quarantine = doc.get("quarantine", False)
    if type(quarantine) is not bool:
        raise PoisonRecord("segment quarantine must be true or false")
    if trusted:
        return DecodedSegment(stream_id, source, events, checkpoints, doc["findings"], quarantine)
    for i, event in enumerate(events):
        try:
            validate_event(event)
        except ContractError as exc:
            raise PoisonRecord(f"events[{i}] breaks the contract (v{SPEC_VERSION}): {exc}") from exc
        _check_stream("events", i, event, stream_id)
    for i, cp in enumerate(checkpoints):
        try:
            validate_checkpoint(cp)
        except ContractError as exc:
            raise PoisonRecord(f"checkpoints[{i}] is invalid: {exc}") from exc
        _check_stream("checkpoints", i, cp, stream_id)
    findings = [_finding(i, f) for i, f in enumerate(doc["findings"])]
    return DecodedSegment(stream_id, source, events, checkpoints, findings, quarantine)


def unauthenticated(segment: DecodedSegment) -> DecodedSegment:
    """``segment`` (fully validated) as evidence: a record without a valid collector MAC.

    Its events and checkpoints go to quarantine, never to the stream; the findings it claims are
    dropped (whoever wrote it chose them) for one ``unauthenticated`` finding of the pipeline's.
    """
    seqs = [e["seq"] for e in segment.events] or [cp["seq"] for cp in segment.checkpoints]
    detail = (
        "a record on the events topic without a valid collector MAC: not written by a "
        "collector holding the record key; kept as evidence, not stored in the stream"
    )
    finding = {"class": UNAUTHENTICATED, "seq": min(seqs, default=0), "detail": detail}
    finding["source"] = "pipeline"
    return DecodedSegment(
        segment.stream_id,
        segment.source,
        segment.events,
        segment.checkpoints,
        [finding],
        quarantine=True,
    )


def rejected(segment: DecodedSegment | RawRun, reason: str) -> DecodedSegment:
    """The evidence of a stamped record (its collector MAC verified) that breaks the contract:
    no event, one ``rejected`` finding of the pipeline's naming ``reason`` (the field and the
    rule), as a quarantine segment (the record itself goes to the dead-letter topic)."""
    seq: Any = segment.first if isinstance(segment, RawRun) else None
    if not isinstance(segment, RawRun) and segment.events and type(segment.events[0]) is dict:
        seq = segment.events[0].get("seq")
    finding = {
        "class": REJECTED,
        "seq": seq if type(seq) is int and seq >= 0 else 0,
        "detail": f"a record stamped by a collector breaks the contract: {reason}",
        "source": "pipeline",
    }
    return DecodedSegment(segment.stream_id, segment.source, [], [], [finding], quarantine=True)


def _valid_stream(stream_id: Any) -> bool:
    try:
        FIELDS["stream_id"][0]("stream_id", stream_id)
    except ContractError:
        return False
    return True


_EVENTS: Final = b',"events":['
_CHECKPOINTS: Final = b'],"checkpoints":'


@dataclass(frozen=True, slots=True)
class RawRun:
    """A trusted clean run of one stream's events, not parsed: ``events`` is the JSON text of
    the events, comma-separated (the inside of the segment's array), a view into ``value``
    (copying it cost ~0.75 µs per event); ``first``..``last`` are their seqs (``n`` events, one
    each), ``head`` the last one's hash. ``value`` is the whole record, for :meth:`decode` when
    the store needs the events themselves."""

    stream_id: str
    source: str
    first: int
    last: int
    n: int
    head: str
    events: memoryview
    checkpoints: list[dict[str, Any]]
    value: bytes

    def decode(self) -> DecodedSegment:
        return decode_segment(self.value, trusted=True)


def split_run(value: bytes) -> RawRun | None:
    """A trusted record (its collector MAC verified) as a :class:`RawRun`, or None when it is
    not a clean run with the collector's ``run`` (decode it with :func:`decode_segment`).

    The events array is found by its delimiters: the first ``,"events":[`` and the last
    ``],"checkpoints":`` can only be the envelope's (inside a JSON string every quote is
    escaped, and what follows the array is the collector's checkpoints and findings).
    """
    start, end = value.find(_EVENTS), value.rfind(_CHECKPOINTS)
    if start < 0 or end < start:
        return None
    try:
        head = _loads(value[:start] + b"}")
        tail = _loads(b"{" + value[end + 2 :])
    except ValueError:
        return None
    run = head.get("run") if type(head) is dict else None
    if type(run) is not dict or type(tail) is not dict:
        return None
    first, last, n, digest = run.get("first"), run.get("last"), run.get("n"), run.get("hash")
    stream_id, source, checkpoints = (
        head.get("stream_id"),
        head.get("source"),
        tail.get("checkpoints"),
    )
    if (
        head.get("v") != SEGMENT_VERSION
        or tail.get("findings") != []
        or tail.get("quarantine", False) is not False
        or not (type(first) is int and type(last) is int and type(n) is int and n > 0)
        or last - first + 1 != n
        or type(digest) is not str
        or not _valid_stream(stream_id)
        or type(source) is not str
        or type(checkpoints) is not list
    ):
        return None
    events = memoryview(value)[start + len(_EVENTS) : end]
    return RawRun(stream_id, source, first, last, n, digest, events, checkpoints, value)
