"""The MCP conformance suite (``@modelcontextprotocol/conformance``, on the Node 22 that
``tests/mcp_servers`` installs) against ``server-everything`` over streamable HTTP, directly and
through ``tooltrail proxy``: the same scenarios pass and fail, with the same checks.

The suite tests servers by URL only, so ``tooltrail wrap`` (stdio) is not run through it; the
stdio transparency tests are ``test_relay_stdio.py``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ._relay_tape import EVERYTHING, NODE_BIN
from .test_relay_proxy import _free_port, _proxy, _running

pytestmark = pytest.mark.slow
SUITE = NODE_BIN.parent / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"


def _verdicts(url: str, out: Path) -> list[str]:
    """The suite's line per scenario (``✓ name: n passed, m failed``)."""
    run = subprocess.run(
        [str(NODE_BIN / "node"), str(SUITE), "server", "--url", url, "-o", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    lines = [ln for ln in run.stdout.splitlines() if ln[:1] in ("✓", "✗")]
    assert lines, (run.stdout, run.stderr)
    return lines


def test_the_conformance_suite_sees_the_same_server_through_the_proxy(tmp_path: Path) -> None:
    server_port, proxy_port = _free_port(), _free_port()
    upstream = f"http://127.0.0.1:{server_port}/mcp"
    server = [*EVERYTHING, "streamableHttp"]
    env = {**os.environ, "PORT": str(server_port)}  # how server-everything is told its port
    with _running(server, server_port, env):
        direct = _verdicts(upstream, tmp_path / "direct")
        with _running(_proxy(upstream, proxy_port, tmp_path / "spool"), proxy_port):
            proxied = _verdicts(f"http://127.0.0.1:{proxy_port}/mcp", tmp_path / "proxied")
    assert len(direct) > 20
    assert proxied == direct
