"""Events as JSON text → the ``events`` table, parsed by ClickHouse itself (chDB).

The processor's Python path parses each event (``orjson``), builds its row and encodes the
columns (clickhouse-connect): ~12 µs per event. For a run of events the collector verified (its
MAC checked) the store can instead hand ClickHouse the events' JSON text and one
``INSERT … SELECT`` that maps fields to columns exactly as :func:`~.rows.event_to_row` does:
``JSONEachRow`` with objects read as their raw text (``source``, ``actor``, ``redactions``,
``args``, ``attrs``), the version's field names chosen per column with ``if(v = 1, …)``. The
events arrive as the collector wrote them — canonical JSON (RFC 8785) with ``hash`` appended —
so the raw text of ``args`` / ``attrs`` is already their canonical text, the column's value.
``tests/pipeline/test_jsonrows.py`` checks the rows equal the Python path's for
hypothesis-generated events of both versions.

Where ClickHouse would read a stamped run otherwise than ``orjson`` and the Python path (it is
the more lenient reader), the insert throws instead (:data:`SETTINGS`, :data:`_INTEGERS`,
:func:`_checks`): the processor then takes the run through the Python path, which decides
(``tests/pipeline/test_trust_equivalence.py``).

The events must also be exactly what the runs' ``run`` headers claim (:func:`_claims`: each
row an event of its run's stream at the seq its place gives, each run's last event with the
claimed hash, no event missing or extra), or the insert throws: the headers move the chain
heads, and a writer holding the record key could otherwise move a head to a seq never stored
or store an event in another stream's chain (``tests/pipeline/test_trust_headers.py``;
+0.55-1.0 µs per event).

Only the chDB backend reads a local file (``file()``); a ClickHouse server takes the Python
path. The file (:data:`TEMP_PREFIX`) is written in the store's own directory (:func:`temp_dir`)
and removed after the insert; one a killed process left behind is removed by :func:`sweep`
when the store is next opened (chDB lets one process at a time hold the directory, so any
there then is stale). Measured in process (20k-event flushes, same store): 13 µs per event
with the insert, against 23 for decode + columns + insert.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from ..segments import RawRun
from .columns import _PLAIN
from .rows import _ACTOR, _OPTIONAL_STR, _OPTIONAL_STR_V2, _SOURCE, _STR_FIELDS, EVENT_COLUMN_NAMES

__all__ = ["SETTINGS", "TEMP_PREFIX", "insert_json", "insert_sql", "sweep", "temp_dir"]

#: the name of every temporary JSON file the insert writes starts so
TEMP_PREFIX: Final = "tooltrail-events-"
_TEMP_SUFFIX: Final = ".json"


def _q(name: str) -> str:
    return f"`{name}`"


#: the integer fields and their columns' types. Read as ``Dynamic``, so that what the JSON held
#: is known: only an integer literal is converted (``accurateCast`` refuses what the column
#: cannot hold; ClickHouse would otherwise wrap an integer too large around, read ``"5"`` as 5
#: and ``1.0`` as 1); anything else — a string, a float, ``null`` where the field is required —
#: is refused, and the Python path decides
_INTEGERS: Final = {
    "v": "UInt8",
    "seq": "UInt64",
    "ts": "UInt64",
    "duration_us": "UInt64",
    "args_bytes": "Nullable(UInt64)",
    "result_bytes": "Nullable(UInt64)",
    "server.port": "Nullable(UInt16)",
}
#: the object fields, read as their raw text (NULL when absent)
_OBJECTS: Final = ("source", "actor", "redactions", "args", "attrs")

#: every contract field as read from the JSON (objects as their raw text)
_FIELDS: Final = {
    **dict.fromkeys(_INTEGERS, "Dynamic"),
    "event_id": "String",
    "stream_id": "String",
    "prev_hash": "String",
    "hash": "String",
    **{f: "Nullable(String)" for f in _OBJECTS},
    "mcp.method.name": "String",
    "outcome": "String",
    "args_fingerprint": "String",
    "args_truncated": "Nullable(Bool)",
    **{f: "String" for f, _ in _OPTIONAL_STR},
    **{f: "String" for f, _ in _STR_FIELDS[2]},
}  # fmt: skip
_STRUCTURE: Final = ", ".join(f"{_q(name)} {kind}" for name, kind in _FIELDS.items())


#: RE2 patterns: JSON whitespace; a JSON string, its escapes valid and a surrogate escaped only
#: as a pair (``orjson`` refuses a lone one; the run's bytes are UTF-8, checked in Python)
_WS: Final = r"[ \t\n\r]*"
_STRING: Final = (
    r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u(?:[0-9a-cA-Ce-fE-F][0-9a-fA-F]{3}'
    r'|[dD][0-7][0-9a-fA-F]{2}|[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2})))*"'
)
#: a count in ``redactions``: an integer literal of at most 19 digits (within UInt64)
_COUNT: Final = "(?:0|[1-9][0-9]{0,18})"


def _flat_object(value: str) -> str:
    """The RE2 pattern of one JSON object whose members' values are each ``value``."""
    member = f"{_STRING}{_WS}:{_WS}{value}"
    return rf"^\{{{_WS}(?:{member}{_WS}(?:,{_WS}{member}{_WS})*)?\}}$"


