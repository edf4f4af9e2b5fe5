"""The spec's test vectors (tests/vectors/*.json) hold for this implementation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from tooltrail.contract import (
    GENESIS_HASH,
    Signer,
    canonical_bytes,
    canonicalize,
    compute_hash,
    validate_checkpoint,
    validate_event,
    verify,
    verify_checkpoint,
)
from tooltrail.contract.checkpoint import load_public_keys

VECTORS = Path(__file__).parents[1] / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text())


@pytest.mark.parametrize("case", load("jcs.json"), ids=lambda c: c["name"])
def test_jcs_vectors(case: dict[str, str]) -> None:
    assert canonicalize(json.loads(case["input"])) == case["canonical"].encode("utf-8")


def test_chain_vectors() -> None:
    v = load("chain.json")
    assert v["genesis_prev_hash"] == GENESIS_HASH
    prev = GENESIS_HASH
    for seq, (event, text) in enumerate(zip(v["events"], v["canonical"], strict=True)):
        validate_event(event)
        assert canonical_bytes(event) == text.encode("utf-8")
        assert event["hash"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert compute_hash(event) == event["hash"]
        assert (event["seq"], event["prev_hash"]) == (seq, prev)
        prev = event["hash"]


def test_checkpoint_vector_signature_is_reproducible() -> None:
    v = load("chain.json")
    cp = validate_checkpoint(v["checkpoint"])
    body = {k: val for k, val in cp.items() if k != "sig"}
    assert canonicalize(body).decode() == v["checkpoint_canonical"]
    signer = Signer(base64.b64decode(v["signing_seed_b64"]))
    assert signer.public_key_b64 == v["public_key_b64"]
    assert signer.key_id == v["key_id"] == cp["key_id"]
    assert signer.sign(dict(body))["sig"] == cp["sig"]  # Ed25519 is deterministic
    verify_checkpoint(cp, load_public_keys([v["public_key_b64"]]))


def test_fingerprint_vector() -> None:
    fp = load("chain.json")["fingerprint"]
    body = canonicalize(fp["args"])
    assert body.decode() == fp["canonical"]
    assert hmac.new(fp["key_utf8"].encode(), body, hashlib.sha256).hexdigest() == fp["hmac_sha256"]


def test_untouched_vector_stream_verifies() -> None:
    v = load("chain.json")
    report = verify(v["events"], [v["checkpoint"]], [v["public_key_b64"]])
    assert report.streams[v["events"][0]["stream_id"]].verified_through == 2


@pytest.mark.parametrize("case", load("tamper.json"), ids=lambda c: c["name"])
def test_tamper_vectors(case: dict[str, Any]) -> None:
    key = load("chain.json")["public_key_b64"]
    report = verify(case["events"], case["checkpoints"], [key], raise_on_break=False)
    first = report.findings[0]
    assert {"class": first.cls, "seq": first.seq} == case["expect"]


def test_fingerprinter_is_hmac_sha256() -> None:
    from tooltrail.contract import Fingerprinter

    fp = load("chain.json")["fingerprint"]
    body = canonicalize(fp["args"])
    assert Fingerprinter(fp["key_utf8"].encode())(body) == fp["hmac_sha256"]
    long_key = b"k" * 100  # keys longer than a block are hashed first (RFC 2104)
    assert Fingerprinter(long_key)(body) == hmac.new(long_key, body, hashlib.sha256).hexdigest()
