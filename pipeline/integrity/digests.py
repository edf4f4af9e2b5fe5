"""Hourly digests: per stream and hour of event time, a signed Merkle root, chained.

Like AWS CloudTrail's digest files: whoever holds the store cannot rewrite, delete or insert an
event of a digested hour, or cut a stream's tail, once the digest is kept somewhere they cannot
write (``export_digests`` writes one JSON file per stream-hour for a WORM bucket or another host).
The format is the spec's ("Digests", ``docs/event-contract.md``); the contract builds and hashes
them (``digest_body``, ``digest_hash``, ``merkle_root_hex``).

Walking a stream in seq order, an event belongs to the hour of its ``ts`` or, when the event
before it belongs to a later hour, to that one: digests cover contiguous seq runs, and a late
event (a long call that started before a short one ended) cannot reopen a digested hour. An hour
is *closed* once the stream has a following event in a later hour. ``Digester.run_once`` signs
every closed, undigested hour and stores it; the same events always give byte-identical digests,
so a replayed or rebuilt store derives them again exactly.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from tooltrail.contract import (
    FIELDS,
    GENESIS_DIGEST_HASH,
    EventInvalid,
    Finding,
    MerkleRoot,
    Signer,
    digest_body,
    digest_hash,
)

from ..store import Store
from ..store.filters import where
from ..store.schema import DIGEST_COLUMNS

__all__ = [
    "HOUR_US",
    "DigestSets",
    "Digester",
    "ExportResult",
    "digest_order",
    "digest_path",
    "digest_problem",
    "digest_sets",
    "digests_by_stream",
    "export_digests",
    "hour_name",
    "hour_of",
    "load_digests",
    "read_digests",
]

log = logging.getLogger(__name__)

DigestSets = list[tuple[str, dict[str, list[dict[str, Any]]]]]
"""Digest sets to check: (label, the set's digests by stream id)."""

HOUR_US: Final = 3_600_000_000
#: how far before a stream's last digested hour a digest run starts reading (late events)
_LATE_US: Final = HOUR_US


def hour_of(ts_us: int) -> int:
    """The start (µs, UTC) of the hour holding ``ts_us``."""
    return ts_us - ts_us % HOUR_US


def hour_name(hour_us: int) -> str:
    """``YYYY-MM-DDTHH`` (UTC) of an hour given in µs."""
    return datetime.fromtimestamp(hour_us // 1_000_000, UTC).strftime("%Y-%m-%dT%H")


def digest_path(directory: str | os.PathLike[str], digest: Mapping[str, Any]) -> Path:
    """Where a digest's file lives: ``<directory>/<stream_id>/<YYYY-MM-DDTHH>.json``."""
    return Path(directory) / str(digest["stream_id"]) / f"{hour_name(int(digest['hour']))}.json"


_INTS: Final = ("v", "hour", "first_seq", "last_seq", "count", "ts")
_STRS: Final = ("stream_id", "merkle_root", "prev_digest_hash", "alg")


def digest_problem(d: Mapping[str, Any]) -> str | None:
    """Why ``d`` is not a well-formed signed digest, or None."""
    if d.get("type") != "digest":
        return "type is not 'digest'"
    for k in _INTS:
        if type(d.get(k)) is not int:
            return f"{k} is not an integer"
    for k in _STRS:
        if type(d.get(k)) is not str:
            return f"{k} is not a string"
    if not 0 <= d["hour"] <= 2**53 or d["hour"] % HOUR_US:
        return "hour is not the start of an hour (µs)"
    if not 0 <= d["first_seq"] <= d["last_seq"] or d["count"] != d["last_seq"] - d["first_seq"] + 1:
        return "first_seq, last_seq and count disagree"
    return None


def digest_order(d: Mapping[str, Any]) -> tuple[int, int]:
    """Sort key of a stream's digests: (first_seq, hour); malformed ones first."""
    f, h = d.get("first_seq"), d.get("hour")
    return (f if type(f) is int else -1, h if type(h) is int else -1)


def digests_by_stream(digests: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for d in digests:
        out.setdefault(str(d.get("stream_id")), []).append(d)
    return out


def _rows(store: Store, sql: str, parameters: Mapping[str, Any] | None = None) -> list[Any]:
    """Rows of a SELECT. Queries name tables by ``store.database``, a checked identifier
    (``StoreConfig``), and pass every value as a bound parameter."""
    return store.query_rows(sql, parameters)


def read_digests(
    store: Store, *, stream_id: str | None = None, errors: list[tuple[str, str]] | None = None
) -> list[dict[str, Any]]:
    """The digests held in the store, by stream and hour (parsed from their stored JSON).

    A stored body that is not a JSON object raises ValueError, unless ``errors`` is given:
    then ``(stream_id, reason)`` is appended there and it is skipped.
    """
    cond, params = where({"stream": "stream_id = {stream:String}"}, stream=stream_id)
    sql = (
        f"SELECT stream_id, hour, body FROM {store.database}.digests FINAL"  # noqa: S608
        f" WHERE {cond} ORDER BY stream_id, hour, first_seq"
    )
    out: list[dict[str, Any]] = []
    for stream, hour, body in _rows(store, sql, params):
        try:
            doc = json.loads(body)
            if type(doc) is not dict:
                raise ValueError("not a JSON object")
        except ValueError as exc:
            problem = f"the stored digest of hour {hour} is unreadable ({exc})"
            if errors is None:
                raise ValueError(f"{stream}: {problem}") from exc
            errors.append((str(stream), problem))
            continue
        out.append(doc)
    return out


def _encode(digest: Mapping[str, Any]) -> str:
    return json.dumps(digest, ensure_ascii=False, separators=(",", ":"))


@dataclass(slots=True)
class _Run:
    """The digest being built: one stream's events of one hour."""

    hour: int
    first_seq: int
    last_seq: int
    max_ts: int
    tree: MerkleRoot = field(default_factory=MerkleRoot)


class Digester:
    """Signs every closed, undigested stream-hour of the store and stores the digests.

    ``signer`` is the pipeline's own key (``Signer.load_or_create(path)``); verifiers trust its
    public key, kept outside the store.
    """

    __slots__ = ("signer", "store")

    def __init__(self, store: Store, signer: Signer) -> None:
        self.store = store
        self.signer = signer

    def run_once(self) -> list[dict[str, Any]]:
        """Digest what is closed now; returns the new digests (already stored)."""
        last = {d["stream_id"]: d for d in self._last_digests()}
        db = self.store.database
        spans = _rows(
            self.store,
            f"SELECT stream_id, min(ts), max(ts) FROM {db}.events GROUP BY stream_id"  # noqa: S608
            " ORDER BY stream_id",
        )
        made: list[dict[str, Any]] = []
        for stream_id, min_ts, max_ts in spans:
            prev = last.get(stream_id)
            since = int(prev["hour"]) if prev is not None else hour_of(int(min_ts))
            if hour_of(int(max_ts)) > since:
                made.extend(self._digest_stream(str(stream_id), prev))
        if made:
            self._store(made)
            log.info(
                "signed %d digests of %d streams", len(made), len({d["stream_id"] for d in made})
            )
        return made

    def _last_digests(self) -> list[dict[str, Any]]:
        sql = (
            f"SELECT argMax(body, (hour, last_seq)) FROM {self.store.database}.digests FINAL"  # noqa: S608
            " GROUP BY stream_id"
        )
        return [json.loads(body) for (body,) in _rows(self.store, sql)]

    def _events(self, stream_id: str, prev: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        """The stream's events after ``prev`` (a full read when late events hide before it)."""
        if prev is None:
            return self.store.iter_events(stream_id=stream_id)
        start = int(prev["last_seq"]) + 1
        since = max(int(prev["hour"]) - _LATE_US, 0)
        events = [e for e in self.store.iter_events(stream_id=stream_id, since_us=since)]
        tail = [e for e in events if e["seq"] >= start]
        if tail and tail[0]["seq"] == start:
            return tail
        return (e for e in self.store.iter_events(stream_id=stream_id) if e["seq"] >= start)

    def _digest_stream(
        self, stream_id: str, prev: Mapping[str, Any] | None
    ) -> list[dict[str, Any]]:
        made: list[dict[str, Any]] = []
        link = digest_hash(prev) if prev is not None else GENESIS_DIGEST_HASH
        floor = int(prev["hour"]) if prev is not None else None
        expected = int(prev["last_seq"]) + 1 if prev is not None else None
        run: _Run | None = None
        last: tuple[int, str] | None = None  # (seq, hash) of the event before
        for e in self._events(stream_id, prev):
            seq, ts = e["seq"], e["ts"]
            if last is not None and seq == last[0]:
                if e["hash"] == last[1]:
                    continue  # the same event twice: one leaf
                log.warning(
                    "stream %s has two events at seq %d: digests stop there", stream_id, seq
                )
                break
            if expected is not None and seq != expected:
                log.warning("stream %s misses seq %d: digests stop there", stream_id, expected)
                break
            hour = hour_of(ts) if floor is None else max(floor, hour_of(ts))
            if run is not None and hour > run.hour:
                made.append(self._sign(stream_id, run, link))
                link = digest_hash(made[-1])
                run = None
            if run is None:
                run = _Run(hour, seq, seq, ts)
            run.tree.add(bytes.fromhex(e["hash"]))
            run.last_seq, run.max_ts = seq, max(run.max_ts, ts)
            floor, expected, last = hour, seq + 1, (seq, e["hash"])
        return made

    def _sign(self, stream_id: str, run: _Run, link: str) -> dict[str, Any]:
        body = digest_body(
            stream_id,
            run.hour,
            run.first_seq,
            run.last_seq,
            run.tree.root().hex(),
            link,
            run.max_ts,
        )
        return self.signer.sign(body)

    def _store(self, digests: list[dict[str, Any]]) -> None:
        rows = [
            (
                d["stream_id"],
                datetime.fromtimestamp(d["hour"] // 1_000_000, UTC),
                d["first_seq"],
                d["last_seq"],
                d["count"],
                d["merkle_root"],
                d["prev_digest_hash"],
                d["ts"],
                d["alg"],
                d["key_id"],
                d["sig"],
                _encode(d),
            )
            for d in digests
        ]
        self.store.insert_rows("digests", rows, DIGEST_COLUMNS)


@dataclass(frozen=True, slots=True)
class ExportResult:
    written: list[Path]  # new files
    unchanged: int  # files already there with the same digest
    conflicts: list[Path]  # files already there with another digest: kept, never overwritten


def export_digests(store: Store, directory: str | os.PathLike[str]) -> ExportResult:
    """Write every stored digest to ``directory`` as ``<stream_id>/<YYYY-MM-DDTHH>.json``.

    Files are written once (atomically) and never overwritten: a file that already holds another
    digest is kept and reported in ``conflicts`` (one of the two copies was tampered with).
    """
    written: list[Path] = []
    conflicts: list[Path] = []
    unchanged = 0
    for digest in read_digests(store):
        problem = digest_problem(digest)
        if problem is None:
            try:
                FIELDS["stream_id"][0]("stream_id", digest["stream_id"])
            except EventInvalid as exc:
                problem = str(exc)
        if problem is not None:  # never let a stored value pick the path
            log.error("not exporting a malformed digest of the store (%s): %.200s", problem, digest)
            continue
        path = digest_path(directory, digest)
        if path.exists():
            try:
                kept = json.loads(path.read_text(encoding="utf-8"))
                same = isinstance(kept, dict) and digest_hash(kept) == digest_hash(digest)
            except ValueError:
                same = False
            if same:
                unchanged += 1
            else:
                log.warning("digest file %s differs from the store's digest: kept as it is", path)
                conflicts.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(digest, ensure_ascii=False, indent=2) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        written.append(path)
    return ExportResult(written, unchanged, conflicts)


def load_digests(
    directory: str | os.PathLike[str], *, errors: list[tuple[Path, str]] | None = None
) -> list[dict[str, Any]]:
    """The digests kept in ``directory`` (as written by :func:`export_digests`).

    A file that is not a JSON object raises ValueError naming it, unless ``errors`` is given:
    then ``(path, reason)`` is appended there and the file skipped.
    """
    out: list[dict[str, Any]] = []
    for path in sorted(Path(directory).glob("*/*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if type(doc) is not dict:
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            if errors is None:
                raise ValueError(f"digest file {path}: {exc}") from exc
            errors.append((path, str(exc)))
            continue
        out.append(doc)
    return out


def digest_sets(
    store: Store, digests_dir: str | os.PathLike[str] | None, store_digests: bool
) -> tuple[DigestSets, list[Finding]]:
    """The digests to check, kept in ``digests_dir`` and/or the store: ``(label, by stream)``;
    and a ``bad_checkpoint`` finding for each digest that cannot be read."""
    sets: DigestSets = []
    problems: list[Finding] = []
    if digests_dir is not None:
        errors: list[tuple[Path, str]] = []
        kept = load_digests(digests_dir, errors=errors)
        for path, reason in errors:
            detail = f"digest file {path} is unreadable ({reason})"
            problems.append(Finding("bad_checkpoint", path.parent.name, 0, detail))
        sets.append((f"digest files in {digests_dir}", digests_by_stream(kept)))
    if store_digests:
        unreadable: list[tuple[str, str]] = []
        stored = read_digests(store, errors=unreadable)
        problems += [Finding("bad_checkpoint", s, 0, why) for s, why in unreadable]
        sets.append(("the store's digests", digests_by_stream(stored)))
    return sets, problems
