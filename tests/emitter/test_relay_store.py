"""``tooltrail wrap`` shipping to a running ``tooltrail up``: each call of a session with a server
on the official Python SDK lands in the real store (chDB behind the collector) once, and
``tooltrail verify`` proves the stream intact and vouched for by the relay's signed checkpoint."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession

from tests._infra.up import running_up
from tooltrail.collector.auth import KeyStore
from tooltrail.contract import Signer

from ._mcp_stdio_server import summary
from ._relay_tape import SDK_SERVER, TOOLTRAIL, Tape, tapped_stdio, wrapped

pytestmark = [pytest.mark.store, pytest.mark.slow]
TIMEOUT = 120.0
SOURCE = "wrapped-sdk-server"


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TOOLTRAIL, *args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT,
        env={**os.environ, "COLUMNS": "100"},
    )  # fmt: skip


async def _session(command: list[str]) -> None:
    tape: Tape = []
    async with (
        tapped_stdio(command, tape) as tapped,
        ClientSession(tapped.read, tapped.write) as session,
    ):
        await session.initialize()
        await session.list_tools()
        await session.call_tool("echo", {"text": "to the store"})
        await session.call_tool("add", {"a": 2, "b": 3})
        await session.read_resource("res://greeting")
    assert tapped.process.returncode == 0


def test_wrapped_calls_land_in_the_store_once_and_verify(tmp_path: Path) -> None:
    with running_up(tmp_path, "--query-port", "0") as (_, port):
        keys = KeyStore(tmp_path / ".tooltrail" / "collector-keys.json")
        api_key = keys.create(SOURCE)[1]
        spool = tmp_path / "spool"
        spool.mkdir()
        signer = Signer.load_or_create(spool / "signing.key")  # the key wrap will sign with
        keys.add_signer(SOURCE, signer.public_key_b64)
        command = wrapped(SDK_SERVER, spool, "--name", SOURCE, "--collector-url",
                          f"http://127.0.0.1:{port}", "--api-key", api_key,
                          "--flush-timeout", "60")  # fmt: skip
        anyio.run(_session, command)

        deadline = time.monotonic() + TIMEOUT
        while True:
            listed = _run(["events", "--json", "--source", SOURCE, "--limit", "1000"], tmp_path)
            assert listed.returncode == 0, listed.stderr
            stored = [json.loads(line) for line in listed.stdout.splitlines()]
            if len(stored) >= 4 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        stored.sort(key=lambda e: e["seq"])
        assert summary(stored) == [
            ("tools/list", None, "ok", None),
            ("tools/call", "echo", "ok", None),
            ("tools/call", "add", "ok", None),
            ("resources/read", "res://greeting", "ok", None),
        ]
        assert [e["seq"] for e in stored] == [0, 1, 2, 3]  # once each, no gap
        verified = _run(["verify", "--source", SOURCE, "--json"], tmp_path)
        assert verified.returncode == 0, (verified.stdout, verified.stderr)