def _literal(text: str) -> str:
    """``text`` as a ClickHouse string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


#: ``source`` and ``actor``: the text read and their members, each extracted once per row (the
#: checks and the columns share the expression); NULL for a member that is absent
_NAMES: Final = {
    "source": (_SOURCE, "assumeNotNull(source)"),
    "actor": (_ACTOR, "ifNull(actor, '{}')"),
}
_REDACTIONS: Final = "JSONExtract(ifNull(redactions, '{}'), 'Map(String, UInt64)')"


def _members(field: str) -> str:
    keys, text = _NAMES[field]
    return f"JSONExtract({text}, 'Tuple({', '.join(f'{k} Nullable(String)' for k, _ in keys)})')"


def _checks() -> str:
    """A ``WHERE`` that refuses (throws) what ClickHouse would read otherwise than ``orjson``
    and the Python path: an integer field that is not an integer literal (:data:`_INTEGERS`);
    ``args`` or ``attrs`` that is not one valid JSON object (``NaN``, a lone surrogate, a bad
    escape, a trailing comma: ``input_format_json_read_objects_as_strings`` keeps any balanced
    text); ``source`` or ``actor`` that is not one valid JSON object of strings with known,
    distinct keys (a number read as ``""`` by ``JSONExtract``, which also takes the first of
    two equal keys where ``orjson`` keeps the last), ``redactions`` that is not one of counts
    with distinct keys (a negative count, one beyond 64 bits, ``null``, a string). The objects
    are checked by one regular expression each (a full JSON check of their flat shape) and
    one extraction the columns reuse: each member's text is parsed once."""
    terms = []
    for field, kind in _INTEGERS.items():
        read = "'Int64', 'UInt64'" + (", 'None'" if kind.startswith("Nullable") else "")
        terms.append(
            f"throwIf(dynamicType({_q(field)}) NOT IN ({read}), '{field} is not an integer')"
        )
    for field in ("args", "attrs"):
        name = _q(field)
        valid = f"({name} IS NULL OR (startsWith({name}, '{{') AND isValidJSON({name})))"
        terms.append(f"throwIf(NOT {valid}, '{field} is not one JSON object')")
    strings = _literal(_flat_object(_STRING))
    for field, (keys, text) in _NAMES.items():
        shape = f"match({text}, {strings})"
        if field == "actor":  # optional (absent or null: no actor)
            shape = f"(actor IS NULL OR {shape})"
        terms.append(f"throwIf(NOT {shape}, '{field} is not one JSON object of strings')")
        present = " + ".join(
            f"(tupleElement({_members(field)}, '{k}') IS NOT NULL)" for k, _ in keys
        )
        terms.append(
            f"throwIf(JSONLength({text}) != {present}, '{field} has an unknown or repeated key')"
        )
    counts = _literal(_flat_object(_COUNT))
    terms.append(
        f"throwIf(NOT match(ifNull(redactions, '{{}}'), {counts}),"
        " 'redactions is not one JSON object of counts')"
    )
    terms.append(
        f"throwIf(length(arrayDistinct(mapKeys({_REDACTIONS}))) != length({_REDACTIONS}),"
        " 'redactions has a repeated key')"
    )
    return " + ".join(terms) + " = 0"


def _select() -> str:
    exprs = {column: _q(field) for field, column in _PLAIN.items()}  # copied as they are
    for field, kind in _INTEGERS.items():  # the types read are checked by _checks()
        exprs[_PLAIN[field]] = f"accurateCast({_q(field)}, '{kind}')"
    exprs.update(
        {
            "has_actor": "actor IS NOT NULL",
            "args": "ifNull(args, '')",  # canonical JSON already: the raw text is the column
            "has_redactions": "redactions IS NOT NULL",
            "redactions": _REDACTIONS,
            "attrs": "ifNull(attrs, '')",
            "integrity": "''",
        }
    )
    for field, (keys, _) in _NAMES.items():  # their values are strings: checked
        for key, column in keys:
            exprs[column] = f"ifNull(tupleElement({_members(field)}, '{key}'), '')"
    for (v1, column), (v2, _) in zip(
        _OPTIONAL_STR, _STR_FIELDS[2][: len(_OPTIONAL_STR)], strict=True
    ):
        exprs[column] = _q(v1) if v1 == v2 else f"if(v = 1, {_q(v1)}, {_q(v2)})"
    for field, column in _OPTIONAL_STR_V2:
        exprs[column] = f"if(v = 1, '', {_q(field)})"
    return ", ".join(f"{exprs[c]} AS {_q(c)}" for c in EVENT_COLUMN_NAMES)


