"""API keys and emitter public keys: the key file, and who may write which stream.

A key reads ``tt_<key_id>_<secret>``: ``key_id`` is 12 hex digits (public, names the key in logs
and in ``keys list``), ``secret`` is 32 random bytes, urlsafe base64. Only ``sha256(secret)`` is
kept; the plaintext is shown once, by ``keys create``. Each key is bound to one source name and to
stream-id patterns (default ``<prefix>.*``, which is how emitters name streams: see
``tooltrail.contract.streams``), and may expire or be revoked. In a pattern ``*`` matches any run
of characters but ``.`` and ``?`` one character but ``.``, so a pattern never reaches into the
streams of a source whose name merely starts with this one's (``fs.*`` does not match
``fs.server.<id>``). A source may hold several active keys at once, so keys rotate without
downtime: create the new key, roll it out, revoke the old one.

The key file is JSON, written atomically with mode 0600 under an exclusive lock. A running
collector stats it on every request and reloads it when it changed, so ``keys revoke`` takes
effect without a restart. Per source it also holds the trusted Ed25519 public keys (base64 raw)
that checkpoints of that source must be signed with.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tooltrail.contract import EventInvalid, load_public_keys
from tooltrail.contract.streams import stream_prefix

from .errors import Forbidden, Unauthorized

__all__ = [
    "ApiKey",
    "KeyStore",
    "KeyStoreError",
    "Principal",
    "default_streams",
    "parse_bearer",
    "stream_matches",
]

log = logging.getLogger(__name__)

_KEY = re.compile(r"tt_([0-9a-f]{12})_([A-Za-z0-9_-]{43,128})\Z")
_SOURCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}\Z")
_FILE_VERSION = 1


class KeyStoreError(Exception):
    """The key file cannot be read or written, or an admin request is invalid."""


def _now_iso(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def default_streams(source: str) -> tuple[str, ...]:
    """The stream patterns of a key created without any: the streams its emitters create."""
    return (f"{stream_prefix(source)}.*",)


@functools.lru_cache(maxsize=1024)
def _pattern(pattern: str) -> re.Pattern[str]:
    parts = ("[^.]*" if c == "*" else "[^.]" if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts) + r"\Z")


def stream_matches(stream_id: str, pattern: str) -> bool:
    """Whether ``stream_id`` matches ``pattern`` (``*``/``?`` never match a ``.``)."""
    return _pattern(pattern).match(stream_id) is not None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One key as stored: never the secret, only its SHA-256."""

    key_id: str
    source: str
    streams: tuple[str, ...]
    secret_sha256: str
    created: str
    expires: str | None = None
    revoked: bool = False
    revoked_at: str | None = None
    label: str = ""

    def status(self, now: float) -> str:
        if self.revoked:
            return "revoked"
        if self.expires is not None and _parse_iso(self.expires) <= now:
            return "expired"
        return "active"

    def to_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "source": self.source,
            "streams": list(self.streams),
            "secret_sha256": self.secret_sha256,
            "created": self.created,
            "expires": self.expires,
            "revoked": self.revoked,
            "revoked_at": self.revoked_at,
            "label": self.label,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> ApiKey:
        return cls(
            key_id=str(d["key_id"]),
            source=str(d["source"]),
            streams=tuple(str(p) for p in d.get("streams") or default_streams(str(d["source"]))),
            secret_sha256=str(d["secret_sha256"]),
            created=str(d["created"]),
            expires=d.get("expires"),
            revoked=bool(d.get("revoked", False)),
            revoked_at=d.get("revoked_at"),
            label=str(d.get("label", "")),
        )


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated key: the source it writes for, its streams, that source's signers."""

    key_id: str
    source: str
    streams: tuple[str, ...]
    public_keys: Mapping[str, bytes] = field(default_factory=dict)

    def may_write(self, stream_id: str) -> bool:
        return any(stream_matches(stream_id, p) for p in self.streams)

    def authorize(self, stream_id: str, sources: Sequence[str]) -> None:
        """Raise Forbidden unless every event is this key's source and the stream is allowed.

        ``sources`` holds each event's ``source.name``, in batch order.
        """
        for i, name in enumerate(sources):
            if name != self.source:
                raise Forbidden(
                    f"event[{i}].source.name: key {self.key_id} writes for source "
                    f"{self.source!r}, not {name!r}"
                )
        if not self.may_write(stream_id):
            raise Forbidden(
                f"stream_id: key {self.key_id} may not write stream {stream_id!r} "
                f"(allowed: {', '.join(self.streams)})"
            )


def parse_bearer(header: str | None) -> str:
    """The key from an ``Authorization: Bearer <key>`` header; Unauthorized if absent."""
    if not header:
        raise Unauthorized("missing Authorization header (expected 'Bearer <api key>')")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization must be 'Bearer <api key>'")
    return token.strip()


@dataclass(slots=True)
class _State:
    keys: dict[str, ApiKey]
    signers: dict[str, list[str]]  # source -> base64 raw public keys
    trusted: dict[str, dict[str, bytes]]  # source -> {key_id: raw}
    stamp: tuple[int, int, int] | None  # (inode, mtime_ns, size) of the file read


