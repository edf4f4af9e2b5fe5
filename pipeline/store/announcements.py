"""The ``announcements`` table: the change calendar (announced activity) the detectors honour.

Written only by ``tooltrail.detectors.announce`` (through ``AlertStore.announce`` / ``withdraw``,
which the ``tooltrail alerts announce|withdraw`` commands call); read back by the alert store at
construction and by anyone (Grafana, ``tooltrail report``). One row per version of an
announcement: filing it inserts one, withdrawing it re-inserts it with a newer ``updated``
(``ReplacingMergeTree(updated)``, read with ``FINAL``), so a withdrawn announcement is kept, with
who withdrew it and when.

Columns: ``id``, ``created`` (wall clock at filing: the announcement covers only windows ending
after it), ``updated``, ``window_start`` / ``window_end`` (what it announces, event time),
``actors``, ``by`` (who filed it), ``status`` (``active`` | ``withdrawn``), ``payload`` (the
whole announcement as JSON: reason, families, withdrawal).
"""

from __future__ import annotations

from typing import Final

__all__ = ["ANNOUNCEMENT_COLUMNS", "announcement_statements"]

_TS = "DateTime64(6, 'UTC')"

#: the inserted columns of ``announcements`` (``updated`` defaults to the insert time)
ANNOUNCEMENT_COLUMNS: Final = (
    ("id", "String"),
    ("created", _TS),
    ("updated", _TS),
    ("window_start", _TS),
    ("window_end", _TS),
    ("actors", "Array(String)"),
    ("by", "String"),
    ("status", "LowCardinality(String)"),
    ("payload", "String"),
)
_EXTRAS: Final = {"updated": "DEFAULT now64(6, 'UTC')", "payload": "CODEC(ZSTD(3))"}


def announcement_statements(db: str) -> list[str]:
    columns = ",\n    ".join(
        f"`{name}` {kind}" + (f" {_EXTRAS[name]}" if name in _EXTRAS else "")
        for name, kind in ANNOUNCEMENT_COLUMNS
    )
    return [
        f"""CREATE TABLE IF NOT EXISTS {db}.announcements (
    {columns}
) ENGINE = ReplacingMergeTree(updated)
PARTITION BY toYYYYMM(created)
ORDER BY id"""
    ]