_SELECT: Final = _select()
_CHECKS: Final = _checks()
_CHECKS_SUM: Final = _CHECKS.removesuffix(" = 0")
_COLUMNS: Final = ", ".join(_q(c) for c in EVENT_COLUMN_NAMES)

#: how the JSON is read: objects as their raw text, an absent field as its default (NULL); a
#: name in an expression is the field read, never the column of that name being computed
#: (``redactions`` is both)
SETTINGS: Final = {
    "prefer_column_name_to_alias": 1,
    "input_format_json_read_objects_as_strings": 1,
    "input_format_skip_unknown_fields": 0,
    "input_format_defaults_for_omitted_fields": 1,
    # strict where orjson and the Python path are: no number, boolean or array read as a
    # string, no boolean as a number, no null as an empty string or zero
    "input_format_json_read_numbers_as_strings": 0,
    "input_format_json_read_bools_as_numbers": 0,
    "input_format_json_read_bools_as_strings": 0,
    "input_format_json_read_arrays_as_strings": 0,
    "input_format_null_as_default": 0,
    "input_format_json_try_infer_numbers_from_strings": 0,  # "5" is a string, not a number
    # one reader numbers the rows (``_row_number``, which the run checks rely on): parallel
    # parsing numbers them per chunk in some formats (measured: no cost here)
    "input_format_parallel_parsing": 0,
}


#: the last object of the file, after the runs' events: a valid event (the checks pass) that no
#: run claims, so that a file holding fewer events than its runs' headers claim has it where
#: an event is due, and one holding more has it beyond: refused either way
_SENTINEL: Final = b'{"v":1,"seq":0,"ts":0,"duration_us":0,"source":{}}'
_SEQ: Final = "accurateCast(`seq`, 'UInt64')"  # the column's expression (_select), shared
_ROW: Final = "toInt128(_row_number)"  # 0-based, the file's row
_ROW_SEQ: Final = f"toInt128({_SEQ})"


def _claims(runs: Sequence[RawRun]) -> tuple[str, int]:
    """The check that the events of ``runs``, written in this order, are exactly what their
    ``run`` headers claim, and the number of events they claim (the sentinel's row).

    Each row must be an event of one run's stream at the seq its place gives: a stretch of
    runs of one stream whose seqs continue each other is one group, where row ``r`` holds
    ``seq = r + d`` for the group's ``d`` and ``lo <= seq <= hi``. The file is ordered by
    stream (:func:`by_stream`), so ``(stream, d)`` names one group: a row of another stream,
    a seq out of place (first seq, count, a gap, a repeat) or a missing or extra row (the
    sentinel then lands where an event is due) finds no group and throws. A row at a run's
    last seq must have the hash its header claims."""
    keys: list[str] = []
    los: list[int] = []
    his: list[int] = []
    ends: list[str] = []
    heads: list[str] = []
    streams: list[str] = []
    row = 0
    for run in runs:
        if streams and streams[-1] == run.stream_id and his[-1] + 1 == run.first:
            his[-1] = run.last  # continues the group: same d, adjacent rows
        else:
            streams.append(run.stream_id)
            keys.append(f"{run.stream_id}/{run.first - row}")
            los.append(run.first)
            his.append(run.last)
        ends.append(f"{run.stream_id}/{run.last}")
        heads.append(run.head)
        row += run.n

    def strings(items: list[str]) -> str:
        return "[" + ", ".join(map(_literal, items)) + "]::Array(String)"

    def ints(items: list[int]) -> str:
        return "[" + ", ".join(map(str, items)) + "]::Array(UInt64)"

    key = f"concat(stream_id, '/', toString({_ROW_SEQ} - {_ROW}))"
    lo = f"transform({key}, {strings(keys)}, {ints(los)}, toUInt64(18446744073709551615))"
    hi = f"transform({key}, {strings(keys)}, {ints(his)}, toUInt64(0))"
    at_end = f"concat(stream_id, '/', toString({_SEQ}))"
    end = f"transform({at_end}, {strings(ends)}, {strings(heads)}, `hash`)"
    placed = f"_row_number = {row} OR ({lo} <= {_SEQ} AND {_SEQ} <= {hi})"
    return (
        f"throwIf(NOT ({placed}), 'an event is not where its run header puts it"
        " (stream_id, run.first, run.last, run.n)')"
        f" + throwIf({end} != `hash`, 'the last event of a run does not have the hash"
        " its header claims (run.hash)')",
        row,
    )


