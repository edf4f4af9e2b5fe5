"""The MCP conformance suite (``@modelcontextprotocol/conformance``, on the Node 22 that
``tests/mcp_servers`` installs) against ``server-everything``: the same scenarios pass and fail,
with the same checks, whichever way it is reached.

- Streamable HTTP: directly and through ``tooltrail proxy``.
- stdio: the suite tests servers by URL only, so a stdio→streamable-HTTP bridge nobody here
  wrote (``supergateway``, stateful: one server process per session) runs the stdio server,
  once as it is and once as ``tooltrail wrap -- server``; wrap's spools (one per concurrent
  session: ``spool``, ``spool.2``, ...) then hold one event per call the suite made, each
  answered, chained and signed.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tooltrail.emitter.relay.__main__ import CLAIM

from ._mcp_stdio_server import summary
from ._relay_tape import EVERYTHING, NODE_BIN, wrapped
from .test_lifecycle import spooled
from .test_relay_proxy import _free_port, _proxy, _running
from .test_relay_stdio import _verified

pytestmark = pytest.mark.slow
NODE = str(NODE_BIN / "node")
SUITE = NODE_BIN.parent / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
BRIDGE = NODE_BIN.parent / "supergateway" / "dist" / "index.js"
#: the suite's scenarios that make one call each, by the method of that call
CALLS = {"tools/call": ("tools-call-", "elicitation-"), "resources/read": ("resources-read-",
         "resources-templates-read"), "prompts/get": ("prompts-get-",)}  # fmt: skip


def _verdicts(url: str, out: Path) -> list[str]:
    """The suite's line per scenario (``✓ name: n passed, m failed``)."""
    run = subprocess.run(
        [NODE, str(SUITE), "server", "--url", url, "-o", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    lines = [ln for ln in run.stdout.splitlines() if ln[:1] in ("✓", "✗")]
    assert lines, (run.stdout, run.stderr)
    return lines


def _bridge(command: list[str], port: int) -> list[str]:
    """supergateway serving the stdio ``command`` over streamable HTTP at ``/mcp`` (a session
    idle for 10 s is closed: its server is stopped, so the sessions' processes do not pile up)."""
    return [NODE, str(BRIDGE), "--stdio", shlex.join(command), "--port", str(port),
            "--outputTransport", "streamableHttp", "--stateful", "--sessionTimeout", "10000",
            "--logLevel", "none"]  # fmt: skip


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


def test_the_conformance_suite_sees_the_same_stdio_server_through_wrap(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    with _running(_bridge(EVERYTHING, port), port):
        direct = _verdicts(url, tmp_path / "direct")
    spool = tmp_path / "spool"
    with _running(_bridge(wrapped(EVERYTHING, spool), port), port):
        through = _verdicts(url, tmp_path / "wrapped")
    assert len(direct) > 20
    assert through == direct

    spools = sorted(tmp_path.glob("spool*"))
    for path in spools:  # the bridge stopped each session's wrap: its recorder signs and exits
        with (path / CLAIM).open("rb") as claim:  # held by the recorder for its whole life
            fcntl.flock(claim, fcntl.LOCK_EX)
    recorded = [p for p in spools if spooled(p)[0]]
    events = [e for p in recorded for e in _verified(p) if e["mcp.method.name"] != "tools/list"]
    scenarios = [line[2:].split(":")[0] for line in direct]
    made = Counter(
        method for name in scenarios for method, starts in CALLS.items() if name.startswith(starts)
    )
    assert min(made[method] for method in CALLS) > 0
    assert Counter(e["mcp.method.name"] for e in events) == made  # one event per call
    for method, name, outcome, error in summary(events):
        assert (name or "").startswith("test"), (method, name)  # the suite's fixtures' names
        assert (outcome, error) != ("error", "no_response")  # each answer was recorded
