"""Pieces shared by the server middleware and the host-side session wrapper.

How a refusal is signalled, W3C ``traceparent`` handling, the tools/list hash, and the mapping of
a finished call (result or exception) onto an event's ``outcome`` / ``error.type``.

Tool hints: a complete tools/list also gives each tool's annotations (``readOnlyHint``,
``destructiveHint``, ``idempotentHint``, ``openWorldHint``) as the MCP spec reads them, defaults
included (a tool that is not read-only is destructive unless it says otherwise; open world unless
it says otherwise). A ``tools/call`` of an annotated tool records them in
``attrs["tooltrail.tool.hints"]`` (e.g. ``"destructive,openworld"``) beside the tools hash; a tool
without annotations records none (the detectors then judge by its name).

Tool lists: the first complete tools/list a hook sees, and each one after it whose hash differs,
is recorded as an event of its own (``mcp.method.name = tools/list``): ``tooltrail.tools.hash``
and, in ``attrs``, the per-tool digests and the server's ``serverInfo`` name and version
(``tooltrail.emitter.toollist``; ``docs/event-contract.md``). A repeated, unchanged listing
records nothing; a failed or paginated one neither.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import string
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Final, cast

import anyio
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, ValidationError

from tooltrail.emitter import Call
from tooltrail.emitter.toollist import tools_hash, tools_list_attrs

__all__ = [
    "DENIED_META_KEY",
    "TOOL_CALL_ID_META_KEY",
    "TOOL_DENIED",
    "ToolDenied",
    "denied_result",
    "observe_tools",
    "tool_hints",
    "tools_hash",
]

log = logging.getLogger("tooltrail.emitter.mcp")

TOOL_DENIED: Final = -32003
"""JSON-RPC error code of :class:`ToolDenied` (implementation-defined server-error range)."""

DENIED_META_KEY: Final = "io.tooltrail/denied"
"""``CallToolResult._meta`` key whose (string) value marks an ``isError`` result as a refusal."""

TOOL_CALL_ID_META_KEY: Final = "io.tooltrail/toolCallId"
"""Request ``_meta`` key carrying the model's tool-call id from the host to the server."""

DEFAULT_DENY_CODES: Final = frozenset({TOOL_DENIED})

_MAX_ID = 128
_NUMBER = string.digits + " ()+.-"
_NUMBER_START = frozenset(string.digits + "(+")
_TRACEPARENT = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
_INVALID_TRACE = "0" * 32
_INVALID_SPAN = "0" * 16
_getrandbits = random.getrandbits


class ToolDenied(MCPError):
    """Raise from a tool, resource or prompt handler (or a middleware) to refuse the call.

    The client receives a JSON-RPC error with code :data:`TOOL_DENIED` and
    ``data={"reason": reason}``; both the server's and the host's audit events record
    ``outcome="denied"`` with ``error.type=reason``. Being an ``MCPError``, it passes through
    ``MCPServer``'s tool wrapper instead of being turned into an ``isError`` result.
    To refuse with a result the model can read instead, return :func:`denied_result`.
    """

    def __init__(self, message: str = "Denied", *, reason: str = "forbidden") -> None:
        super().__init__(code=TOOL_DENIED, message=message, data={"reason": reason})
        self.reason = reason


def denied_result(message: str, *, reason: str = "forbidden") -> CallToolResult:
    """An ``isError`` tool result the model can read, audited as ``outcome="denied"``."""
    return CallToolResult(
        content=[TextContent(type="text", text=message)],
        is_error=True,
        _meta={DENIED_META_KEY: reason},
    )


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


def new_trace_id() -> int:
    """A random, valid (non-zero) W3C trace id. Ids need uniqueness, not secrecy: the
    OpenTelemetry SDK draws them the same way, without a system call per id."""
    return _getrandbits(128) or 1


def new_span_id() -> int:
    """A random, valid (non-zero) W3C span id."""
    return _getrandbits(64) or 1


# -- results and errors -----------------------------------------------------------------------


def observe_tools(
    call: Call | None,
    wire: Any,
    last: str | None,
    *,
    server_name: str | None = None,
    server_version: str | None = None,
) -> tuple[str, dict[str, str]] | None:
    """For a complete ``tools/list`` result (``wire``: its JSON form, no ``nextCursor``):
    ``(tools hash, tool hints)``, and, when the hash differs from ``last`` (the listing this
    hook recorded before), close ``call`` — the ``tools/list`` event — with the hash and the
    per-tool digests (``tooltrail.emitter.toollist``). None for a partial or odd result (the
    call is then not recorded). Never raises."""
    try:
        if not isinstance(wire, Mapping) or wire.get("nextCursor"):
            return None
        tools = wire.get("tools")
        if not isinstance(tools, list) or (digest := tools_hash(tools)) is None:
            return None
        hints = tool_hints(tools)
    except Exception as err:
        log.debug("tooltrail: could not hash tools/list: %r", err)
        return None
    if call is not None and digest != last:
        try:
            call.set_fields(
                tools_hash=digest,
                attrs=tools_list_attrs(
                    tools, server_name=server_name, server_version=server_version
                ),
            )
            call.set_result(wire)
        except Exception as err:
            log.error("tooltrail: could not record tools/list: %r", err)
        finish(call, None)
    return digest, hints


