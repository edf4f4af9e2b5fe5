"""Every field of the event (of both versions) and the checkpoint, given every wrong JSON type,
through the real app.

The oracle is the published schema (``tooltrail.contract.EVENT_SCHEMA`` / ``CHECKPOINT_SCHEMA``,
served in ``/openapi.json``): a value it refuses must be answered 422 naming that field and a
rule; a value it accepts must never be 422 (202, or 409 when the edit breaks the chain). Never a
5xx, never a 503 that the emitter would retry for ever.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
from typing import Any

import jsonschema
import orjson
import pytest

from tooltrail.contract import (
    CHECKPOINT_SCHEMA,
    EVENT_SCHEMA,
    GENESIS_HASH,
    SPEC_VERSION,
    ContractError,
    compute_hash,
    seal,
)
from tooltrail.contract.checkpoint import CHECKPOINT_FIELDS
from tooltrail.contract.event import FIELDS_BY_VERSION

from .conftest import Collector, signed

HUGE = 2**70  # beyond 64 bits: orjson cannot write it, so it is spliced into the body as text
_HUGE_MARK = "\x00huge"
WRONG: dict[str, Any] = {
    "array": [1, "a"],
    "object": {"a": 1},
    "null": None,
    "true": True,
    "huge": HUGE,
    "empty": "",
    "float": 1.5,
    "integral float": 3.0,
    "negative": -1,
    "string": "x",
    "zero": 0,
}
_EVENT_CHECK = jsonschema.Draft202012Validator(EVENT_SCHEMA)
_CHECKPOINT_CHECK = jsonschema.Draft202012Validator(CHECKPOINT_SCHEMA)
_streams = itertools.count()
CHAIN_FIELDS = ("stream_id", "seq", "prev_hash", "hash")


def full_event(stream_id: str, version: int = SPEC_VERSION) -> dict[str, Any]:
    """A sealed event of ``version`` that carries every field that version has."""
    ev: dict[str, Any] = {
        "v": version,
        "event_id": "0190c0de-0000-7000-8000-000000000000",
        "ts": 1_764_000_000_000_000,
        "source": {"kind": "server", "name": "svc", "version": "1.0", "hostname": "h1"},
        "actor": {
            "user": "u1",
            "client": "claude-code",
            "client_version": "2.0",
            "agent": "planner",
            "tenant": "acme",
        },
        "mcp.method.name": "tools/call",
        "outcome": "ok",
        "duration_us": 100,
        "args_bytes": 12,
        "result_bytes": 40,
        "args_fingerprint": "ab" * 32,
        "args": {"path": "/tmp/x", "n": [1, 2]},
        "args_truncated": False,
        "redactions": {"jwt": 1},
        "attrs": {"client.address": "127.0.0.1"},
        "trace_id": "0af7651916cd43dd8448eb211c80319c",
        "span_id": "b7ad6b7169203331",
    }
    for name, (check, _) in FIELDS_BY_VERSION[version].items():
        if name in ev or name in CHAIN_FIELDS:
            continue
        ev[name] = _valid_value(name)
        check(name, ev[name])  # the fixture itself is valid
    seal(ev, stream_id, 0, GENESIS_HASH)
    return ev


def _valid_value(name: str) -> Any:
    samples = {
        "mcp.tools.hash": "cd" * 32,
        "tooltrail.tools.hash": "cd" * 32,
        "network.transport": "pipe",
        "network.protocol.name": "stdio",
        "server.port": 8443,
        "gen_ai.operation.name": "execute_tool",
        "mcp.resource.uri": "file:///tmp/x",
    }
    return samples.get(name, "value-1")


def paths(doc: dict[str, Any]) -> list[str]:
    """Every field of ``doc``, nested members of ``source`` and ``actor`` included."""
    out: list[str] = []
    for name, value in doc.items():
        out.append(name)
        if name in ("source", "actor"):
            out.extend(f"{name}.{member}" for member in value)
    return out


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    head, _, member = path.partition(".")
    if member and head in ("source", "actor"):
        doc[head][member] = value
    else:
        doc[path] = value


def _encode(batch: dict[str, Any]) -> bytes:
    return orjson.dumps(batch).replace(orjson.dumps(_HUGE_MARK), str(HUGE).encode())


def _edited_event(version: int, path: str, value: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the event to send, the event as the collector decodes it)."""
    ev = full_event(f"svc.{next(_streams):016x}", version)
    seen = copy.deepcopy(ev)
    _set(ev, path, _HUGE_MARK if value is HUGE else value)
    _set(seen, path, float(HUGE) if value is HUGE else value)
    if path not in CHAIN_FIELDS:
        # keep the hash right, so a schema-valid edit is accepted as it stands
        with contextlib.suppress(ContractError):
            ev["hash"] = seen["hash"] = compute_hash(seen)
    return ev, seen


def _is_valid(check: jsonschema.Draft202012Validator, doc: Any) -> bool:
    return not list(check.iter_errors(doc))


def _assert_answer(r: Any, valid: bool, path: str, what: str) -> None:
    assert r.status_code < 500, (path, r.status_code, r.text)
    if not valid:
        assert r.status_code == 422, (path, r.status_code, r.text)
        body = r.json()
        field = body["field"]
        assert field == path or field.startswith(f"{path}."), body  # or a member of the object
        assert body["rule"], body
        assert body["message"].endswith(f"{field}: {body['rule']}"), body
        assert body[what] == 0, body
    else:
        # accepted, or refused for what no schema states: the chain (409), the key's scope (403)
        assert r.status_code in (202, 403, 409), (path, r.status_code, r.text)


