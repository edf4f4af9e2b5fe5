"""The README's server, as written there: ``audit_server`` and nothing else for the lifecycle.

Run as a script it serves stdio and records into the spool directory argv[1] (no collector: the
test reads the spool after the process is gone). Periodic and idle checkpoints are off, so the
only checkpoint it can leave is the final one the lifecycle writes.
"""

from __future__ import annotations

import sys

from mcp.server.mcpserver import MCPServer

from tooltrail.emitter import Emitter
from tooltrail.emitter.mcp import audit_server

server = MCPServer("fs-server")


@server.tool()
def echo(text: str) -> str:
    return text


audit_server(
    server,
    Emitter(
        source_name="fs-server",
        spool_dir=sys.argv[1],
        checkpoint_every=10**9,
        checkpoint_interval=10**9,
        checkpoint_idle=0,
    ),
)

if __name__ == "__main__":
    server.run("stdio")
