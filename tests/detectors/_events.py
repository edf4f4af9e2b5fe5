"""Events for the detectors' store tests: ``insert_frame`` puts simulated or hand-made events
straight into a real store (one stream per source, seq in order, ``hash`` = ``event_id``:
detection reads columns, not chains); ``drive_through`` sends a simulation through a running
stack's real emitter → collector path."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]

from tooltrail.pipeline.store import Store
from tooltrail.pipeline.store.schema import EVENT_COLUMNS as STORE_COLUMNS

__all__ = ["drive_through", "insert_frame"]

HOUR = 3600 * 1_000_000
#: frame columns the store keeps inside ``attrs`` (under these keys)
_ATTRS = {
    "resource_key": "tooltrail.resource",
    "tool_hints": "tooltrail.tool.hints",
    "call_effect": "tooltrail.call.effect",
}


def drive_through(
    stack: Any, sim: Any, root: Path, *, on_tick: Callable[[int], None] | None = None
) -> None:
    """Send a simulation through a running ``Stack``'s collector: an API key per simulated server
    in the stack's key file, the emitters' signers trusted, a flush every hour of event time."""
    from tooltrail.collector.auth import KeyStore
    from tooltrail.simulator import drive

    keys = KeyStore(stack.keys_file)
    api_keys = {s: keys.create(s)[1] for s in sorted({c.server for c in sim.calls})}
    drive(
        sim,
        collector_url=stack.url,
        api_keys=api_keys,
        spool_root=root / "spool",
        on_signer=keys.add_signer,
        tick_us=HOUR,
        on_tick=on_tick,
    )


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
        if "attrs" not in ev:  # what the emitter records in attrs, from the frame's columns
            attrs = {
                name: ev[col]
                for col, name in _ATTRS.items()
                if isinstance(ev.get(col), str) and ev[col]
            }
            ev["attrs"] = json.dumps(attrs) if attrs else ""
        stream = f"{ev['source_kind']}-{ev['source_name']}"
        own = {"stream_id": stream, "seq": seqs[stream], "hash": ev["event_id"], "v": 1}
        seqs[stream] += 1
        yield [
            own[name] if name in own else ev.get(name, _default(typ)) for name, typ in STORE_COLUMNS
        ]


def insert_frame(store: Store, events: pd.DataFrame) -> None:
    """Put a frame of events (simulator or test rows) straight into the store's ``events``."""
    store.insert_rows("events", list(_rows(events)), STORE_COLUMNS)
