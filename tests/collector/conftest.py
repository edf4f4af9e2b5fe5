"""Fixtures of the collector tests: a key file, an app on MemorySink + MemoryHeadStore."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from tooltrail.collector.app import create_app
from tooltrail.collector.auth import KeyStore
from tooltrail.collector.heads import MemoryHeadStore
from tooltrail.collector.ratelimit import RateLimiter
from tooltrail.collector.settings import Settings
from tooltrail.collector.sinks.base import MemorySink
from tooltrail.contract import GENESIS_HASH, Signer, checkpoint_body, seal

from ..conftest import build_chain

STREAM = "svc.0123456789abcdef"  # the stream of tests.conftest.build_chain (source "svc")
SIGNER = Signer(bytes(range(32)))


def body_of(
    events: Sequence[dict[str, Any]], checkpoints: Sequence[dict[str, Any]] = (), **extra: Any
) -> bytes:
    return orjson.dumps({"v": 1, "events": list(events), "checkpoints": list(checkpoints), **extra})


def chain_of(source: str, n: int, stream_id: str | None = None) -> list[dict[str, Any]]:
    """``n`` sealed events of ``source`` (``build_chain`` writes source "svc")."""
    stream = stream_id or f"{source}.00000000000000a1"
    events = build_chain(n, stream)
    prev = GENESIS_HASH
    for e in events:
        e["source"] = {"kind": "server", "name": source}
        seal(e, stream, e["seq"], prev)
        prev = e["hash"]
    return events


def signed(event: dict[str, Any], signer: Signer = SIGNER) -> dict[str, Any]:
    """A checkpoint over ``event`` signed by ``signer``."""
    cp = checkpoint_body(event["stream_id"], event["seq"], event["hash"], event["ts"])
    return signer.sign(cp)


@dataclass
class Collector:
    """An app under test with its collaborators in reach."""

    client: TestClient
    sink: MemorySink
    heads: MemoryHeadStore
    keys: KeyStore
    token: str

    def post(
        self,
        events: Sequence[dict[str, Any]] = (),
        checkpoints: Sequence[dict[str, Any]] = (),
        *,
        body: bytes | None = None,
        token: str | None = None,
        compress: bool = False,
        headers: dict[str, str] | None = None,
    ) -> Any:
        data = body if body is not None else body_of(events, checkpoints)
        h = {"Content-Type": "application/json"}
        if token != "":
            h["Authorization"] = f"Bearer {token or self.token}"
        if compress:
            data = gzip.compress(data)
            h["Content-Encoding"] = "gzip"
        h.update(headers or {})
        return self.client.post("/v1/events", content=data, headers=h)

    def delivered_events(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for seg in self.sink.delivered:
            out.extend(orjson.loads(seg.body)["events"])
        return out

    def metric(self, name: str, **labels: str) -> float:
        value = self.client.app.state.metrics.registry.get_sample_value(name, labels)  # type: ignore[attr-defined]
        return float(value or 0.0)


@pytest.fixture
def keys(tmp_path: Path) -> KeyStore:
    store = KeyStore(tmp_path / "keys.json")
    store.add_signer("svc", SIGNER.public_key_b64)
    return store


MakeCollector = Callable[..., Collector]


@pytest.fixture
def make_collector(keys: KeyStore, tmp_path: Path) -> Iterator[MakeCollector]:
    clients: list[TestClient] = []

    def make(
        *,
        limiter: RateLimiter | None = None,
        heads: Any = None,
        **settings: Any,
    ) -> Collector:
        _, token = keys.create("svc")
        s = Settings(keys_file=tmp_path / "keys.json", sink="memory", heads="memory", **settings)
        sink = MemorySink()
        head_store = heads if heads is not None else MemoryHeadStore()
        app = create_app(s, sink, head_store, keys, limiter=limiter)
        client = TestClient(app, raise_server_exceptions=True)
        client.__enter__()
        clients.append(client)
        return Collector(client, sink, head_store, keys, token)

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def collector(make_collector: MakeCollector) -> Collector:
    return make_collector()
