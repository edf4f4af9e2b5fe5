"""tooltrail.pipeline.integrity: hourly signed digests and verification of the stored log.

- ``Digester(store, signer).run_once()`` signs every closed stream-hour (a Merkle root of its
  events' hashes, chained to the stream's previous digest) and stores it; ``export_digests`` /
  ``load_digests`` keep them as files outside the store.
- ``verify_store(store, ...)`` checks every stored stream (hashes, chain, checkpoints, digests,
  cross-stream replays), names each break and records it in ``integrity_findings``.
- ``cli.register(app)`` adds ``tooltrail verify`` and ``tooltrail digests run|export``.
"""

from __future__ import annotations

from .digests import (
    HOUR_US,
    Digester,
    ExportResult,
    digest_path,
    export_digests,
    hour_of,
    load_digests,
    read_digests,
)
from .verify import DigestCheck, Progress, StoreVerifyReport, count_events, verify_store

__all__ = [
    "HOUR_US",
    "DigestCheck",
    "Digester",
    "ExportResult",
    "Progress",
    "StoreVerifyReport",
    "count_events",
    "digest_path",
    "export_digests",
    "hour_of",
    "load_digests",
    "read_digests",
    "verify_store",
]
