"""tooltrail.pipeline.store: events, rollups, checkpoints, findings and chain heads in ClickHouse.

``open_store(StoreConfig(...))`` gives a :class:`Store` over chDB (in-process, the embedded
default) or a ClickHouse server over HTTP; one SQL serves both. ``Store.migrate()`` creates the
schema (``schema``); ``rows`` maps events to columns and back without loss.

Importing this package loads neither clickhouse-connect nor pandas: ``open_store`` loads the
driver, ``Store.query_df`` loads pandas.
"""

from __future__ import annotations

from ..segments import DecodedSegment
from ._config import InsertResult, StoreConfig
from ._endpoint import Endpoint, endpoint_file, find_endpoint, served_config
from ._store import Store, open_store
from .lock import store_in_use
from .rows import FIELD_COLUMNS, FINDING_SOURCES, event_to_row, row_to_checkpoint, row_to_event
from .schema import SCHEMA_VERSION, TABLES, migrate

__all__ = [
    "FIELD_COLUMNS",
    "FINDING_SOURCES",
    "SCHEMA_VERSION",
    "TABLES",
    "DecodedSegment",
    "Endpoint",
    "InsertResult",
    "Store",
    "StoreConfig",
    "endpoint_file",
    "event_to_row",
    "find_endpoint",
    "migrate",
    "open_store",
    "row_to_checkpoint",
    "row_to_event",
    "served_config",
    "store_in_use",
]
