"""Audit an MCP server without touching it: relays that record a copy of its JSON-RPC traffic.

Standard library only (the streamable-HTTP proxy is ``tooltrail.emitter.mcp.proxy``, which needs
the ``mcp`` extra). ``tooltrail wrap -- COMMAND...`` is :func:`run` with a :class:`Recorder`:

    from tooltrail.emitter import Emitter
    from tooltrail.emitter.relay import Recorder, run

    recorder = Recorder(
        lambda clock: Emitter(source_name="fs", spool_dir="/var/lib/tooltrail/fs", clock=clock),
        relay="wrap",
        transport="stdio",
    )
    status = run(["npx", "-y", "@modelcontextprotocol/server-filesystem", "/data"], recorder)

``ProcessRecorder`` (what the CLI uses) takes the same copies and records them in a child
process, so that parsing and the emitter's work never compete for the GIL with the threads that
forward (``keep_freed_memory`` spares a process that moves megabytes its page faults). The relay
forwards first and hands the recorder a copy; the recorder frames, parses and
pairs requests with responses on its own thread and records one event per call with the same fields
as the server-side hook (``_exchange.py`` says which, and what ``result_bytes`` measures).
"""

from ._exchange import CLIENT, RELAY_ATTR, SERVER
from ._malloc import keep_freed_memory
from ._recorder import DEFAULT_METHODS, Recorder
from ._worker import ProcessRecorder
from .stdio import FORWARDED_SIGNALS, RelayError, run

__all__ = [
    "CLIENT",
    "DEFAULT_METHODS",
    "FORWARDED_SIGNALS",
    "RELAY_ATTR",
    "SERVER",
    "ProcessRecorder",
    "Recorder",
    "RelayError",
    "keep_freed_memory",
    "run",
]
