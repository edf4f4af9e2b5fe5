"""Argument fingerprints (spec section 5): HMAC-SHA256 over the canonical arguments.

``Fingerprinter(key)(body)`` equals ``hmac.new(key, body, sha256).hexdigest()``; it keeps the
keyed inner and outer SHA-256 states (RFC 2104) so each call only hashes the body.
"""

from __future__ import annotations

import hashlib

__all__ = ["Fingerprinter"]

_BLOCK = 64  # SHA-256 block size


class Fingerprinter:
    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def __call__(self, body: bytes) -> str:
        inner = self._inner.copy()
        inner.update(body)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()
