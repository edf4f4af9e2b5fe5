"""Where a running query endpoint over a chDB store is advertised, and how a reader finds it.

``tooltrail up`` writes ``<store>.query.json`` (mode 0600: it holds the password) beside the store
while its endpoint runs (``query_server``); a read command asks :func:`served_config` whether a
live process serves the store and then reads through it (read-only: never migrate through it).
Imports nothing but the standard library and the store's configuration.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ._config import StoreConfig

__all__ = ["Endpoint", "endpoint_file", "find_endpoint", "served_config"]


def endpoint_file(store_path: Path) -> Path:
    """Where a running endpoint over ``store_path`` is advertised: beside the store."""
    path = Path(store_path)
    return path.with_name(path.name + ".query.json")


@dataclass(frozen=True)
class Endpoint:
    """A running query endpoint: where it listens and how to log in (as advertised)."""

    url: str
    user: str
    password: str
    database: str
    pid: int

    def __repr__(self) -> str:  # never print the password
        return f"Endpoint(url={self.url!r}, user={self.user!r}, pid={self.pid})"


def find_endpoint(store_path: Path) -> Endpoint | None:
    """The endpoint a live process advertises for ``store_path`` (None: none, or its process
    is gone)."""
    path = endpoint_file(store_path)
    try:
        data = json.loads(path.read_text())
        endpoint = Endpoint(**{k: data[k] for k in ("url", "user", "password", "database", "pid")})
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(endpoint.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's
        pass
    return endpoint


def served_config(store_path: Path, database: str | None = None) -> StoreConfig | None:
    """How to read ``store_path`` while a live process serves it (None: open it directly).
    The endpoint is read-only: do not migrate through it."""
    endpoint = find_endpoint(store_path)
    if endpoint is None:
        return None
    return StoreConfig(
        backend="http",
        url=endpoint.url,
        username=endpoint.user,
        password=endpoint.password,
        database=database or endpoint.database,
    )
