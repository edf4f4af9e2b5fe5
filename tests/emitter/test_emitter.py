"""The Emitter end to end: fields, chain, checkpoints, resume, and never hurting the call."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from tooltrail.contract import validate_event, verify
from tooltrail.emitter import Actor, Emitter, MemoryTransport, RedactionOptions


def received(transport: MemoryTransport) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    checkpoints: list[dict[str, Any]] = []
    for body in transport.received:
        batch = json.loads(body)
        events += batch["events"]
        checkpoints += batch["checkpoints"]
    return events, checkpoints


@pytest.fixture
def transport() -> MemoryTransport:
    return MemoryTransport()


def make(tmp_path: Path, transport: MemoryTransport | None, **kw: Any) -> Emitter:
    return Emitter(
        source_name="fs-server",
        source_version="1.2.0",
        spool_dir=tmp_path / "spool",
        transport=transport,
        flush_interval=0.02,
        **kw,
    )


def test_recorded_calls_arrive_as_valid_chained_signed_events(
    tmp_path: Path, transport: MemoryTransport
) -> None:
    em = make(tmp_path, transport, fingerprint_key=b"deployment-key")
    actor = Actor(user="u-17", client="cursor", client_version="2.1")
    for i in range(30):
        with em.record(
            "tools/call",
            tool="read_file",
            args={"path": f"/srv/{i % 3}.csv"},
            actor=actor,
            session_id="s-1",
            request_id=i,
            transport="stdio",
        ) as call:
            call.set_result({"rows": list(range(i))})
    assert em.flush(10)
    assert em.signer is not None
    events, cps = received(transport)
    assert [e["seq"] for e in events] == list(range(30))
    for e in events:
        validate_event(e)
    first = events[0]
    assert first["actor"] == {"user": "u-17", "client": "cursor", "client_version": "2.1"}
    assert first["source"]["name"] == "fs-server"
    assert first["jsonrpc.request.id"] == "0"
    assert first["result_bytes"] == len(json.dumps({"rows": []}, separators=(",", ":")))
    assert "args" not in first  # arguments are not stored by default
    assert events[0]["args_fingerprint"] == events[3]["args_fingerprint"]  # same args
    assert events[0]["args_fingerprint"] != events[1]["args_fingerprint"]
    report = verify(events, cps, [em.signer.public_key])
    assert report.streams[em.stream_id].verified_through == 29
    em.close()


def test_outcomes_errors_and_denials(tmp_path: Path, transport: MemoryTransport) -> None:
    em = make(tmp_path, transport)
    with pytest.raises(KeyError), em.record("tools/call", tool="lookup"):
        raise KeyError("x")
    with pytest.raises(PermissionError), em.record("resources/read", resource_uri="file:///etc"):
        raise PermissionError("no")
    with em.record("tools/call", tool="delete") as call:
        call.deny("policy")
    with em.record("prompts/get", prompt="summarize") as call:
        call.fail("tool_error")
    assert em.flush(10)
    events, _ = received(transport)
    got = [(e["mcp.method.name"], e["outcome"], e.get("error.type")) for e in events]
    assert got == [
        ("tools/call", "error", "KeyError"),
        ("resources/read", "denied", "PermissionError"),
        ("tools/call", "denied", "policy"),
        ("prompts/get", "error", "tool_error"),
    ]
    em.close()


def test_decorator_sync_and_async(tmp_path: Path, transport: MemoryTransport) -> None:
    em = make(tmp_path, transport)

    @em.audited()
    def add(*, a: int, b: int) -> int:
        return a + b

    @em.audited("slow_tool")
    async def slow(*, n: int) -> list[int]:
        await asyncio.sleep(0)
        return list(range(n))

    assert add(a=1, b=2) == 3
    assert asyncio.run(slow(n=3)) == [0, 1, 2]
    assert em.flush(10)
    events, _ = received(transport)
    assert [e["gen_ai.tool.name"] for e in events] == ["add", "slow_tool"]
    assert events[0]["args_bytes"] == len('{"a":1,"b":2}')
    em.close()


def test_secrets_are_redacted_before_hashing_and_args_capture_is_capped(
    tmp_path: Path, transport: MemoryTransport
) -> None:
    token = "ghp_" + "Z" * 36
    em = make(tmp_path, transport, capture_args=True, args_max_bytes=200)
    with em.record("tools/call", tool="clone", args={"repo": "x", "auth": f"token {token}"}):
        pass
    with em.record("tools/call", tool="big", args={"blob": "y" * 500}):
        pass
    with em.record("resources/read", resource_uri="postgres://app:hunter2secret@db/prod"):
        pass
    assert em.flush(10)
    events, _ = received(transport)
    wire = json.dumps(events)
    assert token not in wire
    assert "hunter2secret" not in wire
    assert events[0]["args"]["repo"] == "x"
    assert events[0]["redactions"]
    assert events[1]["args_truncated"] is True
    assert "args" not in events[1]
    assert "[REDACTED:" in events[2]["mcp.resource.uri"]
    em.close()


def test_restart_resumes_the_stream_without_a_gap(
    tmp_path: Path, transport: MemoryTransport
) -> None:
    em = make(tmp_path, transport)
    for _ in range(5):
        with em.record("tools/call", tool="t"):
            pass
    em.close()
    em2 = make(tmp_path, transport)
    assert em2.stream_id == em.stream_id
    for _ in range(5):
        with em2.record("tools/call", tool="t"):
            pass
    assert em2.flush(10)
    events, cps = received(transport)
    assert [e["seq"] for e in events] == list(range(10))
    assert em2.signer is not None
    assert verify(events, cps, [em2.signer.public_key]).ok
    em2.close()


def test_second_emitter_on_a_spool_in_use_records_nothing_and_does_not_raise(
    tmp_path: Path, transport: MemoryTransport
) -> None:
    em = make(tmp_path, transport)
    other = make(tmp_path, MemoryTransport())
    with other.record("tools/call", tool="t"):
        pass
    assert other.stats()["errors"] >= 1
    assert other.stats()["recorded"] == 0
    with em.record("tools/call", tool="t"):
        pass
    assert em.stats()["recorded"] == 1
    other.close()
    em.close()


def test_unwritable_spool_never_breaks_or_blocks_the_call(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the spool directory should be")
    em = Emitter(source_name="fs", spool_dir=blocker / "spool", transport=MemoryTransport())
    t0 = time.perf_counter()
    for _ in range(100):
        with em.record("tools/call", tool="t") as call:
            call.set_result("fine")
    assert time.perf_counter() - t0 < 2.0
    stats = em.stats()
    assert stats["recorded"] == 0
    assert stats["errors"] >= 1
    em.close()


def test_disk_full_mid_stream_is_counted_and_the_call_still_succeeds(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes every write past 64 KiB fail with EFBIG, like a full disk."""
    script = textwrap.dedent(
        f"""
        import json, resource, signal, time
        from tooltrail.emitter import Emitter
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
        em = Emitter(source_name="fs", spool_dir={str(tmp_path / "spool")!r}, signing_key=None)
        ok = 0
        t0 = time.perf_counter()
        for i in range(2000):
            with em.record("tools/call", tool="t", args={{"i": i}}) as call:
                ok += 1
        s = em.stats()
        print(json.dumps({{"ok": ok, "recorded": s["recorded"], "errors": s["errors"],
                           "dropped": s["dropped"], "elapsed": time.perf_counter() - t0}}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["ok"] == 2000  # every tool call ran
    assert 0 < result["recorded"] < 2000
    assert result["errors"] + result["dropped"] == 2000 - result["recorded"]
    assert result["elapsed"] < 30


def test_importing_the_emitter_pulls_no_service_dependency() -> None:
    code = (
        "import sys, tooltrail.emitter; "
        "heavy = {'mcp','fastapi','pydantic','kafka','pandas','pyod','typer','httpx','starlette'}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert out.stdout.strip() == "[]"


def test_redaction_options_are_passed_through(tmp_path: Path, transport: MemoryTransport) -> None:
    em = make(tmp_path, transport, capture_args=True, redaction=RedactionOptions(emails=True))
    with em.record("tools/call", tool="mail", args={"to": "alice@example.com"}):
        pass
    assert em.flush(10)
    events, _ = received(transport)
    assert "alice@example.com" not in json.dumps(events)
    assert events[0]["redactions"].get("email") == 1
    em.close()


def test_set_duration_us_is_recorded_instead_of_the_measured_time(
    tmp_path: Path, transport: MemoryTransport
) -> None:
    em = make(tmp_path, transport, clock=lambda: 1_793_577_600_000_000)
    with em.record("tools/call", tool="read_file") as call:
        call.set_duration_us(7_654_321)  # far longer than this block takes
    with em.record("tools/call", tool="read_file") as call:
        call.set_duration_us(0)  # zero is a value, not "unset"
    with em.record("tools/call", tool="read_file") as call:
        call.set_duration_us(1234)
        call.fail("Timeout")
    assert em.flush(10)
    events, _ = received(transport)
    assert [e["duration_us"] for e in events] == [7_654_321, 0, 1234]
    assert [e["outcome"] for e in events] == ["ok", "ok", "error"]
    assert {e["ts"] for e in events} == {1_793_577_600_000_000}
    em.close()


def test_record_keywords_unknown_none_and_string_subclasses(tmp_path: Path) -> None:
    class Tagged(str):
        pass

    emitter = make(tmp_path, None)
    with pytest.raises(TypeError, match="unexpected keyword argument 'sesion_id'"):
        emitter.record("tools/call", tool="t", sesion_id=None)  # a typo, even when None
    with emitter.record(
        "tools/call",
        tool="t",
        session_id=Tagged("s-1"),
        request_id=7,
        server_address="mcp.example:8443",
        prompt=None,
        attrs={"a": "1"},
    ) as call:
        call.set_fields(attrs={"b": "2"}, tools_hash=None)
    event = call._event
    assert type(event["mcp.session.id"]) is str
    assert event["mcp.session.id"] == "s-1"
    assert event["jsonrpc.request.id"] == "7"
    assert (event["server.address"], event["server.port"]) == ("mcp.example", 8443)
    assert "gen_ai.prompt.name" not in event
    assert "tooltrail.tools.hash" not in event
    assert event["attrs"] == {"a": "1", "b": "2"}
    emitter.close(5)


def test_network_fields_follow_the_keywords_that_name_them(tmp_path: Path) -> None:
    """``transport`` gives OpenTelemetry's ``network.*`` and a ``host:port`` address its port,
    whenever it is set (at ``record()`` or later with ``set_fields``); a value the caller gave
    for a derived field is kept, and setting other fields later derives nothing again."""
    emitter = make(tmp_path, None)
    with emitter.record("tools/call", tool="t") as late:
        late.set_fields(transport="streamable-http", server_address="mcp.example:8443")
    with emitter.record("tools/call", tool="t", transport="stdio", network_transport="tcp") as own:
        own.set_fields(session_id="s-1")
    with emitter.record("tools/call", tool="t", server_address="mcp.example", server_port=9) as c:
        c.set_fields(server_address="other.example:1")
    assert late._event["network.transport"] == "tcp"
    assert late._event["network.protocol.name"] == "http"
    assert (late._event["server.address"], late._event["server.port"]) == ("mcp.example", 8443)
    assert own._event["network.transport"] == "tcp"  # the caller's own value stays
    assert "network.protocol.name" not in own._event  # stdio has none
    assert (c._event["server.address"], c._event["server.port"]) == ("other.example:1", 9)
    emitter.close(5)
