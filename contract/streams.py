"""Stream names: how an emitter names its streams, and how a successor names its predecessor.

A stream id is ``<prefix>.<16 hex digits>``: the prefix is the source name with every character
outside ``[A-Za-z0-9._-]`` replaced by ``-`` (at most 80 characters), the suffix 64 random bits.
An API key's default stream pattern is ``<prefix>.*``, where ``*`` never crosses a ``.``: a key of
source ``fs`` may write ``fs.<id>`` but not ``fs.server.<id>`` (a stream of source ``fs.server``).

A stream that continues another one after a fork (an emitter told by the collector that its chain
does not continue, e.g. after its spool was restored from a snapshot) names it in the ``attrs`` of
its first event: :data:`FORKED_FROM` (the old stream id) and :data:`FORKED_AT` (the first seq of
the old stream that the new one carries on from). Standard library only.
"""

from __future__ import annotations

import os
from typing import Final

__all__ = ["FORKED_AT", "FORKED_FROM", "new_stream_id", "stream_prefix"]

FORKED_FROM: Final = "tooltrail.stream.forked_from"
FORKED_AT: Final = "tooltrail.stream.forked_at"


def stream_prefix(source_name: str) -> str:
    """The part of a stream id before its random suffix, for streams of ``source_name``."""
    safe = "".join(c if (c.isalnum() and c.isascii()) or c in "._-" else "-" for c in source_name)
    return safe[:80] or "stream"


def new_stream_id(source_name: str) -> str:
    """A fresh stream id of ``source_name``: ``<prefix>.<16 random hex digits>``."""
    return f"{stream_prefix(source_name)}.{os.urandom(8).hex()}"
