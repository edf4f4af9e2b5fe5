"""How the store is reached: its configuration, and the one place driver errors are wrapped.

:class:`StoreConfig` names the backend (chDB in-process under ``path``, or a ClickHouse server at
``url``); :func:`wrapped` turns every clickhouse-connect / chDB / socket error into
``StoreUnavailable`` (the original in ``__cause__``) where it enters our code.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from ..errors import StoreUnavailable
from .schema import check_database_name

__all__ = ["InsertResult", "StoreConfig", "type_names", "wrapped"]


@dataclass(frozen=True)
class StoreConfig:
    """Where the store lives. ``backend="chdb"`` keeps it in-process under ``path``;
    ``backend="http"`` talks to a ClickHouse server at ``url`` (``http(s)://host:8123``)."""

    backend: Literal["chdb", "http"] = "chdb"
    path: str = ".tooltrail/store"
    url: str | None = None
    username: str = "default"
    password: str = ""
    database: str = "tooltrail"
    ttl_days: int | None = None
    secure: bool = False
    verify_tls: bool = True

    def __post_init__(self) -> None:
        if self.backend not in ("chdb", "http"):
            raise ValueError(f"backend must be 'chdb' or 'http', not {self.backend!r}")
        if self.backend == "http" and not self.url:
            raise ValueError("backend 'http' needs url (http(s)://host:8123)")
        if self.ttl_days is not None and self.ttl_days < 1:
            raise ValueError("ttl_days must be at least 1 (or None: keep events forever)")
        check_database_name(self.database)

    def __repr__(self) -> str:  # never print the password
        return (
            f"StoreConfig(backend={self.backend!r}, path={self.path!r}, url={self.url!r}, "
            f"username={self.username!r}, database={self.database!r}, ttl_days={self.ttl_days})"
        )


@dataclass(frozen=True, slots=True)
class InsertResult:
    inserted: int  # events written
    duplicates: int  # events skipped: already stored (seq <= stored head) or repeated in the call
    streams: int  # distinct streams the call touched


def _driver_errors() -> tuple[type[BaseException], ...]:
    from clickhouse_connect.driver.exceptions import ClickHouseError

    return (ClickHouseError, OSError)


@contextmanager
def wrapped(what: str) -> Iterator[None]:
    try:
        yield
    except _driver_errors() as exc:
        code = getattr(exc, "code", None)
        raise StoreUnavailable(
            f"{what}: {exc}", code=code if isinstance(code, int) else None
        ) from exc


def type_names(columns: Sequence[tuple[str, str]]) -> list[str]:
    """Column types as sent: no codec, and LowCardinality sent as plain String (the server
    converts; building dictionaries client-side costs more than the bytes it saves)."""
    return [
        kind.split(" CODEC")[0].replace("LowCardinality(String)", "String") for _, kind in columns
    ]
