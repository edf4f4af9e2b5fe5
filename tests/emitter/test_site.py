"""``Emitter.record_at`` (a call of a site made once by ``Emitter.site``) records the same event
as ``Emitter.record`` with the same fields: the same redactions and counts, the same repairs,
the same canonical bytes; only the chain differs (each event has its own place in it)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tooltrail.contract import verify
from tooltrail.emitter import Actor, Emitter, MemoryTransport

from ._secret_corpus import OPTIONS, corpus

SECRETS = [s.text for s in corpus() if len(s.text) <= 120]
TS = 1_700_000_000_123_456

good = st.one_of(
    st.sampled_from(["read_file", "srv-1", "2025-11-25", "a b", "x" * 128]),
    st.sampled_from(SECRETS),
    st.text(min_size=1, max_size=12).filter(lambda t: t.encode("utf-8", "ignore") == t.encode()),
)
texts = st.one_of(good, st.sampled_from(["", "x" * 129, "bad\ud800", "tool\ud83d\ude00"]))
ids = st.one_of(st.none(), texts)
hexes = st.one_of(st.none(), st.sampled_from(["a" * 32, "0af7651916cd43dd8448eb211c80319c"]), texts)


def shared(text: st.SearchStrategy[str], bad: bool) -> st.SearchStrategy[dict[str, Any]]:
    """``record()``'s fields a site holds, their strings drawn from ``text``; with ``bad``, a
    tools hash and attrs that need a repair too."""
    some = st.one_of(st.none(), text)
    digests = st.one_of(st.none(), st.just("b" * 64), *([text] if bad else []))
    nan = [st.just({"n": float("nan")})] if bad else []
    return st.fixed_dictionaries(
        {
            "tool": some,
            "actor": st.one_of(
                st.none(), st.builds(Actor, user=some, client=some, client_version=some, agent=some)
            ),
            "transport": st.one_of(st.none(), st.sampled_from(["stdio", "inproc", "sse"]), text),
            "server_address": st.one_of(some, st.just("127.0.0.1:8080")),
            "protocol_version": some,
            "session_id": some,
            "tools_hash": digests,
            "attrs": st.one_of(
                st.none(),
                st.dictionaries(st.sampled_from(["k", "tooltrail.tool.hints", "scopes"]), text),
                *nan,
            ),
        }
    )


#: mostly fields a site can hold as they are; a quarter of the time anything (repairs)
static = st.one_of(shared(good, False), shared(good, False), shared(texts, True))
dynamic = st.fixed_dictionaries(
    {
        "request_id": st.one_of(ids, st.integers(0, 10**12).map(str)),
        "trace_id": hexes,
        "span_id": st.one_of(st.none(), st.just("b7ad6b7169203331"), texts),
        "tool_call_id": ids,
        "resource_uri": ids,
    }
)
args = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(["path", "q", "n"]), st.one_of(texts, st.integers())),
    st.just({"x": float("inf")}),
)
endings = st.sampled_from(["ok", "deny", "fail", "raise", "set_fields"])


@pytest.fixture(scope="module")
def emitter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Emitter, MemoryTransport]]:
    transport = MemoryTransport()
    em = Emitter(
        source_name="site-test",
        spool_dir=tmp_path_factory.mktemp("site") / "spool",
        transport=transport,
        flush_interval=0.01,
        signing_key=None,
        fingerprint_key=b"k" * 32,
        redaction=OPTIONS,
        clock=lambda: TS,
    )
    yield em, transport
    em.close()


def finish(call: Any, ending: str, secret: str) -> None:
    try:
        with call:
            call.set_result_bytes(42)
            call.set_duration_us(7)
            if ending == "deny":
                call.deny(secret)
            elif ending == "fail":
                call.fail("tool_error")
            elif ending == "set_fields":
                call.set_fields(attrs={"late": secret}, error_type="late")
            elif ending == "raise":
                raise PermissionError(secret)
    except PermissionError:
        pass


def unchained(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k not in ("seq", "hash", "prev_hash")}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(static=static, dynamic=dynamic, args=args, ending=endings, seed=st.integers(0, 2**32))
def test_a_site_records_what_record_records(
    emitter: tuple[Emitter, MemoryTransport],
    static: dict[str, Any],
    dynamic: dict[str, Any],
    args: dict[str, Any] | None,
    ending: str,
    seed: int,
) -> None:
    em, transport = emitter
    secret = SECRETS[seed % len(SECRETS)]
    repaired = em.stats()["repaired"]
    random.seed(seed)
    finish(em.record("tools/call", args=args, **static, **dynamic), ending, secret)
    general_repairs = em.stats()["repaired"] - repaired
    fields = dict(static)
    site = em.site("tools/call", tool=fields.pop("tool"), actor=fields.pop("actor"), **fields)
    if site is None:  # the shared fields needed a repair: only the general way records them
        assert general_repairs > 0
        return
    random.seed(seed)
    finish(em.record_at(site, args=args, **dynamic), ending, secret)
    assert em.stats()["repaired"] - repaired == 2 * general_repairs
    assert em.flush(timeout=10)
    general, at_site = transport.events()[-2:]
    assert unchained(at_site) == unchained(general)
    assert at_site["seq"] == general["seq"] + 1


def test_site_events_chain_and_verify(tmp_path: Path) -> None:
    transport = MemoryTransport()
    em = Emitter(source_name="s", spool_dir=tmp_path / "s", transport=transport, signing_key=None)
    site = em.site("tools/call", tool="read", actor=Actor(user=SECRETS[0]), transport="stdio")
    assert site is not None
    for i in range(3):
        with em.record_at(site, args={"path": f"/p/{i}"}, request_id=str(i)):
            pass
    assert em.flush(timeout=10)
    events = [e for e in transport.events() if "mcp.method.name" in e]
    verify(events, complete=False)  # raises on any break of the chain or a bad hash
    assert [e["jsonrpc.request.id"] for e in events] == ["0", "1", "2"]
    assert all(e["redactions"] and SECRETS[0] not in str(e) for e in events)
    em.close()


def test_a_call_may_not_set_a_field_its_site_holds(tmp_path: Path) -> None:
    em = Emitter(source_name="s", spool_dir=tmp_path / "s", signing_key=None)
    other = Emitter(source_name="o", spool_dir=tmp_path / "o", signing_key=None)
    site = em.site("tools/call", tool="read", session_id="s-1")
    assert site is not None
    with pytest.raises(ValueError, match="session_id"):
        em.record_at(site, session_id="s-2")
    with pytest.raises(ValueError, match="another emitter"):
        other.record_at(site)
    assert em.stats()["recorded"] == 0
    em.close()
    other.close()
