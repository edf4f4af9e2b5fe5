"""Merkle tree hashes (RFC 6962 / RFC 9162) and the signed hourly digest that carries them.

The tree over ``n`` leaves ``d[0..n)`` is the one of RFC 6962, section 2.1::

    MTH({})      = SHA-256()
    MTH({d0})    = SHA-256(0x00 || d0)
    MTH(d[0:n])  = SHA-256(0x01 || MTH(d[0:k]) || MTH(d[k:n]))   k = largest power of two < n

For tooltrail the leaves are the events' hashes as 32 raw bytes (``bytes.fromhex(event["hash"])``),
in ``seq`` order. ``merkle_root`` folds them with O(log n) memory, so a digest of a long hour can be
computed while the events stream past.

A **digest** (see the spec, "Digests") signs the Merkle root of one stream's events of one hour and
links to the previous digest of the stream by ``prev_digest_hash`` = SHA-256 of that digest's
canonical bytes, signature included. It is signed like a checkpoint (``Signer.sign``), so
``verify_checkpoint`` checks its signature.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from .event import GENESIS_HASH
from .jcs import canonicalize

__all__ = [
    "DIGEST_FIELDS",
    "GENESIS_DIGEST_HASH",
    "MerkleRoot",
    "digest_body",
    "digest_hash",
    "inclusion_proof",
    "merkle_root",
    "merkle_root_hex",
    "verify_inclusion",
]

#: ``prev_digest_hash`` of a stream's first digest.
GENESIS_DIGEST_HASH: Final = GENESIS_HASH
#: the members of a signed digest, in the spec's order
#: the digest format's own version (the event contract's ``SPEC_VERSION`` moves on its own)
DIGEST_VERSION: Final = 1
DIGEST_FIELDS: Final = (
    "type",
    "v",
    "stream_id",
    "hour",
    "first_seq",
    "last_seq",
    "count",
    "merkle_root",
    "prev_digest_hash",
    "ts",
    "alg",
    "key_id",
    "sig",
)

_LEAF: Final = b"\x00"
_NODE: Final = b"\x01"


def _leaf(data: bytes) -> bytes:
    return hashlib.sha256(_LEAF + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE + left + right).digest()


class MerkleRoot:
    """Incremental RFC 6962 tree hash: ``add`` leaves in order, read ``root`` at any time.

    Keeps one subtree root per set bit of the leaf count (a "compact range"), so memory is
    O(log n) however many leaves are added.
    """

    __slots__ = ("_stack", "count")

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (size, hash), sizes strictly decreasing
        self.count = 0

    def add(self, data: bytes) -> None:
        size, node = 1, _leaf(data)
        stack = self._stack
        while stack and stack[-1][0] == size:
            left_size, left = stack.pop()
            size, node = left_size + size, _node(left, node)
        stack.append((size, node))
        self.count += 1

    def root(self) -> bytes:
        if not self._stack:
            return hashlib.sha256(b"").digest()
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = _node(left, node)
        return node


def merkle_root(leaves: Iterable[bytes]) -> bytes:
    """The RFC 6962 Merkle tree hash over ``leaves`` (raw leaf data, in order)."""
    acc = MerkleRoot()
    for data in leaves:
        acc.add(data)
    return acc.root()


def merkle_root_hex(hashes: Iterable[str]) -> str:
    """The tree hash, lowercase hex, over events' hex ``hash`` values (the digest's leaves)."""
    return merkle_root(bytes.fromhex(h) for h in hashes).hex()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree over ``leaves`` (RFC 6962, 2.1.1)."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf index {index} outside a tree of {len(leaves)}")
    path: list[bytes] = []
    lo, hi = 0, len(leaves)
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(merkle_root(leaves[lo + k : hi]))
            hi = lo + k
        else:
            path.append(merkle_root(leaves[lo : lo + k]))
            lo += k
    path.reverse()
    return path


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True if ``proof`` shows ``leaf`` at ``index`` of a tree of ``size`` with ``root``.

    The algorithm of RFC 9162, section 2.1.3.2.
    """
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    node = _leaf(leaf)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            node = _node(p, node)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            node = _node(node, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and node == root


def digest_body(
    stream_id: str,
    hour: int,
    first_seq: int,
    last_seq: int,
    root: str,
    prev_digest_hash: str,
    ts: int,
) -> dict[str, Any]:
    """An unsigned digest of ``stream_id``'s events ``first_seq..last_seq`` of ``hour`` (µs)."""
    return {
        "type": "digest",
        "v": DIGEST_VERSION,
        "stream_id": stream_id,
        "hour": hour,
        "first_seq": first_seq,
        "last_seq": last_seq,
        "count": last_seq - first_seq + 1,
        "merkle_root": root,
        "prev_digest_hash": prev_digest_hash,
        "ts": ts,
        "alg": "none",
    }


def digest_hash(digest: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a digest's canonical bytes, ``sig`` included: the next one's link."""
    return hashlib.sha256(canonicalize(dict(digest))).hexdigest()
