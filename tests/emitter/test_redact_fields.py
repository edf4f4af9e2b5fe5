"""Every string the emitter stores is scanned: argument keys at any depth, attrs, actor, every
keyword field of ``record()`` (whatever the contract calls it), ``error.type``, the source.

Secrets are built at run time from synthetic parts (no literal here looks like a credential).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tooltrail.contract.jcs import is_plain
from tooltrail.emitter import Actor, Emitter, MemoryTransport, RedactionOptions, Redactor
from tooltrail.emitter._fields import _FIELD_NAMES
from tooltrail.emitter.mcp._common import short
from tooltrail.emitter.stages import Redact, canonical_args

from ._secret_corpus import OPTIONS, corpus, slices

GITHUB = "gh" + "p_" + "Zq3" * 12
STRIPE = "sk" + "_live_" + "Xy7" * 8
SLACK = "xo" + "xb-" + "1" * 10 + "-" + "aB9" * 8
SAMPLES = corpus(seed=3)


def emitter(tmp_path: Path, **kw: Any) -> tuple[Emitter, MemoryTransport]:
    transport = MemoryTransport()
    em = Emitter(
        spool_dir=tmp_path / "spool",
        transport=transport,
        flush_interval=0.01,
        signing_key=None,
        capture_args=True,
        args_max_bytes=1 << 20,
        **{"source_name": "svc", **kw},
    )
    return em, transport


def stored(
    em: Emitter, transport: MemoryTransport, folder: Path
) -> tuple[list[dict[str, Any]], str]:
    """The events as the collector received them, and every byte left in the spool."""
    assert em.flush(30)
    events = [e for e in transport.events() if "mcp.method.name" in e]
    return events, spool_text(folder / "spool")


def spool_text(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_secrets_in_keys_become_unique_placeholders(tmp_path: Path) -> None:
    em, tx = emitter(tmp_path)
    other = "gh" + "p_" + "Kw5" * 12
    args = {GITHUB: 1, other: 2, "[REDACTED:github_token]": 3, "nested": [{STRIPE: {SLACK: "x"}}]}
    with em.record("tools/call", tool="t", args=args):
        pass
    (event,), spool = stored(em, tx, tmp_path)
    assert event["args"] == {
        "[REDACTED:github_token]#2": 1,
        "[REDACTED:github_token]#3": 2,
        "[REDACTED:github_token]": 3,
        "nested": [{"[REDACTED:stripe_key]": {"[REDACTED:slack_token]": "x"}}],
    }
    assert event["redactions"] == {"github_token": 2, "stripe_key": 1, "slack_token": 1}
    for secret in (GITHUB, other, STRIPE, SLACK):
        assert secret not in json.dumps(event)
        assert secret not in spool
    em.close()


# attrs: below; server_port: an integer field (record() drops what is not a port number)
@pytest.mark.parametrize("keyword", sorted(set(_FIELD_NAMES) - {"attrs", "server_port"}))
def test_every_keyword_field_is_scanned(tmp_path: Path, keyword: str) -> None:
    em, tx = emitter(tmp_path)
    with em.record("tools/call", tool="t", **{keyword: f"v {GITHUB} w"}):
        pass
    (event,), spool = stored(em, tx, tmp_path)
    text = json.dumps(event)
    assert GITHUB not in text
    assert GITHUB not in spool
    assert event["redactions"] == {"github_token": 1}
    # kept redacted, or left out when the redacted text breaks the field's rule (an enum, a hex
    # id): the emitter's repair step notes that in attrs
    assert "v [REDACTED:github_token] w" in text or "tooltrail.unencodable" in event["attrs"]
    em.close()


def test_hex_ids_are_kept_and_anything_else_in_their_fields_is_scanned(tmp_path: Path) -> None:
    em, tx = emitter(tmp_path)
    trace, span = "4111111111111111" * 2, "4111111111111111"  # all digits, Luhn-valid: kept
    with em.record("tools/call", tool="t", trace_id=trace, span_id=span):
        pass
    with em.record("tools/call", tool="t", trace_id=GITHUB):
        pass
    events, _ = stored(em, tx, tmp_path)
    assert (events[0]["trace_id"], events[0]["span_id"]) == (trace, span)
    assert "redactions" not in events[0]
    assert "trace_id" not in events[1]  # redacted, then left out: not a W3C trace id
    assert events[1]["redactions"] == {"github_token": 1}
    em.close()


def test_attrs_actor_tool_method_error_and_source_are_scanned(tmp_path: Path) -> None:
    em, tx = emitter(tmp_path, source_name=f"svc-{STRIPE}", source_version=SLACK)
    actor = Actor(user=GITHUB, client=f"cli {STRIPE}", agent=SLACK, tenant=GITHUB)
    attrs = {"note": f"token {GITHUB}", GITHUB: "key", "deep": {"x": [SLACK]}}
    with em.record(f"tools/{GITHUB}", tool=f"t-{STRIPE}", actor=actor, attrs=attrs) as call:
        call.deny(f"policy {SLACK}")
    # an exception's message is never stored, only its type
    with pytest.raises(RuntimeError), em.record("tools/call", tool="t"):
        raise RuntimeError(GITHUB)
    events, spool = stored(em, tx, tmp_path)
    text = json.dumps(events) + json.dumps(em.stats())
    for secret in (GITHUB, STRIPE, SLACK):
        assert secret not in text
        assert secret not in spool
    first = events[0]
    assert first["attrs"]["note"] == "token [REDACTED:github_token]"
    assert first["attrs"]["[REDACTED:github_token]"] == "key"
    assert first["error.type"] == "policy [REDACTED:slack_token]"
    assert first["source"]["name"] == "svc-[REDACTED:stripe_key]"
    assert first["actor"]["user"] == "[REDACTED:github_token]"
    assert events[1]["error.type"] == "RuntimeError"
    assert STRIPE not in em.stream_id
    em.close()


def test_repeated_actor_and_attrs_are_redacted_and_counted_in_every_event(
    tmp_path: Path,
) -> None:
    """The stage remembers the last object of strings: a repeat is redacted (and counted) the
    same way, an object that differs is scanned anew."""
    em, tx = emitter(tmp_path)
    for user in (GITHUB, GITHUB, GITHUB, "ada", STRIPE):
        actor = Actor(user=user, client="cli")  # a new object per call, as the middleware does
        with em.record("tools/call", tool="t", actor=actor, attrs={"note": f"k {SLACK}"}):
            pass
    events, spool = stored(em, tx, tmp_path)
    for secret in (GITHUB, STRIPE, SLACK):
        assert secret not in json.dumps(events)
        assert secret not in spool
    users = [e["actor"]["user"] for e in events]
    assert users == ["[REDACTED:github_token]"] * 3 + ["ada", "[REDACTED:stripe_key]"]
    assert [e["redactions"] for e in events] == [{"github_token": 1, "slack_token": 1}] * 3 + [
        {"slack_token": 1},
        {"stripe_key": 1, "slack_token": 1},
    ]
    assert {e["attrs"]["note"] for e in events} == {"k [REDACTED:slack_token]"}
    em.close()


def test_short_decimal_request_ids_are_kept_and_longer_ones_scanned(tmp_path: Path) -> None:
    """JSON-RPC counters (at most 11 digits) are no secret; 12 digits and more may be a card
    number, and anything else is scanned as every field is."""
    em, tx = emitter(tmp_path)
    card = "4111111111111111"  # Luhn-valid
    for request_id in ("7", "12345678901", card, f"r-{GITHUB}"):
        with em.record("tools/call", tool="t", request_id=request_id):
            pass
    events, _ = stored(em, tx, tmp_path)
    ids = [e["jsonrpc.request.id"] for e in events]
    assert ids == ["7", "12345678901", "[REDACTED:credit_card]", "r-[REDACTED:github_token]"]
    assert ["redactions" in e for e in events] == [False, False, True, True]
    em.close()


def test_redaction_before_the_spool_no_copy_survives_in_it(tmp_path: Path) -> None:
    """No shipper: the spool keeps every event; none holds a secret (redaction is upstream)."""
    em = Emitter(source_name="svc", spool_dir=tmp_path / "s", signing_key=None,
                 capture_args=True, redaction=RedactionOptions(pii=True, ips=True))  # fmt: skip
    for sample in SAMPLES:
        with em.record("tools/call", tool="t", args={"v": sample.text, sample.text: 1}):
            pass
    em.close()
    spool = spool_text(tmp_path / "s")
    assert spool.count("[REDACTED:") >= 2 * len(SAMPLES)
    leaks = [
        (s.format, piece) for s in SAMPLES for secret in s.secrets for piece in slices(secret)
        if piece in spool or json.dumps(piece)[1:-1] in spool
    ]  # fmt: skip
    assert leaks == []


@pytest.mark.parametrize("seed", range(3))
def test_ids_cut_to_128_chars_leave_no_recognisable_head_behind(seed: int) -> None:
    """The MCP hooks cut ids to 128 chars before the emitter sees them: never inside a token."""
    rng = random.Random(seed)
    redactor = Redactor(OPTIONS)
    for sample in SAMPLES:
        text = "w " * rng.randrange(0, 64) + sample.text + " tail" * 30
        cut = redactor.redact_str(short(text), {})
        assert len(short(text)) <= 128
        leaks = [p for secret in sample.secrets for p in slices(secret) if p in cut]
        assert leaks == [], (sample.format, cut)


def test_acknowledged_events_leave_the_disk_at_the_ack(tmp_path: Path) -> None:
    """The spool is no lasting copy: once the collector took everything, no segment holds it."""
    em, tx = emitter(tmp_path)
    for i in range(20):
        with em.record("tools/call", tool="t", args={"i": i}):
            pass
    events, _ = stored(em, tx, tmp_path)
    assert len(events) == 20
    segments = sorted((tmp_path / "spool").glob("*.seg"))
    assert [p.stat().st_size for p in segments] == [0]
    with em.record("tools/call", tool="t"):  # recording goes on in the new segment
        pass
    assert em.flush(30)
    assert len([e for e in tx.events() if "mcp.method.name" in e]) == 21
    em.close()


_FAST = Redactor()
_WALK = Redactor(RedactionOptions(extra_patterns=(("never", "(?!x)x"),)))  # no fast path
_STAGE = Redact()
_NAMES = st.sampled_from(["path", "limit", "q", "größe", "api_key", "x-id", "Ünïcode"])
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from([GITHUB, f"see {STRIPE} here", "/srv/data/report-7.csv"]),
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.one_of(_NAMES, st.text(max_size=6)), _SCALARS, max_size=5))
def test_flat_args_are_plain_exactly_as_the_contract_says_and_bytes_agree(
    args: dict[str, Any],
) -> None:
    """``redact_args`` reports JCS plainness only when ``is_plain`` agrees (and, for names the
    fast path takes, whenever it does), redacts as the generic walk does, and the stage's
    canonical bytes and size are the general way's: skipping the second walk changes nothing."""
    counts: dict[str, int] = {}
    out, plain = _FAST.redact_args(args, counts)
    walked: dict[str, int] = {}
    assert out == _WALK.redact_value(args, walked)
    assert counts == walked
    assert not plain or is_plain(args)
    if all(k in {"path", "limit", "q", "größe", "x-id", "Ünïcode"} for k in args):
        assert plain == is_plain(args)
    event = _STAGE({"mcp.method.name": "tools/call", "_args": dict(args)})
    body = canonical_args(args)
    assert event["args_bytes"] == len(body)
    assert event.get("_args_body", body) == body
    assert ("_args_body" in event) == (not event.get("redactions"))
