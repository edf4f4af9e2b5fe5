"""chDB reading a stamped run stores exactly what the Python path stores, whatever the JSON.

A stamped clean run goes to chDB as JSON text (``store/jsonrows.py``); against a ClickHouse
server the same record is decoded in Python (``orjson``) and inserted as columns. Two JSON
readers can disagree: duplicate keys, escapes, numbers too large for their column, a number in
quotes, ``NaN``, a lone surrogate, a ``null``, bytes that are not UTF-8. Here hypothesis draws
events (both contract versions, every optional field), the collector builds the record, and
each edit of :data:`EDITS` in turn breaks its bytes; each is stamped with the real record key
and produced to a real Tansu topic. Two processors read them, one into chDB (the JSON path), one
into a store over HTTP (the Python path, ``tests._infra.chbridge``), a flush per record. Neither
may stall. A record that keeps the contract (an escape, a duplicate key ``orjson`` resolves, an
integral float, whitespace) must end the same in both: the same events rebuilt from the rows, no
rejection. One that breaks it is either refused by chDB (and rejected by the Python path it
falls back to) or read by chDB as the Python path reads it: chDB never stores what the Python
path would not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import count
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests._infra.fixtures import tansu, topic_name  # noqa: F401
from tooltrail.pipeline.errors import PoisonRecord
from tooltrail.pipeline.processor import Processor
from tooltrail.pipeline.segments import REJECTED, decode_segment
from tooltrail.pipeline.settings import PipelineSettings
from tooltrail.pipeline.store import Store, event_to_row, row_to_event
from tooltrail.pipeline.store.rows import EVENT_COLUMN_NAMES

from .test_jsonrows import collector_body
from .test_processor import make_settings  # noqa: F401
from .test_record_mac import KEY, inject
from .test_rows import bodies
from .test_trust_fails import stamped

pytestmark = [pytest.mark.kafka, pytest.mark.store]

_IN_SOURCE = rb'("source":\{[^{}]*?"name":")'


def _sub(pattern: bytes, repl: bytes | Callable[[re.Match[bytes]], bytes]) -> Any:
    return lambda value: re.sub(pattern, repl, value, count=1)


#: name -> how the first event's bytes are changed (the rest of the run stays as sealed)
EDITS: dict[str, Callable[[bytes], bytes]] = {
    "as sealed": lambda value: value,
    "an escaped letter": _sub(rb'"outcome":"(\w)', lambda m: b'"outcome":"\\u%04x' % m[1][0]),
    "an escaped letter in an object": _sub(_IN_SOURCE, rb"\1\\u0041"),
    "an escaped surrogate pair": _sub(_IN_SOURCE, rb"\1\\ud83d\\ude00"),
    "a raw non-BMP character": _sub(_IN_SOURCE, "\\1\U0001f600".encode()),
    "an escaped NUL": _sub(_IN_SOURCE, rb"\1\\u0000"),
    "an escaped slash": _sub(_IN_SOURCE, rb"\1\\/"),
    "a lone surrogate": _sub(_IN_SOURCE, rb"\1\\ud800"),
    "a bad escape": _sub(_IN_SOURCE, rb"\1\\x"),
    "a byte that is not UTF-8": _sub(_IN_SOURCE, b"\\1\xff"),
    "a duplicate key": _sub(rb'"event_id":', rb'"event_id":"dup","event_id":'),
    "a duplicate key in an object": _sub(rb'"source":\{', rb'"source":{"name":"dup",'),
    "a duplicate key in args": _sub(rb'"args":\{', rb'"args":{"dup":1,"dup":2,'),
    "whitespace in objects": _sub(rb'"source":\{', rb'"source": {  '),
    "NaN in an object": _sub(rb'"source":\{', rb'"source":{"x":NaN,'),
    "NaN in args": _sub(rb'"args":\{', rb'"args":{"x":NaN,'),
    "a trailing comma": _sub(rb'"source":\{', rb'"source":{"x":1,}'),
    "an integer beyond 64 bits": _sub(rb'"ts":(\d+)', lambda m: b'"ts":%d' % (int(m[1]) + 2**64)),
    "an integer beyond 128 bits": _sub(
        rb'"seq":(\d+)', lambda m: b'"seq":%d' % (int(m[1]) + 2**128)
    ),
    "a version that wraps": _sub(
        rb'"v":(\d),"hash"', lambda m: b'"v":%d,"hash"' % (int(m[1]) + 256)
    ),
    "an integral float": _sub(rb'"ts":(\d+)', rb'"ts":\1.0'),
    "an exponent": _sub(rb'"duration_us":(\d+)', rb'"duration_us":\1e0'),
    "a fraction": _sub(rb'"duration_us":(\d+)', rb'"duration_us":\1.5'),
    "a leading zero": _sub(rb'"duration_us":(\d+)', rb'"duration_us":0\1'),
    "a negative zero": _sub(rb'"duration_us":(\d+)', rb'"duration_us":-0'),
    "a plus sign": _sub(rb'"duration_us":(\d+)', rb'"duration_us":+\1'),
    "a number in quotes": _sub(rb'"ts":(\d+)', rb'"ts":"\1"'),
    "a number for a string": _sub(rb'"event_id":"[^"]*"', rb'"event_id":5'),
    "a boolean for a number": _sub(rb'"duration_us":\d+', rb'"duration_us":true'),
    "null for a string": _sub(rb'"event_id":"[^"]*"', rb'"event_id":null'),
    "null for an object": _sub(rb'"actor":\{[^{}]*\}', rb'"actor":null'),
    "a string for an object": _sub(rb'"actor":\{[^{}]*\}', rb'"actor":"x"'),
    "an array for an object": _sub(rb'"args":\{', rb'"args":[{'),
}


#: edits that make the record not JSON in a way ClickHouse's reader forgives, at an integer
#: field: it reads the number the digits denote, the value sealed, where ``orjson`` refuses the
#: record (the residue of ``store/jsonrows.py``: the text of a number is not kept to check)
LENIENT: Final = frozenset({"a leading zero", "a plus sign"})


def settle(processor: Processor, records: int) -> None:
    """Run until ``records`` were consumed in all and everything taken is flushed."""
    consumed = "tooltrail_pipeline_records_consumed_total"
    for _ in range(2000):  # bounded: each round polls at most 0.1 s
        processor.run_once(max_wait_s=0.1)
        if processor.metrics.value(consumed) >= records and processor.flush():
            return
    raise AssertionError(f"{records} records not consumed and flushed")


def contract_valid(value: bytes) -> bool:
    try:
        decode_segment(value)
    except PoisonRecord:
        return False
    return True


def outcome(store: Store, stream: str) -> tuple[Any, ...]:
    db = store.database
    rejected = store.query_rows(
        f"SELECT seq, class, detail FROM {db}.integrity_findings FINAL"
        " WHERE stream_id = {s:String} ORDER BY seq, class",
        {"s": stream},
    )
    return list(store.iter_events(stream_id=stream)), rejected, store.quarantined(stream_id=stream)


def test_a_stamped_run_is_stored_by_chdb_as_by_the_python_path(
    make_settings: Callable[..., PipelineSettings],  # noqa: F811
    store: Store,
    http_store: Store,
) -> None:
    # a flush per record: a record chDB refuses sends only itself to the Python path
    json_path = make_settings(kafka_record_key=KEY, batch_max_rows=1)
    python_path = make_settings(
        kafka_record_key=KEY, batch_max_rows=1, kafka_group_id=f"{json_path.kafka_group_id}-py"
    )
    streams: Iterator[int] = count()
    produced = 0
    with Processor(json_path, store) as chdb, Processor(python_path, http_store) as server:

        @given(st.lists(bodies, min_size=1, max_size=3))
        @settings(
            max_examples=3,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        def check(drawn: list[dict[str, Any]]) -> None:
            nonlocal produced
            records, names = [], []
            sealed: dict[str, list[dict[str, Any]]] = {}
            for edit in EDITS:  # every edit of the same events
                name = f"svc.{next(streams):016x}"
                body = collector_body(drawn, name)
                # as stored: an integer beyond 2**53 in args comes back a double (``rows``)
                sealed[name] = [
                    row_to_event(dict(zip(EVENT_COLUMN_NAMES, event_to_row(e), strict=True)))
                    for e in decode_segment(body).events
                ]
                records.append(stamped(EDITS[edit](body)))
                names.append(name)
            inject(json_path, records)
            produced += len(records)
            settle(chdb, produced)  # neither stalls on any of them
            settle(server, produced)
            for name, (value, _), edit in zip(names, records, EDITS, strict=True):
                stored = outcome(store, name)
                if contract_valid(value):  # both store it, the same
                    assert stored == outcome(http_store, name), edit
                    assert REJECTED not in {c for _, c, _ in stored[1]}, edit
                elif edit in LENIENT:  # refused, or read as the number sealed
                    assert stored[0] in ([], sealed[name]), edit
                else:  # chDB refuses it (the Python path then rejects it) or reads it as Python
                    assert stored[0] == [] or stored == outcome(http_store, name), edit

        check()
