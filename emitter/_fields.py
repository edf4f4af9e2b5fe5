"""Building an event: the fields ``Emitter.record`` takes (``new_event``), time-ordered ids, and
the network fields OpenTelemetry names (``network.transport`` / ``network.protocol.name`` from the
MCP transport, ``server.address`` and ``server.port`` apart)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Final

from tooltrail.contract import SPEC_VERSION

if TYPE_CHECKING:
    from ._call import Actor

__all__ = ["network_of", "new_event", "port_of", "set_fields", "split_address", "uuid7"]

_getrandbits = random.getrandbits  # event ids need uniqueness, not secrecy
_M62 = (1 << 62) - 1


def uuid7(ms: int) -> str:
    """A UUIDv7 (RFC 9562) in its 32-hex-digit form: 48-bit ms time, version, variant, random."""
    r = _getrandbits(74)
    return "%032x" % ((ms << 80) | (0x7000 | (r >> 62)) << 64 | (1 << 63) | (r & _M62))


def port_of(value: Any) -> int | None:
    try:
        port = int(value)
    except (TypeError, ValueError):
        return None
    return port if 0 <= port <= 65535 else None


#: the MCP transport → OpenTelemetry's (network.transport, network.protocol.name)
_NETWORK: Final = {
    "stdio": ("pipe", None),
    "streamable-http": ("tcp", "http"),
    "sse": ("tcp", "http"),
}


def network_of(ev: dict[str, Any]) -> None:
    """Fill ``network.transport`` / ``network.protocol.name`` from the MCP transport name."""
    transport, protocol = _NETWORK.get(ev["tooltrail.transport"], (None, None))
    if transport is not None:
        ev.setdefault("network.transport", transport)
    if protocol is not None:
        ev.setdefault("network.protocol.name", protocol)


def split_address(ev: dict[str, Any]) -> None:
    """``host:port`` (``[v6]:port``) → ``server.address`` = host, ``server.port`` = port."""
    host, sep, port = ev["server.address"].rpartition(":")
    if not sep or not port.isdigit() or (":" in host and not host.endswith("]")):
        return  # no port, or a bare IPv6 address
    number = port_of(port)
    host = host.removeprefix("[").removesuffix("]")
    if number is not None and host:
        ev["server.address"] = host
        ev["server.port"] = number


_FIELD_NAMES = {
    "resource_uri": "mcp.resource.uri",
    "prompt": "gen_ai.prompt.name",
    "session_id": "mcp.session.id",
    "request_id": "jsonrpc.request.id",
    "trace_id": "trace_id",
    "span_id": "span_id",
    "transport": "tooltrail.transport",
    "network_transport": "network.transport",
    "protocol_name": "network.protocol.name",
    "server_address": "server.address",
    "server_port": "server.port",
    "protocol_version": "mcp.protocol.version",
    "tool_call_id": "gen_ai.tool.call.id",
    "tools_hash": "tooltrail.tools.hash",
    "error_type": "error.type",
    "attrs": "attrs",
}


def new_event(
    ts: int,
    source: dict[str, str],
    method: str,
    tool: str | None,
    args: Any,
    actor: Actor | None,
    fields: dict[str, Any],
) -> dict[str, Any]:
    """The event ``Emitter.record`` starts from: its own fields, and the caller's keyword
    ``fields`` under their contract names (an unknown keyword is a TypeError, as for any call)."""
    ev: dict[str, Any] = {
        "v": SPEC_VERSION,
        "event_id": uuid7(ts // 1000),
        "ts": ts,
        "source": source,
        "mcp.method.name": method,
        "outcome": "ok",
    }
    if method == "tools/call":
        ev["gen_ai.operation.name"] = "execute_tool"
    if tool is not None:
        ev["gen_ai.tool.name"] = tool
    if args is not None:
        ev["_args"] = args
    if actor is not None:
        last = _last_actor  # (Actor, its fields): a hook passes the same one call after call
        if last[0] is not actor:
            last = _remember_actor(actor)
        if last[1]:
            ev["actor"] = last[1]  # never changed in place (the stages replace it)
    set_fields(ev, fields)
    return ev


_last_actor: tuple[Actor | None, dict[str, str]] = (None, {})


def _remember_actor(actor: Actor) -> tuple[Actor | None, dict[str, str]]:
    global _last_actor
    _last_actor = (actor, actor.as_dict())  # Actor is frozen: its fields stay what they were
    return _last_actor


def set_fields(ev: dict[str, Any], fields: dict[str, Any]) -> None:
    """Set ``record()``'s keyword ``fields`` on ``ev`` under their contract names (None: left
    as it is; ``attrs`` merge into the event's own); an unknown keyword is a TypeError.

    A hook passes all ~15 keywords on every call, most of them None: the names are checked in
    one step and a None costs the loop nothing but its test (this ran ~250 bytecodes a call)."""
    if not fields.keys() <= _KNOWN:
        unknown = next(key for key in fields if key not in _FIELD_NAMES)
        raise TypeError(f"record() got an unexpected keyword argument {unknown!r}")
    for key, value in fields.items():
        if value is None:
            continue
        if type(value) is str and key in _STRINGS:
            ev[_FIELD_NAMES[key]] = value
            continue
        name = _FIELD_NAMES[key]
        if name == "attrs":
            ev[name] = {**ev[name], **value} if isinstance(ev.get(name), dict) else value
        elif name == "server.port":
            if (port := port_of(value)) is not None:
                ev[name] = port
        else:
            ev[name] = str(value)
    # what is derived from a field follows it: only when this call set it (set again, it would
    # derive the same; a field already derived or given is never overwritten)
    if "transport" in fields and "tooltrail.transport" in ev:
        network_of(ev)
    if "server_address" in fields and "server.address" in ev and "server.port" not in ev:
        split_address(ev)


_KNOWN: Final = _FIELD_NAMES.keys()
#: keywords whose string value is stored as it is (``str()`` of a str is the str itself)
_STRINGS: Final = frozenset(_FIELD_NAMES) - {"attrs", "server_port"}
