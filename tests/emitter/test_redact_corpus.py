"""The leak test: every corpus format, in every placement, through real audited MCP calls into a
real store, then every column of every table and every file under the spool directories (after
each format's calls, while events wait there, and at the end) is searched for every secret and
every 12-character slice of one. Expected: 0 found.

Placements of each sample (``_secret_corpus``), in one MCP session per format:

- tool arguments: a top-level value, nested in a list in a dict, inside a sentence, a dict key;
- the tool's result (echoed back), an error (``ToolDenied`` reason and message, an exception's
  message), the tool name, the prompt name, the resource URI (when the text is URI-safe);
- the host's session id, tool-call id, client name and agent name; and ``attrs`` of an event
  recorded with ``Emitter.record``.

The server runs in process (``MCPServer`` + ``AuditMiddleware``) and the host wraps the SDK's own
``Client`` with ``audit_client``; both emitters ship to ``tooltrail up``'s collector over HTTP,
which writes chDB. ``capture_args=True``: the arguments are stored (redacted).
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import Implementation

from tooltrail.cli.up import Stack
from tooltrail.collector.auth import KeyStore
from tooltrail.emitter import Actor, Emitter
from tooltrail.emitter.mcp import ToolDenied, audit_client, audit_server

from ._secret_corpus import OPTIONS, Sample, corpus, slices

pytestmark = [pytest.mark.anyio, pytest.mark.store]

TIMEOUT = 120.0
SAMPLES = corpus(seed=21)
_URI_SAFE = re.compile(r"[A-Za-z0-9._~-]+")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with Stack(store_path=tmp_path / "store", keys_file=tmp_path / "keys.json", port=0) as s:
        yield s


def _emitter(stack: Stack, spool: Path, name: str, kind: str) -> Emitter:
    _, api_key = KeyStore(stack.keys_file).create(name)
    return Emitter(
        source_name=name,
        source_kind="host" if kind == "host" else "server",
        spool_dir=spool,
        collector_url=stack.url,
        api_key=api_key,
        signing_key=None,
        capture_args=True,
        args_max_bytes=1 << 20,
        redaction=OPTIONS,
        flush_interval=0.05,
    )


def _server(emitter: Emitter) -> MCPServer:
    server: MCPServer = MCPServer("corpus-server", version="1.0")

    @server.tool()
    def echo(payload: dict[str, Any]) -> dict[str, Any]:
        return payload  # the result holds every secret: only its size may be stored

    @server.tool()
    def deny(reason: str) -> str:
        raise ToolDenied(f"refused: {reason}", reason=reason)

    @server.tool()
    def boom(message: str) -> str:
        raise RuntimeError(message)

    @server.resource("res://doc/{name}")
    def doc(name: str) -> str:
        return f"document {name}"

    @server.prompt()
    def greet(name: str) -> str:
        return f"hello {name}"

    audit_server(server, emitter)
    return server


async def _exercise(server: MCPServer, host: Emitter, sample: Sample) -> None:
    text = sample.text
    info = Implementation(name=f"client {text}", version="1.0")
    async with Client(server, client_info=info) as raw:
        session = audit_client(
            raw, host, actor=Actor(user="u1", agent=f"agent {text}"), session_id=lambda: text
        )
        payload = {
            "top": text,
            "nested": {"a": [{"b": text}]},
            "sentence": f"please use {text} for the deploy",
            text: 1,
        }
        result = await session.call_tool("echo", {"payload": payload}, tool_call_id=text)
        assert result.is_error is False
        with pytest.raises(MCPError):
            await session.call_tool("deny", {"reason": text})
        assert (await session.call_tool("boom", {"message": text})).is_error is True
        with contextlib.suppress(MCPError):
            await session.call_tool(text, {})  # an unknown tool named like the secret
        with pytest.raises(MCPError):
            await session.get_prompt(text, {"name": text})
        if _URI_SAFE.fullmatch(text):
            await session.read_resource(f"res://doc/{text}")
    with host.record("tools/call", tool="t", attrs={"note": text, text: "v", "n": {"x": [text]}}):
        pass


def _strings(value: Any, out: list[str]) -> None:
    """Every string in ``value`` (keys included), and the strings inside JSON text."""
    if isinstance(value, str):
        out.append(value)
        if value[:1] in "{[":
            with contextlib.suppress(ValueError):
                _strings(json.loads(value), out)
    elif isinstance(value, dict):
        for k, v in value.items():
            _strings(k, out)
            _strings(v, out)
    elif isinstance(value, list | tuple) or type(value).__name__ == "ndarray":
        for v in value:
            _strings(v, out)
    elif value is not None:
        out.append(str(value))


def _store_text(stack: Stack) -> tuple[str, dict[str, int]]:
    """Every cell of every table of the store, and the row count of each table. Aggregate-state
    columns (rollups) are read as their serialized bytes."""
    db = stack.store.database
    columns = stack.store.query_df(
        "SELECT table, name, type FROM system.columns WHERE database = {db:String}", {"db": db}
    )
    out: list[str] = []
    rows = {}
    for table, cols in columns.groupby("table"):
        exprs = [
            f"hex(toString(`{name}`)) AS `{name}`" if kind.startswith("AggregateFunction")
            else f"`{name}`"
            for name, kind in zip(cols["name"], cols["type"], strict=True)
        ]  # fmt: skip
        df = stack.store.query_df(f"SELECT {', '.join(exprs)} FROM {db}.`{table}`")
        rows[str(table)] = len(df)
        if df.empty:
            continue
        for name, kind in zip(cols["name"], cols["type"], strict=True):
            _strings(name, out)
            for cell in df[name]:
                if kind.startswith("AggregateFunction"):
                    cell = bytes.fromhex(cell).decode("utf-8", "surrogateescape")
                _strings(cell, out)
    return "\x00".join(out), rows


def _files_texts(folders: list[Path]) -> set[str]:
    """Every line of every file under ``folders`` as text, and the strings of its JSON records."""
    out: set[str] = set()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.update(path.read_bytes().decode("utf-8", "surrogateescape").splitlines())
    parsed: list[str] = []
    for line in out:
        with contextlib.suppress(ValueError):
            _strings(json.loads(line[1:] if line[:1] in "EC" else line), parsed)
    return out | set(parsed)


def _leaks(haystack: str) -> list[tuple[str, str]]:
    """(format, piece) for every secret or 12-character slice of one found in ``haystack``."""
    needles: dict[int, dict[str, str]] = {}
    for sample in SAMPLES:
        for secret in sample.secrets:
            for piece in slices(secret):
                needles.setdefault(len(piece), {})[piece] = sample.format
    found = set()
    for width, pieces in needles.items():
        found |= {
            (pieces[haystack[i : i + width]], haystack[i : i + width])
            for i in range(len(haystack) - width + 1)
            if haystack[i : i + width] in pieces
        }
    return sorted(found)


async def test_no_secret_of_the_corpus_reaches_the_store_or_the_spool(
    tmp_path: Path, stack: Stack
) -> None:
    assert len({s.format for s in SAMPLES}) >= 60
    server_em = _emitter(stack, tmp_path / "server-spool", "corpus-server", "server")
    host_em = _emitter(stack, tmp_path / "host-spool", "corpus-host", "host")
    server = _server(server_em)
    spools_seen: set[str] = set()  # the spools' files as they were while events were in them
    folders = [tmp_path / "server-spool", tmp_path / "host-spool"]
    with anyio.fail_after(TIMEOUT):
        for sample in SAMPLES:
            await _exercise(server, host_em, sample)
            spools_seen.update(_files_texts(folders))
    assert server_em.flush(TIMEOUT)
    assert host_em.flush(TIMEOUT)  # acknowledged means stored
    try:
        t0 = time.monotonic()
        store, rows = _store_text(stack)
        spools = "\x00".join(spools_seen | _files_texts(folders))
        # what was asked really arrived: every call on both sides, and redacted
        assert rows["events"] >= 12 * len(SAMPLES), rows
        assert store.count("[REDACTED:") > 20 * len(SAMPLES)
        leaks = _leaks(store) + _leaks(spools)
        for fmt, piece in leaks:  # where, to tell a leak from a coincidence at a glance
            for name, text in (("store", store), ("spool", spools)):
                if (at := text.find(piece)) >= 0:
                    print(fmt, name, repr(text[max(0, at - 200) : at + 60]))
        print(
            f"leak check: {len(SAMPLES)} formats, {rows['events']} events, {len(leaks)} found; "
            f"{len(store) + len(spools)} chars searched in {time.monotonic() - t0:.1f} s"
        )
        assert leaks == []
    finally:
        server_em.close()
        host_em.close()
