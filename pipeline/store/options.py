"""The store and time options every read command shares (``verify``, ``digests``, ``detect``,
``alerts``, ``events``, ``investigate``, ``detectors run``): one place, one set of names.

The store is named by one settings class, :class:`StoreSettings` (``TOOLTRAIL_STORE_*``): a chDB
directory (``TOOLTRAIL_STORE_PATH``, ``--store-path``) or a ClickHouse server
(``TOOLTRAIL_STORE_URL``, ``--clickhouse-url``, with ``TOOLTRAIL_STORE_USER`` /
``TOOLTRAIL_STORE_PASSWORD``), and a database (``TOOLTRAIL_STORE_DATABASE``, ``--database``).
The pipeline service reads the same variables.

:func:`open_store_option` opens what the options name; while ``tooltrail up`` holds a chDB
store it reads through up's query endpoint instead, and says so. An error is one line and
exit 2.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from tooltrail._console import fail as _fail

from ..errors import PipelineError
from ._config import StoreConfig
from ._store import open_store
from .lock import store_in_use

if TYPE_CHECKING:
    from ._store import Store

__all__ = [
    "ClickHouseUrl",
    "Database",
    "StorePath",
    "StoreSettings",
    "open_store_option",
    "parse_since",
]

ENV_PREFIX = "TOOLTRAIL_STORE_"
_RELATIVE = re.compile(r"(\d+)\s*([smhdw])\Z")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class StoreSettings(BaseSettings):
    """Where the store is: ``TOOLTRAIL_STORE_*`` (the one set of names for every command)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=None, extra="ignore")

    path: Path = Path(StoreConfig.path)
    url: str | None = None
    user: str = "default"
    password: SecretStr = SecretStr("")
    database: str = StoreConfig.database


StorePath = Annotated[
    Path,
    typer.Option("--store-path", envvar=f"{ENV_PREFIX}PATH", help="The chDB store directory."),
]
ClickHouseUrl = Annotated[
    str | None,
    typer.Option(
        "--clickhouse-url",
        envvar=f"{ENV_PREFIX}URL",
        help="A ClickHouse server (http(s)://host:8123) instead of the chDB store. "
        f"User and password from {ENV_PREFIX}USER / {ENV_PREFIX}PASSWORD.",
    ),
]
Database = Annotated[
    str,
    typer.Option("--database", envvar=f"{ENV_PREFIX}DATABASE", help="The store's database."),
]


def open_store_option(store_path: Path, url: str | None, database: str) -> Store:
    """The store the ``--store-path`` / ``--clickhouse-url`` / ``--database`` options name."""
    from ._endpoint import served_config

    served = None
    if url:
        settings = StoreSettings()
        config = StoreConfig(
            backend="http",
            url=url,
            username=settings.user,
            password=settings.password.get_secret_value(),
            database=database,
        )
    else:
        if not store_path.is_dir():
            raise _fail(f"no store at {store_path} (--store-path)")
        config = StoreConfig(path=str(store_path), database=database)
        served = served_config(store_path, database)  # `tooltrail up` holds it: read through up
        if served is not None:
            typer.echo(f"store held by `tooltrail up`: reading via {served.url}", err=True)
            config = served
        elif store_in_use(store_path):
            raise _fail(f"the store {store_path} is open in a process serving no query endpoint")
    try:
        store = open_store(config)
        if served is None:
            store.migrate()
    except (PipelineError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    return store


def parse_since(text: str, *, now: float | None = None) -> int:
    """µs since the epoch from an ISO time (UTC unless it says otherwise) or ``24h``, ``7d``…"""
    m = _RELATIVE.match(text.strip())
    if m is not None:
        now_s = time.time() if now is None else now
        return int((now_s - int(m.group(1)) * _UNIT_S[m.group(2)]) * 1_000_000)
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise typer.BadParameter(
            "must be an ISO time (2026-01-31T10:00Z) or relative (30m, 24h, 7d)"
        ) from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1_000_000)
