"""In-process recording of MCP calls: redact → fingerprint → chain → spool → ship.

Standard library only. ``cryptography`` (signed checkpoints) is used when installed; the MCP SDK
hooks live in ``tooltrail.emitter.mcp`` and import ``mcp`` only there.

    from tooltrail.emitter import Emitter

    emitter = Emitter(source_name="fs-server", spool_dir="/var/lib/fs-server/audit",
                      collector_url="https://collector:8080", api_key=API_KEY)
    # a base URL gets /v1/events appended
    with emitter.record("tools/call", tool="read_file", args=args) as call:
        call.set_result(result := read_file(**args))
"""

from ._emitter import Actor, Call, CallSite, Emitter
from ._lifecycle import close_on_sigterm
from .errors import EmitterError, SpoolError, TransportError
from .redact import RedactionOptions, Redactor
from .spool import Spool
from .transport import HttpTransport, MemoryTransport, Response, Transport

__all__ = [
    "Actor",
    "Call",
    "CallSite",
    "Emitter",
    "EmitterError",
    "HttpTransport",
    "MemoryTransport",
    "RedactionOptions",
    "Redactor",
    "Response",
    "Spool",
    "SpoolError",
    "Transport",
    "TransportError",
    "close_on_sigterm",
]