#: (version, field) of every field of every version the collector accepts
EVENT_PATHS = [
    (v, path) for v in sorted(FIELDS_BY_VERSION) for path in paths(full_event("svc.0", v))
]


@pytest.mark.parametrize(("version", "path"), EVENT_PATHS)
def test_every_wrong_type_of_every_event_field_is_422_naming_it(
    collector: Collector, version: int, path: str
) -> None:
    checked = 0
    for value in WRONG.values():
        ev, seen = _edited_event(version, path, value)
        valid = _is_valid(_EVENT_CHECK, seen)
        r = collector.post(body=_encode({"v": 1, "events": [ev]}))
        _assert_answer(r, valid, path, "index")
        checked += not valid
    assert checked >= 5, f"{path}: most wrong types must be refused"


@pytest.mark.parametrize(
    ("version", "path"),
    [(v, p) for v, p in EVENT_PATHS if "." not in p or p in FIELDS_BY_VERSION[v]],
)
def test_a_missing_required_event_field_is_422_naming_it(
    collector: Collector, version: int, path: str
) -> None:
    ev = full_event(f"svc.{next(_streams):016x}", version)
    del ev[path]
    valid = _is_valid(_EVENT_CHECK, ev)
    required = FIELDS_BY_VERSION[version][path][1]
    assert valid is not required  # the schema says required exactly where the contract does
    if not valid:
        r = collector.post(body=_encode({"v": 1, "events": [ev]}))
        _assert_answer(r, valid, path, "index")
        assert r.json()["rule"] == "is required"


def _checkpointed(stream_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    ev = full_event(stream_id)
    return ev, signed(ev)


@pytest.mark.parametrize("path", list(CHECKPOINT_FIELDS))
def test_every_wrong_type_of_every_checkpoint_field_is_422_naming_it(
    collector: Collector, path: str
) -> None:
    refused = 0
    for value in WRONG.values():
        ev, cp = _checkpointed(f"svc.{next(_streams):016x}")
        cp[path] = _HUGE_MARK if value is HUGE else value
        seen = dict(cp, **{path: float(HUGE) if value is HUGE else value})
        valid = _is_valid(_CHECKPOINT_CHECK, seen)
        if valid and path == "stream_id":
            continue  # another stream than its batch's events: a cross-record rule (422 too)
        r = collector.post(body=_encode({"v": 1, "events": [ev], "checkpoints": [cp]}))
        _assert_answer(r, valid, path, "checkpoint")
        refused += not valid
    assert refused >= 7, path


@pytest.mark.parametrize(
    ("edit", "field", "rule"),
    [
        (lambda cp: cp.update(key_id=None), "key_id", "got null"),
        (lambda cp: cp.update(sig=None), "sig", "got null"),
        (lambda cp: cp.update(sig=["x"]), "sig", "got array"),
        (lambda cp: cp.update(sig={"a": 1}), "sig", "got object"),
        (lambda cp: cp.pop("sig"), "sig", "is required with alg 'ed25519'"),
        (lambda cp: cp.update(alg="none"), "key_id", "must be absent with alg 'none'"),
        (lambda cp: cp.update(sig="QUJD"), "sig", "64-byte Ed25519 signature"),
        (lambda cp: cp.update(type="event"), "type", "must be one of ['checkpoint']"),
    ],
)
def test_the_checkpoint_cases_that_were_5xx_are_422(
    collector: Collector, edit: Any, field: str, rule: str
) -> None:
    ev, cp = _checkpointed(f"svc.{next(_streams):016x}")
    edit(cp)
    r = collector.post([ev], [cp])
    assert r.status_code == 422, r.text
    assert (r.json()["field"], r.json()["checkpoint"]) == (field, 0)
    assert rule in r.json()["rule"]


def test_free_form_json_nested_too_deep_is_422(collector: Collector) -> None:
    # 2 x 450 levels: deep enough to exhaust a recursive encoder, under orjson's 1024
    deep = b'{"x":[' * 450 + b'"leaf"' + b"]}" * 450
    ev = full_event(f"svc.{next(_streams):016x}")
    ev["args"] = "deep"
    body = orjson.dumps({"v": 1, "events": [ev]}).replace(b'"args":"deep"', b'"args":' + deep)
    r = collector.post(body=body)
    assert r.status_code == 422, r.text
    assert (r.json()["field"], r.json()["index"]) == ("args", 0)
    assert "must not nest deeper than 128 levels" in r.json()["rule"]


def test_the_openapi_body_schema_is_the_contracts(collector: Collector) -> None:
    doc = collector.client.get("/openapi.json").json()
    body = doc["paths"]["/v1/events"]["post"]["requestBody"]["content"]["application/json"]
    events = body["schema"]["properties"]["events"]["items"]
    checkpoints = body["schema"]["properties"]["checkpoints"]["items"]
    assert events["oneOf"] == EVENT_SCHEMA["oneOf"]
    assert checkpoints["oneOf"] == CHECKPOINT_SCHEMA["oneOf"]
