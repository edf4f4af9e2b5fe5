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

__all__ = ["SEGMENT_VERSION", "DecodedSegment", "decode_segment"]

SEGMENT_VERSION: Final = 1
_KEYS: Final = ("stream_id", "source", "events", "checkpoints", "findings")

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


def decode_segment(value: bytes) -> DecodedSegment:
    """Parse and check one segment record; raise PoisonRecord(reason) if it can never be stored."""
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
    quarantine = doc.get("quarantine", False)
    if type(quarantine) is not bool:
        raise PoisonRecord("segment quarantine must be true or false")
    return DecodedSegment(stream_id, source, events, checkpoints, findings, quarantine)
