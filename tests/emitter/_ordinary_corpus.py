"""Ordinary tool arguments, none of which holds a secret: the false-positive corpus.

File paths, SQL, code, UUIDs, git SHAs, our own hashes, URLs without credentials, prose, base64 of
ordinary data, container images, Kubernetes pod names, timestamps, version strings, order ids,
JSON snippets, shell commands. Generated from a seeded RNG (``ordinary()``): the rate a redactor
changes them is reported by the tests and bounded (docs/redaction.md).
"""

from __future__ import annotations

import base64
import hashlib
import random
import string
import uuid

__all__ = ["KINDS", "ordinary"]

_WORDS = (
    "report", "summary", "invoice", "customer", "order", "deploy", "service", "cluster", "region",
    "table", "column", "index", "query", "user", "account", "project", "release", "build", "test",
    "cache", "queue", "worker", "metric", "alert", "dashboard", "payment", "shipment", "catalog",
    "session", "profile", "billing", "export", "import", "schedule", "backup", "restore",
)  # fmt: skip


def _w(rng: random.Random) -> str:
    return rng.choice(_WORDS)


def _alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def _one(kind: str, rng: random.Random, i: int) -> str:
    w = lambda: _w(rng)  # noqa: E731
    n = rng.randrange
    if kind == "path":
        return f"/srv/{w()}/{w()}_{n(100)}/{w()}-{n(2020, 2026)}.csv"
    if kind == "relative_path":
        return f"src/{w()}/{w()}_{w()}.py:{n(1, 900)}"
    if kind == "sql":
        return (
            f"SELECT {w()}_id, count(*) FROM {w()}s WHERE created_at > '2025-0{n(1, 9)}-1{n(9)}' "
            f"GROUP BY 1 ORDER BY 2 DESC LIMIT {n(10, 500)}"
        )
    if kind == "uuid":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if kind == "git_sha":
        return hashlib.sha1(rng.randbytes(16), usedforsecurity=False).hexdigest()
    if kind == "our_hash":
        return hashlib.sha256(rng.randbytes(16)).hexdigest()
    if kind == "url":
        return f"https://{w()}.example.com/api/v{n(1, 4)}/{w()}s/{n(10**6)}?page={n(9)}&sort={w()}"
    if kind == "base64_text":
        return base64.b64encode(f"the {w()} of the {w()} for {w()} number {i}".encode()).decode()
    if kind == "code":
        return (
            f"def {w()}_{w()}(self, {w()}: int = {i}) -> dict[str, Any]:\n"
            f"    return {{'{w()}': self.{w()}_{w()}[{i}]}}"
        )
    if kind == "prose":
        return (
            f"The {w()} {w()} failed at 10:3{i % 10} because the {w()} had {n(999)} pending "
            f"items; retry in {i}s and page the {w()} on-call."
        )
    if kind == "pod_name":
        return f"{w()}-{w()}-{_alnum(rng, 9)}-{_alnum(rng, 5)}"
    if kind == "image":
        digest = hashlib.sha256(rng.randbytes(8)).hexdigest()
        return f"ghcr.io/acme/{w()}-{w()}:v{n(9)}.{n(20)}.{n(20)}@sha256:{digest}"
    if kind == "timestamp":
        day = f"{n(2020, 2026)}-{n(1, 13):02d}-{n(1, 29):02d}"
        return f"{day}T{n(24):02d}:{n(60):02d}:00.{n(999999):06d}Z"
    if kind == "order_id":
        return f"ORD-{n(10**7)} {w()} x{n(9)} EUR {n(10**4)}.{n(100):02d}"
    if kind == "identifier":
        return f"{w().capitalize()}{w().capitalize()}{w().capitalize()}Factory{n(9)}"
    if kind == "shell":
        return f"git commit -m 'fix {w()} in {w()}' && git push origin {w()}/{w()}-{n(999)}"
    if kind == "json":
        return f'{{"{w()}": {n(1000)}, "{w()}_name": "{w()} {w()}", "enabled": true}}'
    if kind == "version":
        return f"{w()}=={n(9)}.{n(30)}.{n(30)} python3.{n(9, 14)} build {n(10**5)}"
    if kind == "numbers":
        return f"{n(10**5)} rows in {n(1000)}.{n(100)} ms, p99 {n(100)}.{n(10)} ms, {n(10**9)} B"
    raise AssertionError(kind)


KINDS = (
    "path", "relative_path", "sql", "uuid", "git_sha", "our_hash", "url", "base64_text", "code",
    "prose", "pod_name", "image", "timestamp", "order_id", "identifier", "shell", "json",
    "version", "numbers",
)  # fmt: skip


def ordinary(per_kind: int = 40, seed: int = 5) -> list[tuple[str, str]]:
    """(kind, text) pairs, ``per_kind`` of each kind."""
    rng = random.Random(seed)
    return [(kind, _one(kind, rng, i)) for i in range(per_kind) for kind in KINDS]
