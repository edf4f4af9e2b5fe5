"""Store fixtures: chDB in a temp dir, the same through clickhouse-connect's HTTP client.

``store``      a migrated chDB store in the test's tmp dir (closed after the test).
``http_store`` a migrated store over HTTP, in a database of its own (dropped after the test):
               against ``CLICKHOUSE_URL`` (``CLICKHOUSE_USER`` / ``CLICKHOUSE_PASSWORD``) when set,
               else against the session's chDB bridge (``tests._infra.chbridge``).
``any_store``  both of the above, one after the other.
``chbridge``   the bridge (None when a real server is used).
``python_store`` a second database in ``store``'s chDB directory (the Python path's, to compare).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests._infra.chbridge import ChBridge
from tooltrail.pipeline.store import Store, StoreConfig, open_store


@pytest.fixture
def store(tmp_path: os.PathLike[str]) -> Iterator[Store]:
    s = open_store(StoreConfig(path=os.path.join(tmp_path, "store")))
    try:
        s.migrate()
        yield s
    finally:
        s.close()


@pytest.fixture
def python_store(store: Store) -> Iterator[Store]:
    """A second database in the same chDB store (one chDB directory per process)."""
    other = open_store(StoreConfig(path=store.config.path, database="python_path"))
    try:
        other.migrate()
        yield other
    finally:
        other.close()


@pytest.fixture(scope="session")
def chbridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChBridge | None]:
    if os.environ.get("CLICKHOUSE_URL"):
        yield None
        return
    bridge = ChBridge(str(tmp_path_factory.mktemp("chbridge"))).start()
    try:
        yield bridge
    finally:
        bridge.close()


@pytest.fixture
def http_config(chbridge: ChBridge | None) -> StoreConfig:
    url = os.environ.get("CLICKHOUSE_URL") or (chbridge.url if chbridge else "")
    return StoreConfig(
        backend="http",
        url=url,
        username=os.environ.get("CLICKHOUSE_USER", "default"),
        password=os.environ.get("CLICKHOUSE_PASSWORD", ""),
        database=f"tooltrail_test_{uuid.uuid4().hex[:12]}",
    )


@pytest.fixture
def http_store(http_config: StoreConfig) -> Iterator[Store]:
    s = open_store(http_config)
    try:
        s.migrate()
        yield s
    finally:
        try:
            s.command("DROP DATABASE IF EXISTS " + http_config.database)
        finally:
            s.close()


@pytest.fixture(params=["chdb", "http"])
def any_store(request: pytest.FixtureRequest) -> Store:
    store: Store = request.getfixturevalue("store" if request.param == "chdb" else "http_store")
    return store
