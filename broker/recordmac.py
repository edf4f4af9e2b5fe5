"""The collector's seal on its event-topic records: HMAC-SHA256 over the record's value.

Why: the pipeline stores what arrives on the events topic, and whoever can write that topic is
not necessarily a collector (a leaked producer credential, a misconfigured ACL, a tool that
writes the topic by hand). A collector that holds the **record key** stamps each record it
produces with the header :data:`MAC_HEADER` = ``HMAC-SHA256(key, value)``; a processor that holds
the same key takes a record whose MAC verifies as written by a collector, which has already
validated every event against the contract and verified the chain, so the processor need not
validate each event again. A record whose MAC is missing or wrong was not written by a
collector holding the key: the processor keeps it as evidence in quarantine with an
``unauthenticated`` finding, never among the stream's events (``pipeline/processor.py``).

The MAC covers the value only (the segment's JSON document: stream, source, events, checkpoints,
findings and the quarantine flag); the headers are informational and the processor reads none
of them. A replayed genuine record is an exact copy, which the store drops as a duplicate.

Costs ~0.7 µs per event of ~1.3 KB on each side (SHA-256 with the CPU's SHA extensions); the
per-event validation it spares the processor costs ~5 µs.

Keys: at least :data:`MIN_KEY_BYTES` bytes, the same on every collector and processor of a
deployment (``TOOLTRAIL_COLLECTOR_KAFKA_RECORD_KEY`` / ``TOOLTRAIL_PIPELINE_KAFKA_RECORD_KEY``);
:func:`load_or_create` keeps one in a file (mode 0600): ``tooltrail up --kafka`` does, beside its
store, unless a key is set.
Without a key nothing is stamped and a processor validates every event as before.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Final

__all__ = ["MAC_HEADER", "MIN_KEY_BYTES", "RecordKey", "load_or_create"]

#: the record header that carries the MAC
MAC_HEADER: Final = "tooltrail-mac"
#: the shortest key accepted
MIN_KEY_BYTES: Final = 16


class RecordKey:
    """``mac(value)`` stamps a record; ``verify(value, headers)`` checks a stamped one."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the record key must be at least {MIN_KEY_BYTES} bytes")
        self._key = bytes(key)

    @classmethod
    def optional(cls, key: bytes | None) -> RecordKey | None:
        """The key of a deployment's options (``KafkaOptions.record_key``), or None without one."""
        return None if key is None else cls(key)

    def __repr__(self) -> str:  # never print the key
        return "RecordKey(...)"

    def mac(self, value: bytes) -> bytes:
        """The MAC of ``value`` (32 bytes)."""
        return hmac.digest(self._key, value, "sha256")

    def header(self, value: bytes) -> tuple[str, bytes]:
        """The header that stamps a record whose value is ``value``."""
        return (MAC_HEADER, self.mac(value))

    def verify(self, value: bytes, headers: Iterable[tuple[str, bytes]] | None) -> bool:
        """Whether ``headers`` carry exactly one MAC and it is ``value``'s (constant time)."""
        macs = [v for k, v in headers or () if k == MAC_HEADER]
        return len(macs) == 1 and hmac.compare_digest(macs[0] or b"", self.mac(value))


def load_or_create(path: str | os.PathLike[str]) -> str:
    """The record key kept in ``path`` (64 hex digits), created with mode 0600 when absent."""
    p = Path(path)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(f".{p.name}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, p)  # whole or not at all; a concurrent creator's key wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return p.read_text().strip()
