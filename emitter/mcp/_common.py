"""Pieces shared by the server middleware and the host-side session wrapper.

How a refusal is signalled (``ToolDenied``, ``denied_result``), the tools/list event, and the
mapping of a finished call (an SDK result or exception) onto an event's ``outcome`` /
``error.type``. What the SDK hooks share with the raw JSON-RPC relays of ``tooltrail wrap``
(request fields, W3C ``traceparent``, tool hints, result and error codes) is in
``tooltrail.emitter.mcpwire``, re-exported here.

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
from collections.abc import Collection, Mapping
from typing import Any

import anyio
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, ValidationError

from tooltrail.emitter import Call
from tooltrail.emitter.mcpwire import (
    DEFAULT_DENY_CODES,
    DENIED_META_KEY,
    TOOL_CALL_ID_META_KEY,
    TOOL_DENIED,
    TOOL_HASH_ATTR,
    TOOL_HINTS_ATTR,
    TRACE_META_KEY,
    apply_error_code,
    apply_result,
    parse_traceparent,
    request_fields,
    short,
    tool_hints,
    trace_of,
)
from tooltrail.emitter.toollist import tools_hash, tools_list_attrs

__all__ = [
    "DEFAULT_DENY_CODES",
    "DENIED_META_KEY",
    "TOOL_CALL_ID_META_KEY",
    "TOOL_DENIED",
    "TOOL_HASH_ATTR",
    "TOOL_HINTS_ATTR",
    "TRACE_META_KEY",
    "ToolDenied",
    "apply_result",
    "denied_result",
    "dump",
    "finish",
    "new_trace_ids",
    "observe_tools",
    "parse_traceparent",
    "request_fields",
    "short",
    "tool_hints",
    "tools_hash",
    "trace_of",
]

log = logging.getLogger("tooltrail.emitter.mcp")

_randbytes = random.randbytes


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


# -- W3C trace ids (the parsing is mcpwire's) --------------------------------------------


def new_trace_ids() -> tuple[str, str]:
    """A random, valid (non-zero) W3C trace id and span id, as their 32 and 16 hex digits.
    Ids need uniqueness, not secrecy: the OpenTelemetry SDK draws them the same way, without a
    system call per id (one draw of 24 bytes here)."""
    while True:
        digits = _randbytes(24).hex()
        trace_id, span_id = digits[:32], digits[32:]
        if trace_id != _ZERO_TRACE and span_id != _ZERO_SPAN:
            return trace_id, span_id


_ZERO_TRACE, _ZERO_SPAN = "0" * 32, "0" * 16


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


def dump(result: Any, *, received: bool = False) -> Any:
    """A result as its JSON (wire) form; ``received``: a model parsed from the wire (host side)."""
    if isinstance(result, BaseModel):
        if received:  # only the fields that were on the wire, not the model's defaults
            return result.model_dump(by_alias=True, mode="json", exclude_unset=True)
        return result.model_dump(by_alias=True, mode="json", exclude_none=True)
    return result


def apply_sdk_result(call: Call, method: str, result: Any, *, received: bool = False) -> None:
    """``apply_result`` for what the SDK hands over (``received``: parsed from the wire, host
    side). A model is sized by pydantic's own JSON encoder (the bytes ``dump`` + JSON would give,
    without building them in Python) and turned into its wire form only when it is an error."""
    if not isinstance(result, BaseModel):
        apply_result(call, method, result)
        return
    to_json = result.__pydantic_serializer__.to_json
    if received:
        body = to_json(result, by_alias=True, exclude_unset=True)
    else:
        body = to_json(result, by_alias=True, exclude_none=True)
    failed = method == "tools/call" and getattr(result, "is_error", None) is True
    apply_result(call, method, dump(result, received=received) if failed else None, size=len(body))


def apply_error(
    call: Call,
    exc: BaseException,
    *,
    deny_codes: Collection[int],
    validation_type: str | None,
) -> bool:
    """Set outcome / error.type for ``exc``; False when the emitter's own default should apply."""
    if isinstance(exc, MCPError):
        apply_error_code(call, exc.code, exc.data, deny_codes=deny_codes)
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
