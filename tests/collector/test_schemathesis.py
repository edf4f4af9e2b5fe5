"""schemathesis against the served OpenAPI: whatever comes in, the answer is never a 5xx."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
from tooltrail.collector.settings import Settings
from tooltrail.collector.sinks.base import MemorySink

from .conftest import SIGNER

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
