"""schemathesis against the served OpenAPI: whatever comes in, the answer is never a 5xx; and a
body the published schema accepts is never refused as invalid (422): the schema and the
validator agree on types, required fields, enums and formats.

Generated events cannot carry the right hashes (nor continue a chain), so a schema-valid body is
answered 202 or 409 (kept as evidence with findings; docs/collector.md), never 422. The one
cross-record rule no JSON Schema states (all events and checkpoints of a batch belong to one
stream, 422 otherwise) and the key's scope (403: its source and streams) are met by putting
every record of a generated batch on the key's stream.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tooltrail.collector.app import create_app
from tooltrail.collector.auth import KeyStore
from tooltrail.collector.heads import MemoryHeadStore
from tooltrail.collector.openapi import BATCH_SCHEMA
from tooltrail.collector.settings import Settings
from tooltrail.collector.sinks.base import MemorySink

from .conftest import SIGNER, STREAM

_BATCH = jsonschema.Draft202012Validator(BATCH_SCHEMA)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# schemathesis loads the schema at import time (its fixture loader does not work with pytest 9)
_TMP = tempfile.TemporaryDirectory(prefix="tooltrail-schemathesis-")
_KEYS = KeyStore(Path(_TMP.name) / "keys.json")
_KEYS.add_signer("svc", SIGNER.public_key_b64)
_, TOKEN = _KEYS.create("svc")
_SETTINGS = Settings(keys_file=_KEYS.path, sink="memory", heads="memory", max_body_bytes=2**20)
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(_SETTINGS, MemorySink(), MemoryHeadStore(), _KEYS)
)


# positive cases only, on the key's own stream: the schema-valid bodies
valid_bodies = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(_SETTINGS, MemorySink(), MemoryHeadStore(), _KEYS)
).include(path="/v1/events", method="POST")
valid_bodies.config.generation.update(modes=["positive"])


def _on_the_keys_stream(body: Any) -> Any:
    if isinstance(body, dict):
        for event in body.get("events") or ():
            if isinstance(event, dict):
                event["stream_id"] = STREAM
                if isinstance(event.get("source"), dict):
                    event["source"]["name"] = "svc"
        for checkpoint in body.get("checkpoints") or ():
            if isinstance(checkpoint, dict):
                checkpoint["stream_id"] = STREAM
    return body


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    _TMP.cleanup()


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_no_5xx_with_a_valid_key(case: schemathesis.Case[Any]) -> None:
    response = case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)
    assert response.status_code < 500


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_no_5xx_with_whatever_credentials(case: schemathesis.Case[Any]) -> None:
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code < 500


@valid_bodies.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_a_schema_valid_body_is_never_422(case: schemathesis.Case[Any]) -> None:
    case.body = _on_the_keys_stream(case.body)
    assert _BATCH.is_valid(case.body), "the generator made a body the schema refuses"
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code in (202, 409, 413), response.text
