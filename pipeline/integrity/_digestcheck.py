"""``DigestCheck``: one stream's hourly digests against its stored events.

A digest (signed by the pipeline) names a seq range and the Merkle root of its events' hashes.
Each is checked for its signature, its link to the digest before it (a missing digest is
``deleted``) and its root recomputed over the stored events of its range; where two events
claim one seq, the digest decides which is genuine. Linear in the stored events, whatever the
seq values.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from typing import Any, Final

from tooltrail.contract import (
    GENESIS_DIGEST_HASH,
    ContractError,
    Finding,
    SignatureError,
    compute_hash,
    digest_hash,
    merkle_root_hex,
    verify_checkpoint,
)

from .digests import digest_order, digest_problem, hour_name

__all__ = ["DigestCheck"]

#: at most this many ways to pick one event per seq where two claim one seq
_MAX_CHOICES: Final = 16


class DigestCheck:
    """One stream's digests against its stored events (sorted by seq): collects findings.

    ``chain`` are the contract's findings for the stream: a digest whose root differs is
    reported on its own only when they explain nothing in its range; where two events claim
    one seq, the digest decides which is genuine.
    """

    def __init__(
        self,
        stream_id: str,
        events: list[dict[str, Any]],
        chain: list[Finding],
        stored_last: int,
        window_start: int | None,
        keys: Mapping[str, bytes],
    ) -> None:
        self.stream_id = stream_id
        self.events = events
        self.seqs = [e["seq"] for e in events]
        self.chain = chain
        self.stored_last = stored_last
        self.window_start = window_start
        self.keys = keys
        self.findings: list[Finding] = []
        self.weak: list[tuple[Finding, int, int]] = []  # root mismatches, with their range
        self.decided: set[int] = set()  # seqs where the digest told the genuine event
        self.matched: list[int] = []  # last_seq of each digest whose root matched
        self._roots: dict[tuple[int, int], str] = {}  # (first, last) -> root, for two sets
        self.checked = 0

    def _add(self, cls: str, seq: int, detail: str, event_id: str | None = None) -> None:
        self.findings.append(Finding(cls, self.stream_id, seq, detail, event_id))

    def run(self, digests: Iterable[dict[str, Any]], label: str) -> None:
        prev: dict[str, Any] | None = None
        prev_ok = False
        for d in sorted(digests, key=digest_order):
            problem = digest_problem(d)
            if problem is not None:
                seq = d.get("first_seq")
                self._add("bad_checkpoint", seq if type(seq) is int else 0, f"{label}: {problem}")
                continue
            first, last = d["first_seq"], d["last_seq"]
            what = f"the digest of hour {hour_name(d['hour'])} (seq {first}..{last})"
            if prev is not None and digest_hash(prev) == digest_hash(d):
                continue  # the same digest twice
            ok = True
            try:
                verify_checkpoint(d, self.keys)
            except SignatureError as exc:
                ok = False
                reason = str(exc).replace("checkpoint ", "")
                self._add("bad_checkpoint", d["first_seq"], f"{label}: {what}: {reason}")
            if ok:
                self._link(prev, prev_ok, d, label, what)
            if ok and (self.window_start is None or d["first_seq"] >= self.window_start):
                self.checked += 1
                self._root(d, label, what)
            prev, prev_ok = d, ok

    def _link(
        self, prev: dict[str, Any] | None, prev_ok: bool, d: dict[str, Any], label: str, what: str
    ) -> None:
        first = d["first_seq"]
        if prev is None:
            if d["prev_digest_hash"] != GENESIS_DIGEST_HASH:
                detail = f"{label}: no digest covers seq before {first}: {what} is not the first"
                self._add("deleted", 0, detail)
            return
        if not prev_ok:
            return  # a digest with a bad signature is reported already; it links nothing
        last = prev["last_seq"]
        if first <= last:
            self._add("forked", first, f"{label}: two digests cover seq {first}..{last}")
        elif first > last + 1:
            detail = f"{label}: no digest covers seq {last + 1}..{first - 1}: a digest is missing"
            self._add("deleted", last + 1, detail)
        elif d["prev_digest_hash"] != digest_hash(prev):
            detail = f"{label}: {what} does not link to the digest before it (another was signed)"
            self._add("modified", prev["first_seq"], detail)

    def _root(self, d: dict[str, Any], label: str, what: str) -> None:
        first, last = d["first_seq"], d["last_seq"]
        lo, hi = bisect_left(self.seqs, first), bisect_right(self.seqs, last)
        if hi - lo == last - first + 1 and self.seqs[lo] == first and self.seqs[hi - 1] == last:
            # one event per seq (the usual case): no choice to make
            root = self._roots.get((first, last))
            if root is None:
                root = merkle_root_hex(e["hash"] for e in self.events[lo:hi])
                self._roots[first, last] = root
            if root == d["merkle_root"]:
                self.matched.append(last)
                return
        groups: dict[int, list[dict[str, Any]]] = {}
        for e in self.events[lo:hi]:
            same = groups.setdefault(e["seq"], [])
            if all(x["hash"] != e["hash"] for x in same):
                same.append(e)
        gaps = _gaps(sorted(groups), first, min(last, self.stored_last))
        for lo, hi in gaps:
            detail = f"{label}: seq {lo}..{hi} are missing; {what} covers them"
            self._add("deleted", lo, detail)
        if last > self.stored_last:
            end = self.stored_last
            detail = f"{label}: {what} covers seq up to {last}; the stream ends at {end}"
            self._add("truncated", end + 1, detail)
        if gaps or last > self.stored_last:
            return
        rows = [self._plausible_first(groups, q) for q in range(first, last + 1)]
        ways = math.prod(len(r) for r in rows)
        picks = itertools.product(*rows) if ways <= _MAX_CHOICES else iter([[r[0] for r in rows]])
        for pick in picks:
            if merkle_root_hex(e["hash"] for e in pick) == d["merkle_root"]:
                self.matched.append(last)
                for genuine, claims in zip(pick, rows, strict=True):
                    for e in claims:
                        if e is not genuine:
                            self.decided.add(e["seq"])
                            detail = f"{label}: not the event {what} covers"
                            self._add("inserted", e["seq"], detail, e.get("event_id"))
                return
        detail = (
            f"{label}: the stored events differ from {what} (Merkle root): the range was rewritten"
        )
        self.weak.append((Finding("modified", self.stream_id, first, detail), first, last))

    def _at(self, q: int) -> list[dict[str, Any]]:
        return self.events[bisect_left(self.seqs, q) : bisect_right(self.seqs, q)]

    def _plausible_first(
        self, groups: dict[int, list[dict[str, Any]]], q: int
    ) -> list[dict[str, Any]]:
        """The events claiming seq ``q``; first those that hash right and link both ways."""
        claims = groups[q]
        if len(claims) == 1:
            return claims
        before = {e["hash"] for e in self._at(q - 1)}
        after = {e["prev_hash"] for e in self._at(q + 1)}

        def doubt(e: dict[str, Any]) -> int:
            linked = (not before or e["prev_hash"] in before) + (not after or e["hash"] in after)
            try:
                intact = compute_hash(e) == e["hash"]
            except ContractError:
                intact = False
            return (not intact) * 2 + 2 - linked

        return sorted(claims, key=doubt)

    def merged(self) -> list[Finding]:
        """The chain's findings and the digests', without repeats (class and seq)."""
        chain = [
            c for c in self.chain if not (c.seq in self.decided and c.cls in ("forked", "inserted"))
        ]
        found = chain + self.findings
        found += [w for w, a, b in self.weak if not any(a <= c.seq <= b for c in found)]
        out: dict[tuple[str, int], Finding] = {}
        for f in found:
            out.setdefault((f.cls, f.seq), f)
        return list(out.values())

    def digested_through(self) -> int | None:
        first_break = min((f.seq for f in self.merged()), default=None)
        ok = [q for q in self.matched if first_break is None or q < first_break]
        return max(ok, default=None)


def _gaps(held: list[int], first: int, last: int) -> list[tuple[int, int]]:
    """The runs of seqs in ``first..last`` missing from ``held`` (sorted): linear in ``held``,
    however wide the range."""
    runs: list[tuple[int, int]] = []
    nxt = first
    for q in held:
        if q > last:
            break
        if q > nxt:
            runs.append((nxt, q - 1))
        nxt = max(nxt, q + 1)
    if nxt <= last:
        runs.append((nxt, last))
    return runs
