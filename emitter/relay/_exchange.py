"""Pairing JSON-RPC messages into calls: one event per request/response pair.

Fed parsed messages in the order they crossed the relay, from one thread. It keeps, per session,
what ``initialize`` said (the client's ``clientInfo``, the negotiated protocol version, the
server's ``serverInfo``) and the last tools listing, and a table of requests still waiting for
their response, keyed by (session, sender, id). The fields of an event are read through
``emitter.mcpwire``, as the SDK hooks read theirs:

- a request whose method is recorded, answered by a ``result`` → ``ok`` (an ``isError`` tool
  result → ``error`` / ``tool_error``, or ``denied`` when it carries the refusal mark);
- answered by an ``error`` → ``error`` with the JSON-RPC code (``denied`` for a refusal code);
- cancelled by ``notifications/cancelled`` → ``error`` / ``cancelled``;
- never answered when the relay ends (the server crashed, the host went away) →
  ``error`` / ``no_response``;
- the first complete ``tools/list`` answer of a session, and each later one whose
  ``tooltrail.tools.hash`` differs → a ``tools/list`` event (the per-tool digests of
  ``emitter.toollist``, as the SDK hooks record it; an unchanged, failed or paginated listing
  records nothing); a ``tools/call`` carries the called tool's hash in ``attrs``.

A relay forwards a message before it copies it, so the copy of an answer can come before the
copy of its request (the server answered in between): such an answer waits (at most 256 per
session) for its request.

``result_bytes`` is the size of the whole response message on the wire (the JSON-RPC envelope
included, the newline that frames it on stdio or the SSE framing excluded); a response inside a
JSON-RPC batch counts as its compact JSON. Server-initiated requests (sampling, elicitation,
roots) pair with the host's answers the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .._call import Actor
from .._emitter import Emitter
from ..mcpwire import (
    TOOL_HASH_ATTR,
    TOOL_HINTS_ATTR,
    apply_error_code,
    apply_result,
    request_fields,
    short,
    tool_hints,
    trace_of,
)
from ..stages import json_size
from ..toollist import tool_hash, tools_hash, tools_list_attrs

__all__ = ["CLIENT", "RELAY_ATTR", "SERVER", "Exchange"]

log = logging.getLogger("tooltrail.emitter.relay")

CLIENT: Final = 0
"""A message the host (the MCP client) sent."""
SERVER: Final = 1
"""A message the MCP server sent."""

_MAX_EARLY: Final = 256  # answers kept waiting for their request's copy, per session

RELAY_ATTR: Final = "tooltrail.relay"
"""``attrs`` key: which relay saw the call (``wrap`` or ``proxy``)."""


@dataclass(slots=True)
class _Pending:
    method: str
    params: Any
    ts_us: int
    t_ns: int


@dataclass(slots=True)
class _Session:
    actor: Actor | None = None
    protocol_version: str | None = None
    server_name: str | None = None
    server_version: str | None = None
    tools_hash: str | None = None
    hints: dict[str, str] = field(default_factory=dict)
    tool_hashes: dict[str, str] = field(default_factory=dict)
    pending: dict[tuple[int, str, Any], _Pending] = field(default_factory=dict)
    #: answers whose request's copy has not come yet (request sender, kind, id) -> answer
    early: dict[tuple[int, str, Any], tuple[Mapping[str, Any], int, int]] = field(
        default_factory=dict
    )


def _key(msg_id: object) -> tuple[str, Any] | None:
    if isinstance(msg_id, bool) or not isinstance(msg_id, str | int | float):
        return None
    return (type(msg_id).__name__, msg_id)


def _str(value: object) -> str | None:
    return short(value) if isinstance(value, str) and value else None


class Exchange:
    """Turns the messages of one relay into events (single-threaded; see the module docstring).

    ``emitter`` records; ``at_ts`` is called with an event's start time (µs since the epoch)
    just before ``emitter.record`` so the emitter's clock can return it (the relay records a
    call when its answer arrives, but the event's ``ts`` is when the request crossed).
    """

    def __init__(
        self,
        emitter: Emitter,
        *,
        methods: Collection[str],
        transport: str,
        relay: str,
        at_ts: Callable[[int | None], None],
        deny_codes: Collection[int],
        server_address: str | None = None,
        record_tools_list: bool = True,
    ) -> None:
        self.emitter = emitter
        self.methods = frozenset(methods)
        self.transport = transport
        self.relay = relay
        self.server_address = server_address
        self.deny_codes = frozenset(deny_codes)
        self.record_tools_list = record_tools_list
        self._at_ts = at_ts
        self._sessions: dict[str | None, _Session] = {}

    def session(self, session_id: str | None) -> _Session:
        state = self._sessions.get(session_id)
        if state is None:
            state = self._sessions[session_id] = _Session()
        return state

    def message(
        self, sender: int, msg: object, size: int, ts_us: int, t_ns: int, sid: str | None = None
    ) -> None:
        """One JSON-RPC message (or batch) as it crossed, ``size`` bytes on the wire."""
        if isinstance(msg, list):
            for item in msg:
                self.message(sender, item, json_size(item), ts_us, t_ns, sid)
            return
        if not isinstance(msg, Mapping):
            return
        method = msg.get("method")
        if isinstance(method, str):
            key = _key(msg.get("id"))
            if key is not None:
                self._request(sender, key, method, msg.get("params"), ts_us, t_ns, sid)
            elif method == "notifications/cancelled":
                self._cancelled(sender, msg.get("params"), t_ns, sid)
            return
        key = _key(msg.get("id"))
        if key is None:
            return
        state = self.session(sid)
        pending = state.pending.pop((1 - sender, *key), None)
        if pending is not None:
            self._answered(state, pending, key[1], msg, size, t_ns, sid)
        else:
            # the relay forwards first and copies after: an answer can be copied before its
            # request was (the server answered in between); it waits here for the request
            state.early[(1 - sender, *key)] = (msg, size, t_ns)
            if len(state.early) > _MAX_EARLY:
                del state.early[next(iter(state.early))]

    def close(self, t_ns: int) -> int:
        """Record every request still waiting at ``t_ns`` as ``no_response``; how many."""
        n = 0
        for sid, state in self._sessions.items():
            for (_sender, _kind, msg_id), pending in list(state.pending.items()):
                if pending.method in self.methods:
                    self._record(state, pending, msg_id, None, t_ns, sid, error="no_response")
                    n += 1
            state.pending.clear()
        return n

    # -- the three kinds of message ------------------------------------------------------

    def _request(
        self,
        sender: int,
        key: tuple[str, Any],
        method: str,
        params: Any,
        ts_us: int,
        t_ns: int,
        sid: str | None,
    ) -> None:
        state = self.session(sid)
        if method == "initialize" and isinstance(params, Mapping):
            info = params.get("clientInfo")
            if isinstance(info, Mapping):
                client, version = _str(info.get("name")), _str(info.get("version"))
                state.actor = Actor(client=client, client_version=version) if client else None
        keep = method in self.methods or method in ("initialize", "tools/list")
        early = state.early.pop((sender, *key), None)
        if not keep:
            return
        pending = _Pending(method, params, ts_us, t_ns)
        if early is None:
            state.pending[(sender, *key)] = pending
        else:
            answer, size, answered_ns = early
            self._answered(state, pending, key[1], answer, size, max(answered_ns, t_ns), sid)

    def _cancelled(self, sender: int, params: Any, t_ns: int, sid: str | None) -> None:
        key = _key(params.get("requestId")) if isinstance(params, Mapping) else None
        if key is None:
            return
        state = self.session(sid)
        pending = state.pending.pop((sender, *key), None)
        if pending is not None and pending.method in self.methods:
            self._record(state, pending, key[1], None, t_ns, sid, error="cancelled")

    def _answered(
        self,
        state: _Session,
        pending: _Pending,
        msg_id: Any,
        msg: Mapping[str, Any],
        size: int,
        t_ns: int,
        sid: str | None,
    ) -> None:
        result = msg.get("result")
        if pending.method == "initialize" and isinstance(result, Mapping):
            state.protocol_version = _str(result.get("protocolVersion"))
            info = result.get("serverInfo")
            if isinstance(info, Mapping):
                state.server_name = _str(info.get("name"))
                state.server_version = _str(info.get("version"))
        extra: dict[str, Any] | None = None
        if pending.method == "tools/list" and isinstance(result, Mapping):
            extra = self._tools_listed(state, pending.params, result)
            if extra is None or not self.record_tools_list:
                return
        elif pending.method not in self.methods:
            return
        self._record(state, pending, msg_id, msg, t_ns, sid, size=size, extra=extra)

    def _tools_listed(
        self, state: _Session, params: Any, result: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Update the session's tools from a listing; the attrs of its ``tools/list`` event, or
        None when nothing is recorded (a page, or the same listing as the last recorded)."""
        tools = result.get("tools")
        if not isinstance(tools, list):
            return None
        listed = [t for t in tools if isinstance(t, Mapping)]
        hashes = {short(n): h for t in listed if (n := _str(t.get("name"))) and (h := tool_hash(t))}
        cursor = params.get("cursor") if isinstance(params, Mapping) else None
        if cursor or result.get("nextCursor"):  # a page: what it says, no event
            state.hints.update(tool_hints(listed))
            state.tool_hashes.update(hashes)
            return None
        digest = tools_hash(listed)
        state.hints = tool_hints(listed)
        state.tool_hashes = hashes
        if digest is None or digest == state.tools_hash:
            return None
        state.tools_hash = digest
        return tools_list_attrs(
            listed, server_name=state.server_name, server_version=state.server_version
        )

    # -- the event -----------------------------------------------------------------------

    def _record(
        self,
        state: _Session,
        pending: _Pending,
        msg_id: Any,
        msg: Mapping[str, Any] | None,
        t_ns: int,
        sid: str | None,
        *,
        size: int | None = None,
        extra: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        method = pending.method
        fields = request_fields(method, pending.params)
        params = pending.params if isinstance(pending.params, Mapping) else {}
        meta = params.get("_meta")
        trace = trace_of(meta)
        attrs: dict[str, Any] = {RELAY_ATTR: self.relay}
        tool = fields["tool"]
        if method == "tools/call" and tool is not None:
            if tool in state.hints:
                attrs[TOOL_HINTS_ATTR] = state.hints[tool]
            if tool in state.tool_hashes:
                attrs[TOOL_HASH_ATTR] = state.tool_hashes[tool]
        if extra:
            attrs.update(extra)
        self._at_ts(pending.ts_us)
        try:
            call = self.emitter.record(
                method,
                actor=state.actor,
                session_id=_str(sid),
                request_id=short(str(msg_id)),
                trace_id=trace[0] if trace else None,
                span_id=trace[1] if trace else None,
                transport=self.transport,
                server_address=self.server_address,
                protocol_version=state.protocol_version,
                tools_hash=state.tools_hash if method in ("tools/call", "tools/list") else None,
                attrs=attrs,
                **fields,
            )
        finally:
            self._at_ts(None)
        call.set_duration_us((t_ns - pending.t_ns) // 1000)
        if error is not None:
            call.fail(error)
        elif msg is not None:
            err = msg.get("error")
            if isinstance(err, Mapping):
                apply_error_code(call, err.get("code"), err.get("data"), deny_codes=self.deny_codes)
            else:
                apply_result(call, method, msg.get("result"), size=size)
        call.__exit__(None, None, None)
