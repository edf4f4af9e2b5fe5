"""MCP SDK hooks (needs the ``mcp`` extra): audit a server, or a host's client sessions.

    from tooltrail.emitter.mcp import audit_server, audit_client, ToolDenied

    audit_server(server, emitter)                              # server: MCPServer
    session = audit_client(ClientSession(read, write), host_emitter)

Refuse a call from a handler with ``raise ToolDenied("why", reason="policy")`` (a JSON-RPC error)
or ``return denied_result("why")`` (an ``isError`` result the model reads): both are audited as
``outcome="denied"`` on the server and on the host.
"""

from ._common import (
    DENIED_META_KEY,
    TOOL_CALL_ID_META_KEY,
    TOOL_DENIED,
    ToolDenied,
    denied_result,
    tools_hash,
)
from .client import AuditedClientSession, audit_client
from .server import DEFAULT_METHODS, AuditMiddleware, UserResolver, audit_server

__all__ = [
    "DEFAULT_METHODS",
    "DENIED_META_KEY",
    "TOOL_CALL_ID_META_KEY",
    "TOOL_DENIED",
    "AuditMiddleware",
    "AuditedClientSession",
    "ToolDenied",
    "UserResolver",
    "audit_client",
    "audit_server",
    "denied_result",
    "tools_hash",
]
