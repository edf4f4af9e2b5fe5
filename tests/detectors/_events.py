"""Simulated or hand-made events straight into a real store (bypassing emitter and collector):
one stream per source, seq in order, ``hash`` = ``event_id``. Detection reads columns, not
chains, so this is all the detectors' store tests need."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pandas as pd  # type: ignore[import-untyped]

from tooltrail.pipeline.store import Store
from tooltrail.pipeline.store.schema import EVENT_COLUMNS as STORE_COLUMNS

__all__ = ["insert_frame"]


def _default(column_type: str) -> Any:
    """The value an event that does not carry a column stores in it."""
    if column_type.startswith("Map("):
        return {}
    if column_type.startswith("Nullable("):
        return None
    if column_type.startswith("Bool"):
        return False
    if column_type.startswith(("UInt", "Int")):
        return 0
    return ""


def _rows(events: pd.DataFrame) -> Iterator[list[Any]]:
    """Store rows for a frame of events: one stream per source, seq in order, hash = event_id."""
    seqs: Counter[str] = Counter()
    for ev in events.to_dict("records"):
        stream = f"{ev['source_kind']}-{ev['source_name']}"
        own = {"stream_id": stream, "seq": seqs[stream], "hash": ev["event_id"], "v": 1}
        seqs[stream] += 1
        yield [
            own[name] if name in own else ev.get(name, _default(typ)) for name, typ in STORE_COLUMNS
        ]


def insert_frame(store: Store, events: pd.DataFrame) -> None:
    """Put a frame of events (simulator or test rows) straight into the store's ``events``."""
    store.insert_rows("events", list(_rows(events)), STORE_COLUMNS)