TOOL_HINTS_ATTR: Final = "tooltrail.tool.hints"


def tool_hints(tools: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Tool name → its hints (``readonly``, ``destructive``, ``idempotent``, ``openworld``
    joined by commas) for every tool of a tools/list that carries an ``annotations`` object."""
    out: dict[str, str] = {}
    for tool in tools:
        name, ann = tool.get("name"), tool.get("annotations")
        if not isinstance(name, str) or not isinstance(ann, Mapping):
            continue
        readonly = ann.get("readOnlyHint") is True
        flags = {
            "readonly": readonly,
            "destructive": not readonly and ann.get("destructiveHint") is not False,
            "idempotent": ann.get("idempotentHint") is True,
            "openworld": ann.get("openWorldHint") is not False,
        }
        out[short(name)] = ",".join(k for k, v in flags.items() if v)
    return out


def dump(result: Any, *, received: bool = False) -> Any:
    """A result as its JSON (wire) form; ``received``: a model parsed from the wire (host side)."""
    if isinstance(result, BaseModel):
        if received:  # only the fields that were on the wire, not the model's defaults
            return result.model_dump(by_alias=True, mode="json", exclude_unset=True)
        return result.model_dump(by_alias=True, mode="json", exclude_none=True)
    return result


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


def apply_result(call: Call, method: str, result: Any, *, received: bool = False) -> None:
    """Size the result and flag an ``isError`` tool result (denied when it carries the mark).

    A model (``received``: parsed from the wire, host side) is sized by pydantic's own JSON
    encoder, the bytes ``dump`` + JSON would give without building them in Python, and turned
    into its wire form only when it is an error result."""
    if isinstance(result, BaseModel):
        to_json = result.__pydantic_serializer__.to_json
        if received:
            body = to_json(result, by_alias=True, exclude_unset=True)
        else:
            body = to_json(result, by_alias=True, exclude_none=True)
        call.set_result_bytes(len(body))
        if method != "tools/call" or getattr(result, "is_error", None) is not True:
            return
        wire = dump(result, received=received)
    else:
        call.set_result(result)
        wire = result
    if method != "tools/call" or not isinstance(wire, Mapping):
        return
    if wire.get("isError") is not True:
        return
    meta = wire.get("_meta")
    reason = meta.get(DENIED_META_KEY) if isinstance(meta, Mapping) else None
    if isinstance(reason, str) and reason:
        call.deny(short(reason))
    else:
        call.fail("tool_error")


def apply_error(
    call: Call,
    exc: BaseException,
    *,
    deny_codes: Collection[int],
    validation_type: str | None,
) -> bool:
    """Set outcome / error.type for ``exc``; False when the emitter's own default should apply."""
    if isinstance(exc, MCPError):
        if exc.code in deny_codes:
            data: Any = exc.data
            raw = cast("Mapping[str, Any]", data).get("reason") if isinstance(data, dict) else None
            call.deny(short(raw) if isinstance(raw, str) and raw else str(exc.code))
        else:
            call.fail(str(exc.code))
        return True
    if validation_type is not None and isinstance(exc, ValidationError):
        call.fail(validation_type)
        return True
    if _is_cancellation(exc):
        call.fail("cancelled")
        return True
    return False


def _is_cancellation(exc: BaseException) -> bool:
    if isinstance(exc, asyncio.CancelledError):
        return True
    try:
        return isinstance(exc, anyio.get_cancelled_exc_class())
    except Exception:  # not inside an async library
        return False


def finish(
    call: Call,
    exc: BaseException | None,
    *,
    deny_codes: Collection[int] = DEFAULT_DENY_CODES,
    validation_type: str | None = None,
) -> None:
    """Close ``call`` (which emits the event). Never raises."""
    try:
        if exc is not None and not apply_error(
            call, exc, deny_codes=deny_codes, validation_type=validation_type
        ):
            call.__exit__(type(exc), exc, exc.__traceback__)
            return
        call.__exit__(None, None, None)
    except Exception as err:
        log.error("tooltrail: could not record an MCP call: %r", err)