class KeyStore:
    """The key file: authenticate requests, and (for the CLI) create, list and revoke keys."""

    def __init__(self, path: str | os.PathLike[str], *, clock: Callable[[], float] = time.time):
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._state = self._read()

    # -- reading -----------------------------------------------------------------------------

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _read(self) -> _State:
        stamp = self._stamp()
        if stamp is None:
            return _State({}, {}, {}, None)
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
            if doc.get("version") != _FILE_VERSION:
                raise KeyStoreError(f"unsupported key file version {doc.get('version')!r}")
            keys = {k["key_id"]: ApiKey.from_json(k) for k in doc.get("keys", [])}
            signers = {str(s): [str(k) for k in v] for s, v in doc.get("signers", {}).items()}
            trusted = {s: load_public_keys(v) for s, v in signers.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError, EventInvalid) as exc:
            raise KeyStoreError(f"cannot read key file {self.path}: {exc}") from exc
        return _State(keys, signers, trusted, stamp)

    def _current(self) -> _State:
        """The state, re-read first if the file changed on disk (keeps the old one if broken)."""
        state = self._state
        if self._stamp() != state.stamp:
            with self._lock:
                if self._stamp() != self._state.stamp:
                    try:
                        self._state = self._read()
                        log.info("key file %s reloaded", self.path)
                    except KeyStoreError as exc:
                        log.error("%s; keeping the keys loaded before", exc)
                state = self._state
        return state

    def authenticate(self, authorization: str | None) -> Principal:
        """The principal behind an Authorization header; Unauthorized (401) otherwise."""
        token = parse_bearer(authorization)
        m = _KEY.match(token)
        if m is None:
            raise Unauthorized("malformed API key (expected tt_<key id>_<secret>)")
        key_id, secret = m.groups()
        state = self._current()
        key = state.keys.get(key_id)
        digest = _digest(secret)
        if key is None or not hmac.compare_digest(digest, key.secret_sha256):
            raise Unauthorized("unknown API key")
        status = key.status(self._clock())
        if status != "active":
            raise Unauthorized(f"API key {key_id} is {status}")
        return Principal(key.key_id, key.source, key.streams, state.trusted.get(key.source, {}))

    def list_keys(self) -> list[ApiKey]:
        return sorted(self._current().keys.values(), key=lambda k: (k.source, k.created))

    def signers(self, source: str) -> list[str]:
        return list(self._current().signers.get(source, []))

    def sources(self) -> list[str]:
        """Every source that has an API key or a trusted signer."""
        state = self._current()
        return sorted({k.source for k in state.keys.values()} | set(state.signers))

    def status(self, key: ApiKey) -> str:
        return key.status(self._clock())

    # -- writing (CLI) -----------------------------------------------------------------------

    @contextlib.contextmanager
    def _edit(self) -> Iterator[_State]:
        """Read-modify-write under an exclusive lock; the new file replaces the old atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            state = self._read()
            yield state
            self._write(state)
            self._state = self._read()
        finally:
            os.close(fd)

    def _write(self, state: _State) -> None:
        doc = {
            "version": _FILE_VERSION,
            "keys": [k.to_json() for k in state.keys.values()],
            "signers": state.signers,
        }
        data = json.dumps(doc, indent=2, sort_keys=True).encode("utf-8") + b"\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def create(
        self,
        source: str,
        *,
        streams: Sequence[str] = (),
        expires: float | None = None,
        label: str = "",
    ) -> tuple[ApiKey, str]:
        """Make a key for ``source``; returns it and the plaintext (shown once, never stored)."""
        if not _SOURCE.match(source):
            raise KeyStoreError(f"invalid source name {source!r}")
        now = self._clock()
        if expires is not None and expires <= now:
            raise KeyStoreError("expiry must be in the future")
        secret = secrets.token_urlsafe(32)
        with self._edit() as state:
            key_id = secrets.token_hex(6)
            while key_id in state.keys:  # pragma: no cover - 48 random bits
                key_id = secrets.token_hex(6)
            key = ApiKey(
                key_id=key_id,
                source=source,
                streams=tuple(streams) or default_streams(source),
                secret_sha256=_digest(secret),
                created=_now_iso(now),
                expires=_now_iso(expires) if expires is not None else None,
                label=label,
            )
            state.keys[key_id] = key
        return key, f"tt_{key_id}_{secret}"

    def revoke(self, key_id: str) -> ApiKey:
        with self._edit() as state:
            key = state.keys.get(key_id)
            if key is None:
                raise KeyStoreError(f"no key {key_id!r}")
            if not key.revoked:
                key = replace(key, revoked=True, revoked_at=_now_iso(self._clock()))
                state.keys[key_id] = key
        return key

    def add_signer(self, source: str, public_key: str) -> str:
        """Trust ``public_key`` (base64 raw Ed25519) for checkpoints of ``source``; its key_id."""
        if not _SOURCE.match(source):
            raise KeyStoreError(f"invalid source name {source!r}")
        try:
            raw = base64.b64decode(public_key.strip(), validate=True)
            (key_id,) = load_public_keys([raw])
        except (ValueError, EventInvalid) as exc:
            raise KeyStoreError("public key must be a raw 32-byte Ed25519 key in base64") from exc
        encoded = base64.b64encode(raw).decode("ascii")
        with self._edit() as state:
            known = state.signers.setdefault(source, [])
            if encoded not in known:
                known.append(encoded)
        return key_id
