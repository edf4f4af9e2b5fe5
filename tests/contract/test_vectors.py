"""The spec's test vectors (tests/vectors/*.json) hold for this implementation.

``chain.json`` is of the current version (2); ``chain_v1.json`` is the frozen version 1 vector:
events stored as version 1 validate and verify as they were written.
"""

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
    SPEC_VERSION,
    EventInvalid,
    Signer,
    canonical_bytes,
    canonicalize,
    checkpoint_body,
    compute_hash,
    seal,
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


CHAINS = ("chain.json", "chain_v1.json")


@pytest.mark.parametrize("name", CHAINS)
def test_chain_vectors(name: str) -> None:
    v = load(name)
    assert v["genesis_prev_hash"] == GENESIS_HASH
    prev = GENESIS_HASH
    for seq, (event, text) in enumerate(zip(v["events"], v["canonical"], strict=True)):
        validate_event(event)
        assert canonical_bytes(event) == text.encode("utf-8")
        assert event["hash"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert compute_hash(event) == event["hash"]
        assert (event["seq"], event["prev_hash"]) == (seq, prev)
        prev = event["hash"]


@pytest.mark.parametrize("name", CHAINS)
def test_checkpoint_vector_signature_is_reproducible(name: str) -> None:
    v = load(name)
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


@pytest.mark.parametrize("name", CHAINS)
def test_untouched_vector_stream_verifies(name: str) -> None:
    v = load(name)
    report = verify(v["events"], [v["checkpoint"]], [v["public_key_b64"]])
    assert report.streams[v["events"][0]["stream_id"]].verified_through == 2


def test_the_versions_differ_where_the_spec_says() -> None:
    v1, v2 = load("chain_v1.json")["events"], load("chain.json")["events"]
    assert {e["v"] for e in v1} == {1}
    assert {e["v"] for e in v2} == {SPEC_VERSION} == {2}
    assert v1[0]["network.transport"] == "stdio"  # v1: the MCP transport name
    assert v2[0]["network.transport"] == "tcp"  # v2: OpenTelemetry's value
    assert v2[0]["tooltrail.transport"] == "streamable-http"
    assert v2[0]["gen_ai.operation.name"] == "execute_tool"
    assert not [
        k
        for e in v2
        for k in e
        if k.startswith("mcp.")
        and k.count(".")
        and k
        not in ("mcp.method.name", "mcp.protocol.version", "mcp.session.id", "mcp.resource.uri")
    ]
    # each version's fields are its own: a v2 field in a v1 event (or the reverse) is refused
    for event, field, value in (
        (v1[0], "server.port", 8443),
        (v2[0], "mcp.tools.hash", "ab" * 32),
    ):
        wrong = dict(event, **{field: value})
        with pytest.raises(EventInvalid, match=f"not a field of event version {event['v']}"):
            validate_event(wrong)
    with pytest.raises(EventInvalid, match="must be one of"):
        validate_event(dict(v2[0], **{"network.transport": "stdio"}))


def test_a_stream_that_goes_on_in_version_2_after_version_1_verifies() -> None:
    """An emitter upgraded in place resumes its spool's chain: v1 events, then v2 events."""
    v = load("chain_v1.json")
    events = list(v["events"])
    head = events[-1]
    more = {
        "v": 2,
        "event_id": "019abcde-f015-7345-8678-9abcdef01237",
        "ts": head["ts"] + 1000,
        "source": head["source"],
        "mcp.method.name": "tools/call",
        "gen_ai.operation.name": "execute_tool",
        "outcome": "ok",
        "duration_us": 10,
        "network.transport": "pipe",
        "tooltrail.transport": "stdio",
    }
    seal(more, head["stream_id"], head["seq"] + 1, head["hash"])
    validate_event(more)
    signer = Signer(base64.b64decode(v["signing_seed_b64"]))
    cp = signer.sign(checkpoint_body(more["stream_id"], more["seq"], more["hash"], more["ts"]))
    assert cp["v"] == 2
    report = verify([*events, more], [v["checkpoint"], cp], [v["public_key_b64"]])
    assert report.streams[head["stream_id"]].verified_through == head["seq"] + 1


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
