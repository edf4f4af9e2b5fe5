"""The store: ClickHouse (server over HTTP, or chDB in-process) behind one small API.

The same SQL runs on both backends; only :func:`open_store` knows which one it talks to.
Every ClickHouse / chDB error is wrapped where it enters: ``StoreUnavailable`` (the original in
``__cause__``), and nothing this object caches advances when a call fails.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from ..segments import DecodedSegment, RawRun
from ._config import InsertResult, StoreConfig, type_names, wrapped
from ._plan import plan
from .columns import events_to_columns
from .dedupe import stored_hashes, wanted_seqs
from .filters import where
from .jsonrows import insert_json, sweep, temp_dir
from .lock import opened
from .quarantine import QUARANTINE_COLUMNS
from .rows import (
    EVENT_COLUMN_NAMES,
    finding_rows,
    row_to_checkpoint,
    row_to_event,
)
from .schema import (
    CHECKPOINT_COLUMNS,
    EVENT_COLUMNS,
    FINDING_COLUMNS,
    HEAD_COLUMNS,
    migrate,
)

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped]  # no stubs installed
    from clickhouse_connect.driver.client import Client

__all__ = ["InsertResult", "Store", "StoreConfig", "open_store"]

logger = logging.getLogger(__name__)

_HEAD_QUERY_CHUNK = 1000


_EVENT_TYPES = type_names(EVENT_COLUMNS)
_SELECT_EVENT = ", ".join(f"`{name}`" for name in EVENT_COLUMN_NAMES)
_SELECT_CHECKPOINT = ", ".join(f"`{name}`" for name, _ in CHECKPOINT_COLUMNS)


def open_store(config: StoreConfig) -> Store:
    """Connect to the store ``config`` names (call :meth:`Store.migrate` once before use)."""
    import clickhouse_connect

    with wrapped(f"cannot open the {config.backend} store"):
        if config.backend == "chdb":
            os.makedirs(config.path, exist_ok=True)
            client = clickhouse_connect.get_client(interface="chdb", path=config.path)
            if opened(config.path, +1) == 1:  # no insert of this process can be running
                swept = sweep(temp_dir(config.path))
                if swept:
                    logger.info("removed %d stale temporary insert files", swept)
        else:
            parts = urlsplit(str(config.url))
            secure = config.secure or parts.scheme == "https"
            client = clickhouse_connect.get_client(
                interface="https" if secure else "http",
                host=parts.hostname or "localhost",
                port=parts.port or (8443 if secure else 8123),
                username=config.username,
                password=config.password,
                secure=secure,
                verify=config.verify_tls,
                compress=True,
                autogenerate_session_id=False,  # sessionless: threads may share the client
            )
    return Store(client, config)


_EVENT_FILTERS: Final = {
    "stream": "stream_id = {stream:String}",
    "source": "source_name = {source:String}",
    "since": "time >= fromUnixTimestamp64Micro(toInt64({since:UInt64}), 'UTC')",
    "until": "time < fromUnixTimestamp64Micro(toInt64({until:UInt64}), 'UTC')",
}
_CHECKPOINT_FILTERS: Final = {
    "stream": "stream_id = {stream:String}",
    "source": "source = {source:String}",
}


class Store:
    """Events, checkpoints, findings and chain heads in one ClickHouse database.

    Every statement goes through this object, under its lock (the clickhouse-connect client is
    private: chDB and the HTTP session are shared by the threads of a process). Readers use
    :meth:`query_rows`, :meth:`query_df` and :meth:`command`; writers :meth:`insert_rows` and
    the typed methods. Tables are ``{database}.events`` and so on (see ``schema``).
    """

    def __init__(self, client: Client, config: StoreConfig) -> None:
        self._client = client
        self.config = config
        self.database = config.database
        self._heads: dict[str, int] = {}  # stream -> max stored seq (-1: none), this process
        self._temp_dir = temp_dir(config.path) if config.backend == "chdb" else None
        self._lock = threading.RLock()
        self._closed = False

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -----------------------------------------------------------------------------

    def migrate(self) -> int:
        """Create or upgrade the schema (idempotent); returns its version."""
        with self._lock, wrapped("migration failed"):
            return migrate(self._client, self.database, ttl_days=self.config.ttl_days)

    # -- writing ----------------------------------------------------------------------------

    def insert_segments(
        self, segments: Sequence[DecodedSegment | RawRun], *, dedupe_token: str | None = None
    ) -> InsertResult:
        """Store the segments' new events, checkpoints, findings and chain heads; a quarantine
        segment's events and checkpoints go to the ``quarantine`` table instead (its findings
        to ``integrity_findings``), never among the stream's.

        An event already stored (same stream, seq and hash; or taken earlier in the call) is a
        duplicate, skipped; one below the stream's head that is not stored is stored, the head
        staying where it is; another hash at a stored seq is a fork, kept in ``quarantine``
        with a ``forked`` finding (``dedupe``).
        Events go in one insert, deduplicated by ``dedupe_token`` when given (use one that
        names the consumed records, e.g. topic/partition/offsets, so a retry is recognised).
        On any store error: StoreUnavailable, and the cached heads of these streams are
        forgotten, so the retry reads them back from the store.

        A :class:`RawRun` (a trusted clean run, its events not parsed) whose events are all new
        goes to chDB as JSON text, parsed there (``jsonrows``: the same rows); otherwise (some
        at or below the head, or a ClickHouse server) it is decoded and taken as any segment.
        """
        with self._lock:
            streams = list(dict.fromkeys(seg.stream_id for seg in segments))
            floors = dict(self._load_heads(streams))
            wanted = wanted_seqs(segments, floors)
            stored = stored_hashes(self._client, f"{self.database}.events", wanted)
            raw_ok = self.config.backend == "chdb"
            todo = plan(segments, floors, stored, raw_ok=raw_ok)
            try:
                columns = events_to_columns(todo.kept, todo.marks)
                if todo.raw:  # first: the heads are written last, once every event is in
                    table = f"{self.database}.events"
                    with wrapped("insert failed"):
                        insert_json(self._client, table, todo.raw, dedupe_token, self._temp_dir)
                checkpoints = list(todo.checkpoints.values())
                self._write(columns, checkpoints, todo.findings, todo.heads, dedupe_token)
                with wrapped("insert failed"):
                    self._insert("quarantine", todo.quarantined, QUARANTINE_COLUMNS)
            except BaseException:  # whatever went in, the retry reads the heads back
                for stream in streams:
                    self._heads.pop(stream, None)
                raise
            for stream, (seq, _, _) in todo.heads.items():
                self._heads[stream] = seq
            logger.debug("stored %d events, %d duplicates", todo.inserted, todo.duplicates)
            return InsertResult(todo.inserted, todo.duplicates, len(streams))

    def _write(
        self,
        columns: list[list[Any]],
        checkpoints: list[tuple[Any, ...]],
        findings: list[dict[str, Any]],
        heads: Mapping[str, tuple[int, str, str]],
        dedupe_token: str | None,
    ) -> None:
        db = self.database
        with wrapped("insert failed"):
            if columns[0]:
                # a backfill may span many days: more parts, rather than a batch that never goes in
                settings: dict[str, Any] = {"throw_on_max_partitions_per_insert_block": 0}
                if dedupe_token:
                    settings["insert_deduplication_token"] = dedupe_token
                self._client.insert(
                    f"{db}.events",
                    columns,
                    column_names=list(EVENT_COLUMN_NAMES),
                    column_type_names=_EVENT_TYPES,
                    column_oriented=True,
                    settings=settings,
                )
            self._insert("checkpoints", checkpoints, CHECKPOINT_COLUMNS)
            self._insert("integrity_findings", finding_rows(findings, "collector"), FINDING_COLUMNS)
            head_rows = [(s, seq, h, src) for s, (seq, h, src) in heads.items()]
            self._insert("chain_heads", head_rows, HEAD_COLUMNS)

    def _insert(
        self, table: str, rows: Sequence[Sequence[Any]], columns: Sequence[tuple[str, str]]
    ) -> None:
        if rows:
            self._client.insert(
                f"{self.database}.{table}",
                rows,
                column_names=[name for name, _ in columns],
                column_type_names=type_names(columns),
            )

    def insert_rows(
        self, table: str, rows: Sequence[Sequence[Any]], columns: Sequence[tuple[str, str]]
    ) -> None:
        """Insert plain rows into one of our tables (``columns``: name, ClickHouse type)."""
        with self._lock, wrapped(f"insert into {table} failed"):
            self._insert(table, rows, columns)

    def record_findings(
        self, findings: Sequence[Mapping[str, Any]], *, source: str = "verify"
    ) -> None:
        """Store integrity findings: dicts with ``stream_id``, ``seq``, ``class`` (or ``cls``),
        optional ``detail``, ``event_id``, ``found_at`` (datetime or µs) and ``source``
        (``collector`` | ``pipeline`` | ``verify``; default: the ``source`` argument)."""
        rows = finding_rows(findings, source)
        with self._lock, wrapped("recording findings failed"):
            self._insert("integrity_findings", rows, FINDING_COLUMNS)

    # -- reading ----------------------------------------------------------------------------

    def _load_heads(self, stream_ids: Iterable[str]) -> dict[str, int]:
        """Max stored seq per stream (-1 when none), from the cache or the events table."""
        wanted = list(dict.fromkeys(stream_ids))
        missing = [s for s in wanted if s not in self._heads]
        for start in range(0, len(missing), _HEAD_QUERY_CHUNK):
            chunk = missing[start : start + _HEAD_QUERY_CHUNK]
            with wrapped("reading chain heads failed"):
                result = self._client.query(
                    f"SELECT stream_id, max(seq) FROM {self.database}.events"  # noqa: S608
                    " WHERE stream_id IN {ids:Array(String)} GROUP BY stream_id",
                    parameters={"ids": chunk},
                )
            found = {str(s): int(q) for s, q in result.result_rows}
            for stream in chunk:
                self._heads[stream] = found.get(stream, -1)
        return {s: self._heads[s] for s in wanted}

    def stream_heads(self, stream_ids: Iterable[str]) -> dict[str, int]:
        """Max stored seq of each given stream that has events (others are left out)."""
        with self._lock:
            return {s: q for s, q in self._load_heads(stream_ids).items() if q >= 0}

    def forget_heads(self, stream_ids: Iterable[str] | None = None) -> None:
        """Drop cached heads (all, or these streams), e.g. when a consumer loses partitions."""
        with self._lock:
            if stream_ids is None:
                self._heads.clear()
            for stream in stream_ids or ():
                self._heads.pop(stream, None)

    def iter_events(
        self,
        *,
        stream_id: str | None = None,
        source: str | None = None,
        since_us: int | None = None,
        until_us: int | None = None,
        batch_rows: int = 50_000,
    ) -> Iterator[dict[str, Any]]:
        """Rebuilt events ordered by stream, seq (then hash), one page of ``batch_rows`` at a
        time (keyset pagination: no open cursor between pages, memory bounded by a page).

        ``source`` is ``source.name``; ``since_us`` is inclusive, ``until_us`` exclusive.
        Exact redeliveries are collapsed (FINAL); distinct events sharing a seq all appear.
        """
        if batch_rows < 1:
            raise ValueError("batch_rows must be at least 1")
        cond, params = where(
            _EVENT_FILTERS, stream=stream_id, source=source, since=since_us, until=until_us
        )
        params["n"] = batch_rows
        base = f"SELECT {_SELECT_EVENT} FROM {self.database}.events FINAL WHERE {cond}"  # noqa: S608
        after = (
            " AND stream_id >= {ls:String} AND (stream_id > {ls:String} OR seq > {lq:UInt64}"
            " OR (seq = {lq:UInt64} AND hash > {lh:String}))"
        )
        tail = " ORDER BY stream_id, seq, hash LIMIT {n:UInt64}"
        last: tuple[str, int, str] | None = None
        while True:
            sql = base + (after if last else "") + tail
            if last:
                params.update(ls=last[0], lq=last[1], lh=last[2])
            with self._lock, wrapped("reading events failed"):
                result = self._client.query(sql, parameters=params)
                names, page = result.column_names, result.result_rows
            for row in page:
                yield row_to_event(dict(zip(names, row, strict=True)))
            if len(page) < batch_rows:
                return
            final = page[-1]
            last = (final[0], final[1], final[2])  # stream_id, seq, hash lead the column list

    def checkpoints(
        self, *, stream_id: str | None = None, source: str | None = None
    ) -> list[dict[str, Any]]:
        """Stored checkpoints, exactly as signed, ordered by stream and seq."""
        cond, params = where(_CHECKPOINT_FILTERS, stream=stream_id, source=source)
        sql = (
            f"SELECT {_SELECT_CHECKPOINT} FROM {self.database}.checkpoints FINAL"  # noqa: S608
            f" WHERE {cond} ORDER BY stream_id, seq, hash, sig"
        )
        with self._lock, wrapped("reading checkpoints failed"):
            result = self._client.query(sql, parameters=params)
        names = result.column_names
        return [row_to_checkpoint(dict(zip(names, r, strict=True))) for r in result.result_rows]

    def quarantined(self, *, stream_id: str | None = None) -> list[dict[str, Any]]:
        """Evidence kept beside the streams, ordered by stream, seq, kind: dicts with
        ``stream_id``, ``seq``, ``kind``, ``hash``, ``event_id``, ``writer``, ``findings`` (a
        list of classes) and ``item`` (the event or checkpoint exactly as received)."""
        cond, params = where(_CHECKPOINT_FILTERS, stream=stream_id or None)
        sql = (
            "SELECT stream_id, seq, kind, hash, event_id, writer, findings, body"  # noqa: S608
            f" FROM {self.database}.quarantine FINAL WHERE {cond}"
            " ORDER BY stream_id, seq, kind, digest"
        )
        with self._lock, wrapped("reading the quarantine failed"):
            result = self._client.query(sql, parameters=params)
        out = []
        for sid, seq, kind, digest, event_id, writer, classes, body in result.result_rows:
            out.append(
                {
                    "stream_id": sid,
                    "seq": int(seq),
                    "kind": kind,
                    "hash": digest,
                    "event_id": event_id,
                    "writer": writer,
                    "findings": [c for c in str(classes).split(",") if c],
                    "item": json.loads(body),
                }
            )
        return out

    def streams(self, *, source: str | None = None) -> list[str]:
        """Every stream with stored events, checkpoints or a chain head (sorted)."""
        where = "" if source is None else " WHERE {} = {{s:String}}"
        parts = " UNION ALL ".join(
            f"SELECT stream_id FROM {self.database}.{table}{where.format(column)}"  # noqa: S608
            for table, column in (("events", "source_name"), ("checkpoints", "source"),
                                  ("chain_heads", "source"))
        )  # fmt: skip
        sql = f"SELECT DISTINCT stream_id FROM ({parts}) ORDER BY stream_id"  # noqa: S608
        with self._lock, wrapped("listing streams failed"):
            result = self._client.query(sql, parameters={"s": source} if source else None)
        return [str(row[0]) for row in result.result_rows]

    def query_rows(
        self, sql: str, parameters: Mapping[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """Run a SELECT and return its rows as tuples."""
        with self._lock, wrapped("query failed"):
            result = self._client.query(sql, parameters=dict(parameters or {}))
            return [tuple(row) for row in result.result_rows]

    def query_dicts(
        self, sql: str, parameters: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run a SELECT and return its rows as ``{column: value}``."""
        with self._lock, wrapped("query failed"):
            result = self._client.query(sql, parameters=dict(parameters or {}))
            names = result.column_names
            return [dict(zip(names, row, strict=True)) for row in result.result_rows]

    def query_df(self, sql: str, parameters: Mapping[str, Any] | None = None) -> pandas.DataFrame:
        """Run a SELECT and return a pandas DataFrame (pandas is imported only here)."""
        with self._lock, wrapped("query failed"):
            return self._client.query_df(sql, parameters=dict(parameters or {}))

    def command(self, sql: str, parameters: Mapping[str, Any] | None = None) -> Any:
        """Run one statement; returns what clickhouse-connect's ``command`` returns."""
        with self._lock, wrapped("command failed"):
            return self._client.command(sql, parameters=dict(parameters) if parameters else None)

    def close(self) -> None:
        """Release the connection (idempotent). A chDB engine closes with its last client."""
        if not self._closed:
            self._closed = True
            if self.config.backend == "chdb":
                opened(self.config.path, -1)
            with wrapped("close failed"):
                self._client.close()
