"""MCP messages as JSON (the wire form) → event fields: the one mapping every MCP recorder uses.

The SDK hooks (``tooltrail.emitter.mcp``) and the relays that see raw JSON-RPC
(``tooltrail.emitter.relay``: ``wrap``, ``proxy``) read requests, results and errors through
these functions, so a call is recorded with the same fields whichever of them saw it. Standard
library only; nothing here raises into a call except where a docstring says so.

Tools: each tool's MCP annotations read as the spec reads them (``tool_hints``); the hashes of a
``tools/list`` and of each tool are ``tooltrail.emitter.toollist``'s.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Final, Protocol

__all__ = [
    "DEFAULT_DENY_CODES",
    "DENIED_META_KEY",
    "TOOL_CALL_ID_META_KEY",
    "TOOL_DENIED",
    "TOOL_HASH_ATTR",
    "TOOL_HINTS_ATTR",
    "TRACE_META_KEY",
    "apply_error_code",
    "apply_result",
    "parse_traceparent",
    "request_fields",
    "short",
    "tool_hints",
    "trace_of",
]

TOOL_DENIED: Final = -32003
"""JSON-RPC error code of a refusal (``ToolDenied``; implementation-defined server-error range)."""

DENIED_META_KEY: Final = "io.tooltrail/denied"
"""``CallToolResult._meta`` key whose (string) value marks an ``isError`` result as a refusal."""

TOOL_CALL_ID_META_KEY: Final = "io.tooltrail/toolCallId"
"""Request ``_meta`` key carrying the model's tool-call id from the host to the server."""

TRACE_META_KEY: Final = "io.tooltrail/trace"
"""Request ``_meta`` key carrying the host's fresh trace (a W3C ``traceparent`` value) to the
server's events when the host runs no OpenTelemetry SDK: the join key of the two events. Not
``traceparent`` itself, which every OpenTelemetry-instrumented server parses, validates and
starts a span under (~37,000 instructions per call in the MCP SDK's server, twice what any
``_meta`` key costs; ``docs/emitter.md``, fifth round) for a trace no span of the host is in."""

DEFAULT_DENY_CODES: Final = frozenset({TOOL_DENIED})

TOOL_HINTS_ATTR: Final = "tooltrail.tool.hints"
"""``attrs`` key of a tools/call: the called tool's hints (``"destructive,openworld"``)."""
TOOL_HASH_ATTR: Final = "tooltrail.tool.hash"
"""``attrs`` key of a tools/call: the called tool's ``toollist.tool_hash`` in the last listing."""
_MAX_ID = 128
_NUMBER = string.digits + " ()+.-"
_NUMBER_START = frozenset(string.digits + "(+")
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
_INVALID_TRACE = "0" * 32
_INVALID_SPAN = "0" * 16


class _Outcome(Protocol):
    """What a recorder needs of ``emitter.Call`` to finish one."""

    def set_result(self, result: Any) -> None: ...
    def set_result_bytes(self, size: int) -> None: ...
    def deny(self, error_type: str = "denied") -> None: ...
    def fail(self, error_type: str) -> None: ...


def short(value: str) -> str:
    """At most 128 characters, never cut inside a word or a grouped number (``4111 1111 …``): the
    piece cut in two is dropped whole, so a secret's head too short for redaction to recognise is
    never what remains. One run of 128+ non-blank characters is cut after its last ``:@?&;,#=``
    (a password in a long URL goes with the cut), else at 128."""
    if len(value) <= _MAX_ID:
        return value
    head = value[:_MAX_ID]
    if not value[_MAX_ID].isspace() and not head[-1].isspace():
        cut = head[: len(head) - len(head.split()[-1])]
        at = max(map(head.rfind, ":@?&;,#=")) + 1
        head = cut if cut.strip() else (head[:at] or head)
    if value[len(head) :].lstrip()[:1] in _NUMBER_START and head.rstrip()[-1:] in _NUMBER:
        head = head.rstrip(_NUMBER) or head
    return head


def _id(value: object) -> str | None:
    return short(value) if isinstance(value, str) and value else None


# -- W3C trace context ------------------------------------------------------------------------


def parse_traceparent(value: object) -> tuple[str, str, str] | None:
    """``(trace_id, span_id, flags)`` of a valid version-00-compatible traceparent, else None."""
    if not isinstance(value, str):
        return None
    m = _TRACEPARENT.fullmatch(value.strip().lower()[:55])
    if m is None or m.group(1) == "ff":
        return None
    _version, trace_id, span_id, flags = m.groups()
    if trace_id == _INVALID_TRACE or span_id == _INVALID_SPAN:
        return None
    return trace_id, span_id, flags


