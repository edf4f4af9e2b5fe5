"""Inside ``source``, ``actor`` and ``redactions``, chDB stores a stamped run as the Python path
does, or refuses it.

``store/jsonrows.py`` reads these objects as their raw text and takes their members apart in
SQL. The Python path (``decode_segment(trusted=True)``, then the columns) either stores the same
rows or fails, and a failed flush of a stamped record is validated in full (``intake.recheck``):
stored if it keeps the contract, rejected if not. Here every edit inside the objects (a number,
``null``, an object, an array or a boolean for a name; an unknown, repeated or escaped key; a
count that is negative, too large, a string, a fraction, ``null``; whitespace) goes through the
real chDB store both ways, as the processor takes a flush: the JSON path must refuse it or store
exactly the events the Python path stores; a record the Python path would not store is never
stored. Before the members were checked, chDB stored ``""`` for a name the Python path rejects.
"""

from __future__ import annotations

import re
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tooltrail.pipeline.errors import PoisonRecord
from tooltrail.pipeline.segments import RawRun, decode_segment, split_run
from tooltrail.pipeline.store import Store

from .test_jsonrows import collector_body
from .test_rows import bodies

pytestmark = pytest.mark.store

_NAME = rb'("source":\{[^{}]*?"name":)"(?:[^"\\]|\\.)*"'
_USER = rb'("actor":\{[^{}]*?"user":)"(?:[^"\\]|\\.)*"'
_COUNT = rb'("redactions":\{[^{}]*?":)\d+'

#: name -> (pattern, replacement) applied once to the first event's bytes
EDITS: dict[str, tuple[bytes, bytes]] = {
    "as sealed": (rb"^", b""),
    "a number for a name": (_NAME, rb"\g<1>5"),
    "null for a name": (_NAME, rb"\g<1>null"),
    "an object for a name": (_NAME, rb"\g<1>{}"),
    "an array for a name": (_NAME, rb'\g<1>["x"]'),
    "a boolean for a name": (_NAME, rb"\g<1>true"),
    "an empty name": (_NAME, rb'\g<1>""'),
    "an escaped name": (_NAME, rb'\g<1>"\\u0041\\n\\"\\\\"'),
    "a surrogate pair in a name": (_NAME, rb'\g<1>"\\ud83d\\ude00"'),
    "a lone low surrogate in a name": (_NAME, rb'\g<1>"\\udc00"'),
    "a raw control character in a name": (_NAME, b'\\g<1>"a\tb"'),
    "whitespace around members": (_NAME, rb'\g<1> "w" '),
    "a number for a user": (_USER, rb"\g<1>5"),
    "null for a user": (_USER, rb"\g<1>null"),
    "an array for a user": (_USER, rb'\g<1>["x"]'),
    "an unknown key in source": (rb'"source":\{', rb'"source":{"x":"y",'),
    "an unknown key in actor": (rb'"actor":\{', rb'"actor":{"x":"y",'),
    "a repeated key in source": (rb'"source":\{', rb'"source":{"name":"dup",'),
    "an escaped repeated key in source": (rb'"source":\{', rb'"source":{"\\u006eame":"dup",'),
    "an escaped key in source": (rb'("source":\{[^{}]*?)"kind"', rb'\1"\\u006bind"'),
    "a string for a count": (_COUNT, rb'\g<1>"5"'),
    "a negative count": (_COUNT, rb"\g<1>-5"),
    "a count beyond 64 bits": (_COUNT, rb"\g<1>18446744073709551617"),
    "null for a count": (_COUNT, rb"\g<1>null"),
    "a fraction for a count": (_COUNT, rb"\g<1>1.5"),
    "an integral float for a count": (_COUNT, rb"\g<1>2.0"),
    "a boolean for a count": (_COUNT, rb"\g<1>true"),
    "a repeated key in redactions": (rb'"redactions":\{', rb'"redactions":{"dup":1,"dup":2,'),
    "no source": (rb'"source":\{[^{}]*\},', b""),
    "null for source": (rb'"source":\{[^{}]*\}', b"null"),
}

#: every object present, so that every edit applies
FULL: dict[str, Any] = {
    "v": 2, "event_id": "e", "ts": 1, "mcp.method.name": "tools/call", "outcome": "ok",
    "duration_us": 1, "source": {"kind": "server", "name": "svc", "version": "1"},
    "actor": {"user": "u", "tenant": "t"}, "redactions": {"token": 2, "email": 1},
}  # fmt: skip


def _python_path(store: Store, value: bytes) -> None:
    """What the processor does with a stamped record it does not hand to chDB, or whose
    JSON insert failed: the trusted decode; if that cannot be stored, validated in full."""
    try:
        store.insert_segments([decode_segment(value, trusted=True)])
    except Exception:  # any failure: the processor rechecks (intake.recheck)
        try:
            segment = decode_segment(value)
        except PoisonRecord:
            return  # rejected: a dead letter, nothing stored
        store.insert_segments([segment])


_streams = count()


def _check(store: Store, python_store: Store, body: dict[str, Any]) -> set[str]:
    """Each edit of ``body`` both ways; returns the edits chDB refused."""
    refused = set()
    for edit, (pattern, replacement) in EDITS.items():
        stream = f"svc.{next(_streams):016x}"
        sealed = collector_body([body], stream)
        value = re.sub(pattern, replacement, sealed, count=1)
        if value == sealed and edit != "as sealed":
            continue  # the event lacks what the edit changes
        run = split_run(value)
        assert isinstance(run, RawRun), edit
        try:
            store.insert_segments([run])
        except Exception:  # refused: the Python path decides (not checked here)
            refused.add(edit)
            continue
        _python_path(python_store, value)
        stored = list(store.iter_events(stream_id=stream))
        assert stored, edit
        assert stored == list(python_store.iter_events(stream_id=stream)), edit
    return refused


def test_edits_inside_the_objects_are_stored_as_by_the_python_path_or_refused(
    store: Store, python_store: Store
) -> None:
    refused = _check(store, python_store, FULL)
    # what the Python path cannot store (a member of the wrong type, a count out of range)
    # chDB must not store either; the tests above prove what it stores is the same
    assert {
        "a number for a name", "null for a name", "an object for a name", "an array for a name",
        "a boolean for a name", "a number for a user", "null for a user", "an array for a user",
        "a lone low surrogate in a name", "a raw control character in a name",
        "a negative count", "a count beyond 64 bits", "null for a count",
        "a repeated key in source", "an escaped repeated key in source",
        "a repeated key in redactions",
    } <= refused  # fmt: skip
    # and what keeps the contract, as the collector writes it, it takes
    assert not {"as sealed", "an escaped name", "a surrogate pair in a name"} & refused


@given(bodies)
@settings(
    max_examples=6,  # x 29 edits x 2 inserts: ~5 s
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_edits_inside_drawn_events_are_stored_as_by_the_python_path_or_refused(
    store: Store, python_store: Store, body: dict[str, Any]
) -> None:
    assert "as sealed" not in _check(store, python_store, body)


def test_every_edit_changes_the_full_event() -> None:
    sealed = collector_body([FULL], "svc.0000000000000000")
    for edit, (pattern, replacement) in EDITS.items():
        assert edit == "as sealed" or re.sub(pattern, replacement, sealed, count=1) != sealed, edit