def by_stream(runs: Sequence[RawRun]) -> list[RawRun]:
    """``runs`` in the order the file holds them: by stream, each stream's in the given order
    (ascending seqs: the plan takes a stream's runs so)."""
    return sorted(runs, key=lambda run: run.stream_id)


def insert_sql(
    table: str, path: str, settings: dict[str, int | str], runs: Sequence[RawRun] = ()
) -> str:
    """``INSERT`` into ``table`` the events in the JSON file ``path`` (a JSON array of them),
    with ``settings`` besides :data:`SETTINGS` (integers, or strings without quotes); with
    ``runs``, the file holds their events (in this order) and :data:`_SENTINEL`, and the
    insert throws unless the events are exactly what the runs' headers claim (:func:`_claims`).

    ``path`` is the store's own temporary file; a quote or backslash in it or in a setting is
    refused, never escaped."""
    values = {**SETTINGS, **settings}
    for text in (path, *map(str, values.values())):
        if "'" in text or "\\" in text:
            raise ValueError(f"unusable value {text!r} in the insert")
    clause = ", ".join(
        f"{name} = {value}" if isinstance(value, int) else f"{name} = '{value}'"
        for name, value in values.items()
    )
    source = f"file('{path}', 'JSONEachRow', '{_STRUCTURE}')"
    where = f"{_CHECKS}"
    if runs:
        claims, sentinel = _claims(runs)
        where = f"{_CHECKS_SUM} + {claims} = 0 AND _row_number != {sentinel}"
    return (
        f"INSERT INTO {table} ({_COLUMNS}) SELECT {_SELECT} FROM {source}"  # noqa: S608
        f" WHERE {where} SETTINGS {clause}"
    )


def temp_dir(store_path: str | os.PathLike[str]) -> str:
    """Where the chDB store at ``store_path`` keeps its temporary JSON files (created)."""
    path = os.path.join(store_path, "tooltrail-tmp")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def sweep(directory: str | os.PathLike[str]) -> int:
    """Remove the temporary JSON files in ``directory`` (only ours: :data:`TEMP_PREFIX`); call
    it only while no insert can be running there. Returns how many were removed."""
    removed = 0
    for path in Path(directory).glob(f"{TEMP_PREFIX}*{_TEMP_SUFFIX}"):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed += 1
    return removed


def insert_json(
    client: Any,
    table: str,
    runs: Sequence[RawRun],
    dedupe_token: str | None,
    directory: str | None = None,
) -> None:
    """Insert the events of ``runs`` into ``table`` with one statement over a temporary file
    in ``directory`` (:func:`temp_dir`), refused (it throws) unless they are exactly what the
    runs' headers claim; ``dedupe_token`` as the Python path's insert takes it (suffixed: the
    two inserts of one flush are two blocks)."""
    settings: dict[str, int | str] = {"throw_on_max_partitions_per_insert_block": 0}
    if dedupe_token:
        settings["insert_deduplication_token"] = dedupe_token + "-json"
    fd, path = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=_TEMP_SUFFIX, dir=directory)
    try:
        try:
            ordered = by_stream(runs)
            _write_array(fd, [*(run.events for run in ordered), _SENTINEL])
        finally:
            os.close(fd)
        client.command(insert_sql(table, path, settings, ordered))
    finally:
        os.unlink(path)


#: buffers per ``writev`` (Linux's IOV_MAX)
_IOV_MAX: Final = 1024


def _write_array(fd: int, runs: Sequence[bytes | memoryview]) -> None:
    """Write ``[run,run,…]`` to ``fd`` straight from the runs' buffers: one ``writev`` per
    ~500 runs instead of joining them first (the join copied the flush's ~25 MB once more:
    ~1 µs per event of CPU, mostly page faults of the fresh buffer)."""
    parts: list[bytes | memoryview] = [b"["]
    for run in runs:
        parts += (run, b",")
    if runs:
        parts.pop()  # the last comma
    parts.append(b"]")
    for start in range(0, len(parts), _IOV_MAX):
        chunk = parts[start : start + _IOV_MAX]
        written = os.writev(fd, chunk)
        if written < sum(map(len, chunk)):  # a short write (a signal, a full disk): the rest
            rest = memoryview(b"".join(chunk))[written:]
            while rest:
                rest = rest[os.write(fd, rest) :]