def trace_of(meta: object) -> tuple[str, str, str] | None:
    """The caller's trace context in a request's ``_meta``: its W3C ``traceparent``
    (OpenTelemetry's, or the caller's own), else the host's :data:`TRACE_META_KEY`; None when
    neither is valid."""
    if type(meta) is not dict and not isinstance(meta, Mapping):
        return None
    return parse_traceparent(meta.get("traceparent")) or parse_traceparent(meta.get(TRACE_META_KEY))


# -- requests ---------------------------------------------------------------------------------


def request_fields(method: str, params: object) -> dict[str, Any]:
    """``Emitter.record`` keywords read off a request's params: ``tool`` / ``prompt`` (the
    ``name``), ``args`` (``arguments``), ``resource_uri`` (``uri`` of a resources/read) and
    ``tool_call_id`` (``_meta``); the trace ids are the caller's (see ``parse_traceparent``)."""
    p: Mapping[str, Any] = params if type(params) is dict or isinstance(params, Mapping) else {}
    name = _id(p.get("name"))
    args = p.get("arguments") if method != "resources/read" else None
    uri = p.get("uri") if method == "resources/read" else None
    meta = p.get("_meta")
    # a dict nearly always: tested first, the Mapping ABC's check costs ~10 bytecodes each
    if type(meta) is dict or isinstance(meta, Mapping):
        call_id = meta.get(TOOL_CALL_ID_META_KEY)
    else:
        call_id = None
    return {
        "tool": name if method == "tools/call" else None,
        "args": args if type(args) is dict or isinstance(args, Mapping) else None,
        "prompt": name if method == "prompts/get" else None,
        "resource_uri": uri if isinstance(uri, str) and uri else None,
        "tool_call_id": _id(call_id),
    }


# -- tools/list -------------------------------------------------------------------------------


def tool_hints(tools: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Tool name → its hints (``readonly``, ``destructive``, ``destructive_by_default``,
    ``idempotent``, ``openworld`` joined by commas) for every tool of a tools/list that carries an
    ``annotations`` object. ``destructive_by_default`` marks a tool destructive only because the
    server did not state ``destructiveHint`` (the spec's default for a tool that is not
    read-only), a weaker statement than ``destructiveHint: true``."""
    out: dict[str, str] = {}
    for tool in tools:
        name, ann = tool.get("name"), tool.get("annotations")
        if not isinstance(name, str) or not isinstance(ann, Mapping):
            continue
        readonly = ann.get("readOnlyHint") is True
        destructive = not readonly and ann.get("destructiveHint") is not False
        flags = {
            "readonly": readonly,
            "destructive": destructive,
            # destructive only by the spec's default (no destructiveHint stated: a GitHub-style
            # server marks its writes readOnlyHint false and says no more)
            "destructive_by_default": destructive and "destructiveHint" not in ann,
            "idempotent": ann.get("idempotentHint") is True,
            "openworld": ann.get("openWorldHint") is not False,
        }
        out[short(name)] = ",".join(k for k, v in flags.items() if v)
    return out


# -- results and errors -----------------------------------------------------------------------


def apply_result(call: _Outcome, method: str, wire: Any, *, size: int | None = None) -> None:
    """Size the result (``size``: bytes seen on the wire; else its compact JSON) and flag an
    ``isError`` tool result (denied when it carries the :data:`DENIED_META_KEY` mark)."""
    if size is None:
        call.set_result(wire)
    else:
        call.set_result_bytes(size)
    if wire is None or method != "tools/call":
        return
    if type(wire) is not dict and not isinstance(wire, Mapping):
        return
    if wire.get("isError") is not True:
        return
    meta = wire.get("_meta")
    reason = meta.get(DENIED_META_KEY) if isinstance(meta, Mapping) else None
    if isinstance(reason, str) and reason:
        call.deny(short(reason))
    else:
        call.fail("tool_error")


def apply_error_code(
    call: _Outcome, code: object, data: object, *, deny_codes: Collection[int]
) -> None:
    """A JSON-RPC error: ``denied`` with ``data.reason`` (else the code) when ``code`` is in
    ``deny_codes``, else ``error`` with the code as ``error.type``."""
    if code in deny_codes:
        raw = data.get("reason") if isinstance(data, Mapping) else None
        call.deny(short(raw) if isinstance(raw, str) and raw else str(code))
    else:
        call.fail(str(code) if isinstance(code, int) else "jsonrpc_error")
