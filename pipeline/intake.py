"""What the processor makes of one record on the events topic, and of a stamped one it cannot store.

:func:`classify` turns a record's value (and headers) into the segment to store and how far it
was checked; a record that can never be stored raises
:class:`~tooltrail.pipeline.errors.PoisonRecord` (dead letter):

* no record key on the processor: validated in full (``decode_segment``), ``checked``;
* its collector MAC verifies (``broker/recordmac.py``): ``stamped``, taken on the MAC: a clean
  run is a :class:`RawRun`, not parsed (the store hands it to ClickHouse), anything else has
  only its envelope checked;
* its MAC is missing or wrong: validated in full and kept as evidence (quarantine with an
  ``unauthenticated`` finding), ``unauthenticated``.

**Trust can fail.** A stamped record is taken on its MAC: a collector wrote it after validating
every event. If it cannot be stored all the same (a collector's bug, a version skew between
collector and processor, JSON ClickHouse reads otherwise than ``orjson``, a ``run`` header or
a stream the events do not match, a writer holding the record key), :func:`recheck` validates
it in full as if it were not stamped: what passes is stored through the Python path, what
breaks the contract is a poison record whose reason names the field and the rule (the processor
dead-letters it and stores a ``rejected`` finding, :func:`~tooltrail.pipeline.segments.rejected`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tooltrail.broker import RecordKey

from .segments import DecodedSegment, RawRun, decode_segment, split_run, unauthenticated

__all__ = ["Taken", "Trust", "classify", "recheck"]

#: how a record was taken: ``checked`` (validated in full), ``stamped`` (on its collector MAC),
#: ``unauthenticated`` (validated in full, kept as evidence)
Trust = Literal["checked", "stamped", "unauthenticated"]


@dataclass(slots=True)
class Taken:
    """A buffered record: its partition, the record, its segment, its value's size and whether
    the segment was validated in full here (False: taken on its collector MAC)."""

    tp: Any  # TopicPartition
    record: Any  # kafka-python ConsumerRecord
    segment: DecodedSegment | RawRun
    size: int
    checked: bool

    @property
    def events(self) -> int:
        seg = self.segment
        return seg.n if isinstance(seg, RawRun) else len(seg.events)


def classify(
    value: bytes, headers: Any, key: RecordKey | None
) -> tuple[DecodedSegment | RawRun, Trust]:
    """The segment of a record and how it was taken (table above); PoisonRecord if it can
    never be stored."""
    if key is None:
        return decode_segment(value), "checked"
    if key.verify(value, headers):
        return split_run(value) or decode_segment(value, trusted=True), "stamped"
    return unauthenticated(decode_segment(value)), "unauthenticated"


def recheck(taken: Taken) -> Taken:
    """``taken`` (a stamped record) validated in full, still the collector's (not quarantined);
    PoisonRecord naming the field and the rule when it breaks the contract."""
    segment = decode_segment(taken.record.value)
    return Taken(taken.tp, taken.record, segment, taken.size, checked=True)
