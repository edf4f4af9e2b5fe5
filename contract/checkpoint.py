"""Checkpoints: a stream's chain head, signed with Ed25519.

A checkpoint says "stream S had, at seq N, the head hash H" and is signed by the emitter's key.
Whoever holds only the store cannot forge one, so history up to a checkpoint cannot be rewritten
without the rewrite showing. The signature covers the RFC 8785 bytes of the checkpoint without
``sig``. ``key_id`` is the first 16 bytes (hex) of SHA-256 over the raw 32-byte public key.

Signing needs the optional ``cryptography`` package. Without it the emitter writes checkpoints
with ``alg = "none"`` and no ``sig``: they still mark the head, but prove nothing, and ``verify``
says so.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from ._checks import _described, _kind, _one_of, _pattern, _versions
from .errors import EventInvalid, SignatureError
from .event import FIELDS, FIELDS_BY_VERSION, SPEC_VERSION
from .jcs import canonicalize

__all__ = [
    "CHECKPOINT_FIELDS",
    "Signer",
    "checkpoint_body",
    "key_id_of",
    "load_public_keys",
    "signing_available",
    "validate_checkpoint",
    "verify_checkpoint",
]

ALG_ED25519: Final = "ed25519"
ALG_NONE: Final = "none"

try:  # optional dependency
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    _HAVE_CRYPTO = True
except ImportError:  # pragma: no cover - exercised in the stdlib-only install check
    _HAVE_CRYPTO = False


def signing_available() -> bool:
    """True when ``cryptography`` is installed, so checkpoints can be signed and checked."""
    return _HAVE_CRYPTO


def key_id_of(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:32]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(field: str, text: Any) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except ValueError as exc:
        raise EventInvalid(field, "must be standard base64") from exc


def checkpoint_body(stream_id: str, seq: int, head_hash: str, ts: int) -> dict[str, Any]:
    """An unsigned checkpoint over the head ``(seq, head_hash)`` of ``stream_id``."""
    return {
        "type": "checkpoint",
        "v": SPEC_VERSION,
        "stream_id": stream_id,
        "seq": seq,
        "hash": head_hash,
        "ts": ts,
        "alg": ALG_NONE,
    }


class Signer:
    """An Ed25519 key that signs checkpoints. Needs ``cryptography``."""

    __slots__ = ("_key", "key_id", "public_key")

    def __init__(self, private_key: bytes) -> None:
        if not _HAVE_CRYPTO:
            raise SignatureError(
                "signing needs the 'cryptography' package (pip install tooltrail[fast])"
            )
        self._key = Ed25519PrivateKey.from_private_bytes(private_key)
        from cryptography.hazmat.primitives import serialization as _ser

        self.public_key: bytes = self._key.public_key().public_bytes(
            _ser.Encoding.Raw, _ser.PublicFormat.Raw
        )
        self.key_id: str = key_id_of(self.public_key)

    @classmethod
    def generate(cls) -> Signer:
        return cls(os.urandom(32))

    @classmethod
    def load_or_create(cls, path: str | os.PathLike[str]) -> Signer:
        """Load a raw 32-byte key (base64 text) from ``path``, creating it (mode 0600) if absent."""
        p = Path(path)
        if p.exists():
            return cls(_unb64("signing_key", p.read_text().strip()))
        p.parent.mkdir(parents=True, exist_ok=True)
        seed = os.urandom(32)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(_b64(seed) + "\n")
        return cls(seed)

    @property
    def public_key_b64(self) -> str:
        return _b64(self.public_key)

    def sign(self, checkpoint: dict[str, Any]) -> dict[str, Any]:
        """Sign ``checkpoint`` in place (sets alg, key_id, sig) and return it."""
        checkpoint.pop("sig", None)
        checkpoint["alg"] = ALG_ED25519
        checkpoint["key_id"] = self.key_id
        checkpoint["sig"] = _b64(self._key.sign(canonicalize(checkpoint)))
        return checkpoint


_KEY_ID: Final = _pattern(re.compile(r"[0-9a-f]{32}\Z"), "32 lowercase hex digits (key_id_of)")
_BASE64: Final = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\Z")
_SIG64: Final = re.compile(r"[A-Za-z0-9+/]{85}[AQgw]==\Z")  # exactly 64 bytes, canonical


def _sig_check(field: str, value: Any) -> None:
    if type(value) is not str:
        raise EventInvalid(field, f"must be standard base64, got {_kind(value)}")
    if not _BASE64.match(value):
        raise EventInvalid(field, "must be standard base64")
    if not _SIG64.match(value):
        raise EventInvalid(field, "must be a 64-byte Ed25519 signature")


_SIG: Final = _described(_sig_check, {"type": "string", "pattern": "^" + _SIG64.pattern[:-2] + "$"})
#: name -> (check, required) of a checkpoint's fields; ``key_id`` and ``sig`` are required with
#: ``alg`` "ed25519" and absent with "none"
CHECKPOINT_FIELDS: Final[Mapping[str, tuple[Callable[[str, Any], None], bool]]] = {
    "type": (_one_of(frozenset({"checkpoint"})), True),
    "v": (_versions(frozenset(FIELDS_BY_VERSION)), True),
    "stream_id": (FIELDS["stream_id"][0], True),
    "seq": (FIELDS["seq"][0], True),
    "hash": (FIELDS["hash"][0], True),
    "ts": (FIELDS["ts"][0], True),
    "alg": (_one_of(frozenset({ALG_ED25519, ALG_NONE})), True),
    "key_id": (_KEY_ID, False),
    "sig": (_SIG, False),
}
_SIGNATURE_FIELDS: Final = ("key_id", "sig")


def validate_checkpoint(cp: Any) -> dict[str, Any]:
    """Check the shape of a checkpoint; raise EventInvalid naming the field and the rule."""
    if type(cp) is not dict:
        raise EventInvalid("checkpoint", f"must be a JSON object, got {_kind(cp)}")
    for name, (check, required) in CHECKPOINT_FIELDS.items():
        if name in cp:
            value = cp[name]
            if type(value) is float and value.is_integer():
                value = cp[name] = int(value)  # 3.0 is the integer 3, as for events
            check(name, value)
        elif required:
            raise EventInvalid(name, "is required")
    for name in cp:
        if name not in CHECKPOINT_FIELDS:
            raise EventInvalid(name, "is not a field of a checkpoint")
    for name in _SIGNATURE_FIELDS:
        if cp["alg"] == ALG_ED25519 and name not in cp:
            raise EventInvalid(name, "is required with alg 'ed25519'")
        if cp["alg"] == ALG_NONE and name in cp:
            raise EventInvalid(name, "must be absent with alg 'none'")
    return cp


def load_public_keys(keys: Mapping[str, bytes | str] | Iterable[bytes | str]) -> dict[str, bytes]:
    """Normalise trusted keys (raw bytes or base64 text) to ``{key_id: raw}``."""
    values = keys.values() if isinstance(keys, Mapping) else keys
    out: dict[str, bytes] = {}
    for key in values:
        raw = key if isinstance(key, bytes) else _unb64("public_key", key)
        if len(raw) != 32:
            raise EventInvalid("public_key", "must be a raw 32-byte Ed25519 key")
        out[key_id_of(raw)] = raw
    return out


def verify_checkpoint(cp: Mapping[str, Any], public_keys: Mapping[str, bytes]) -> None:
    """Raise SignatureError unless ``cp`` is signed by one of ``public_keys`` ({key_id: raw})."""
    if cp.get("alg") != ALG_ED25519:
        raise SignatureError("checkpoint is unsigned (alg 'none')")
    raw = public_keys.get(str(cp.get("key_id")))
    if raw is None:
        raise SignatureError(
            f"checkpoint signed by unknown key {cp.get('key_id')}"
            " (not trusted for this source: tooltrail keys add-signer)"
        )
    if not _HAVE_CRYPTO:
        raise SignatureError("checking signatures needs the 'cryptography' package")
    body = {k: v for k, v in cp.items() if k != "sig"}
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(
            _unb64("sig", cp.get("sig")), canonicalize(body)
        )
    except (InvalidSignature, ValueError, EventInvalid) as exc:
        raise SignatureError("checkpoint signature does not verify") from exc
