"""Host side: a transparent proxy over ``mcp.ClientSession`` (or ``mcp.Client``) that audits calls.

    from tooltrail.emitter.mcp import audit_client

    session = audit_client(ClientSession(read, write), emitter)   # emitter: source_kind="host"

``call_tool``, ``read_resource`` and ``get_prompt`` are recorded from the host's point of view;
every other attribute passes straight through to the wrapped session. Each audited call carries
its trace in its request ``_meta``: a W3C ``traceparent`` of the current OpenTelemetry span's
trace when there is one, or of the caller's own ``traceparent``, else of a fresh trace. A fresh
trace is made current for the duration of the call when an OpenTelemetry SDK is configured (so
the SDK's own client span joins it, and the ``traceparent`` travels as OpenTelemetry sends it);
without one no span of the host is in it, and it travels under ``io.tooltrail/trace``
(:data:`TRACE_META_KEY`) instead, which an instrumented server does not parse (the
``traceparent`` cost the MCP SDK's server ~37,000 instructions per call). The server-side event
of the same call (``AuditMiddleware``, ``tooltrail wrap``) records the same ``trace_id`` from
either key: that is the join key between the two views.

Notes: ``audit_client`` is typed as the session it wraps; to pass the extra ``tool_call_id=``
keyword with type checking, build ``AuditedClientSession(session, emitter)`` instead. Because every
audited request carries ``_meta``, ``mcp.Client``'s response cache is bypassed for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

from opentelemetry import context as otel_context
from opentelemetry import trace as otel_trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from tooltrail.emitter import Actor, Call, CallSite, Emitter

from ._common import (
    DEFAULT_DENY_CODES,
    TOOL_CALL_ID_META_KEY,
    TOOL_HINTS_ATTR,
    TRACE_META_KEY,
    apply_sdk_result,
    dump,
    finish,
    log,
    new_trace_ids,
    observe_tools,
    parse_traceparent,
    short,
)

__all__ = ["AuditedClientSession", "audit_client"]

S = TypeVar("S")


class AuditedClientSession(Generic[S]):
    """Proxy over a ``ClientSession`` / ``Client``: audits tools/call, resources/read, prompts/get.

    ``actor`` defaults to the session's own ``clientInfo`` (name, version); give
    ``Actor(user=..., agent=..., tenant=...)`` to say who is driving the host. ``session_id`` is a
    string or a zero-argument callable read at each call (the SDK's client transports do not expose
    the ``Mcp-Session-Id`` to the session). Outcomes mirror the server side: an ``isError`` result
    is ``tool_error``, an ``MCPError`` its JSON-RPC code (``denied`` for ``deny_codes``).
    """

    def __init__(
        self,
        session: S,
        emitter: Emitter,
        *,
        actor: Actor | None = None,
        transport: str | None = None,
        server_address: str | None = None,
        session_id: str | Callable[[], str | None] | None = None,
        deny_codes: Collection[int] = DEFAULT_DENY_CODES,
    ) -> None:
        self._target: Any = session
        self._emitter = emitter
        self._actor = actor
        self._transport = transport
        self._server_address = server_address
        self._session_id = session_id
        self._deny_codes = frozenset(deny_codes)
        self._caller_cache: tuple[Any, Actor | None] | None = None  # (clientInfo, actor)
        self._sites: dict[_SiteKey, CallSite | None] = {}
        _sdk_configured.refresh()  # loads a provider the environment names, if any
        self.tools_hash: str | None = None
        """Hash of the last complete tools/list seen through it (``tooltrail.tools.hash``)."""
        self.tool_hints: dict[str, str] = {}
        """Hints of that list's annotated tools (``attrs["tooltrail.tool.hints"]`` of a call)."""

    @property
    def wrapped(self) -> S:
        """The session this proxy forwards to."""
        return cast(S, self._target)

    def __getattr__(self, name: str) -> Any:
        if name == "_target":  # not yet set (copy, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self._target, name)

    async def __aenter__(self) -> AuditedClientSession[S]:
        await self._target.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        return cast("bool | None", await self._target.__aexit__(exc_type, exc, tb))

    # -- audited calls -----------------------------------------------------------------------

    async def call_tool(
        self,
        name: str,
        arguments: dict[str, Any] | None = None,
        *args: Any,
        meta: Mapping[str, Any] | None = None,
        tool_call_id: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """``session.call_tool`` plus ``tool_call_id``: the model's id for this tool call."""
        return await self._audited(
            "tools/call",
            self._target.call_tool,
            (name, arguments, *args),
            kwargs,
            meta,
            tool=name,
            args=arguments,
            tool_call_id=tool_call_id,
        )

    async def read_resource(
        self, uri: Any, *args: Any, meta: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        return await self._audited(
            "resources/read", self._target.read_resource, (uri, *args), kwargs, meta, uri=str(uri)
        )

    async def get_prompt(
        self,
        name: str,
        arguments: dict[str, str] | None = None,
        *args: Any,
        meta: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        return await self._audited(
            "prompts/get",
            self._target.get_prompt,
            (name, arguments, *args),
            kwargs,
            meta,
            prompt=name,
            args=arguments,
        )

    async def list_tools(self, *args: Any, **kwargs: Any) -> Any:
        """``session.list_tools``; a complete listing updates :attr:`tools_hash` and, when that
        changed, is recorded as a ``tools/list`` event (with the per-tool digests)."""
        params = kwargs.get("params")
        complete = not args and not (kwargs.get("cursor") or getattr(params, "cursor", None))
        call: Call | None = None
        if complete:
            try:
                call = self._emitter.record(
                    "tools/list",
                    actor=self._caller(),
                    session_id=self._current_session_id(),
                    transport=self._transport,
                    server_address=self._server_address,
                    protocol_version=self._protocol_version(),
                )
                call.__enter__()
            except Exception as err:
                log.error("tooltrail: could not start recording tools/list: %r", err)
                call = None
        result = await self._target.list_tools(*args, **kwargs)
        if not complete or getattr(result, "next_cursor", None) is not None:
            return result
        try:
            wire = dump(result, received=True)
        except Exception as err:
            log.debug("tooltrail: could not read tools/list: %r", err)
            return result
        info = getattr(self._target, "server_info", None)
        name, version = getattr(info, "name", None), getattr(info, "version", None)
        seen = observe_tools(
            call,
            wire,
            self.tools_hash,
            server_name=name if isinstance(name, str) else None,
            server_version=version if isinstance(version, str) else None,
        )
        if seen is not None:
            self.tools_hash, self.tool_hints = seen
        return result

    async def _audited(
        self,
        method: str,
        fn: Callable[..., Any],
        positional: tuple[Any, ...],
        kwargs: dict[str, Any],
        meta: Mapping[str, Any] | None,
        *,
        tool: str | None = None,
        args: Any = None,
        prompt: str | None = None,
        uri: str | None = None,
        tool_call_id: str | None = None,
    ) -> Any:
        call: Call | None = None
        try:
            out_meta: dict[str, Any] = dict(meta or {})
            trace_id, span_id, flags, parent, key = _trace_context(out_meta)
            out_meta[key] = f"00-{trace_id}-{span_id}-{flags}"
            if tool_call_id:
                out_meta[TOOL_CALL_ID_META_KEY] = tool_call_id
            tool = short(tool) if tool else None
            actor = self._caller()
            site_key = (
                method,
                tool,
                short(prompt) if prompt else None,
                actor,
                self._current_session_id(),
                self._protocol_version(),
                self.tools_hash if method == "tools/call" else None,
                self.tool_hints.get(tool) if method == "tools/call" and tool else None,
            )
            site = self._sites.get(site_key, _UNSEEN)
            if site is _UNSEEN:
                site = self._site(site_key)
            dynamic: dict[str, Any] = {
                "args": args if isinstance(args, Mapping) else None,
                "resource_uri": uri or None,
                "trace_id": trace_id,
                "span_id": span_id,
                "tool_call_id": short(tool_call_id) if tool_call_id else None,
            }
            if site is None:  # its shared fields need a repair: the general way
                call = self._emitter.record(method, **self._shared(site_key), **dynamic)
            else:
                call = self._emitter.record_at(site, **dynamic)
            call.__enter__()
        except Exception as err:
            log.error("tooltrail: could not start recording %s: %r", method, err)
            call = None
        if call is None:  # outside the except block: no auditing error chained to the call's own
            return await fn(*positional, meta=meta, **kwargs)
        token = otel_context.attach(parent) if parent is not None else None
        try:
            result = await fn(*positional, meta=out_meta, **kwargs)
        except BaseException as exc:
            finish(call, exc, deny_codes=self._deny_codes)
            raise
        finally:
            if token is not None:
                otel_context.detach(token)
        try:
            apply_sdk_result(call, method, result, received=True)
        except Exception as err:
            log.error("tooltrail: could not inspect the result of %s: %r", method, err)
        finish(call, None)
        return result

    # -- call sites: what every call to one tool shares --------------------------------------

    def _site(self, key: _SiteKey) -> CallSite | None:
        """The emitter's site for calls with these shared fields (None: they need a repair),
        remembered."""
        site = self._emitter.site(key[0], **self._shared(key))
        if len(self._sites) >= _MAX_SITES:
            self._sites.clear()
        self._sites[key] = site
        return site

    def _shared(self, key: _SiteKey) -> dict[str, Any]:
        """``record()``'s keywords of the fields the calls of a site share."""
        _, tool, prompt, actor, session_id, protocol_version, tools_hash, hints = key
        return {
            "tool": tool,
            "actor": actor,
            "prompt": prompt,
            "session_id": session_id,
            "transport": self._transport,
            "server_address": self._server_address,
            "protocol_version": protocol_version,
            "tools_hash": tools_hash,
            "attrs": {TOOL_HINTS_ATTR: hints} if hints is not None else None,
        }

    # -- what the host knows about itself ----------------------------------------------------

    def _caller(self) -> Actor | None:
        """The actor of each call: worked out once per ``clientInfo`` object, then reused."""
        info = getattr(self._target, "client_info", None) or getattr(
            self._target, "_client_info", None
        )
        cached = self._caller_cache
        if cached is not None and cached[0] is info:
            return cached[1]
        actor = self._caller_for(info)
        self._caller_cache = (info, actor)
        return actor

    def _caller_for(self, info: Any) -> Actor | None:
        actor = self._actor or Actor()
        if actor.client is None:
            name = getattr(info, "name", None)
            version = getattr(info, "version", None)
            actor = Actor(
                user=actor.user,
                client=short(name) if isinstance(name, str) and name else None,
                client_version=short(version) if isinstance(version, str) and version else None,
                agent=actor.agent,
                tenant=actor.tenant,
            )
        return actor if actor.as_dict() else None

    def _current_session_id(self) -> str | None:
        sid = self._session_id() if callable(self._session_id) else self._session_id
        return short(sid) if sid else None

    def _protocol_version(self) -> str | None:
        try:
            version = self._target.protocol_version
        except Exception:  # mcp.Client raises before it is connected
            return None
        return short(version) if isinstance(version, str) and version else None


def audit_client(
    session: S,
    emitter: Emitter,
    *,
    actor: Actor | None = None,
    transport: str | None = None,
    server_address: str | None = None,
    session_id: str | Callable[[], str | None] | None = None,
    deny_codes: Collection[int] = DEFAULT_DENY_CODES,
) -> S:
    """Wrap ``session`` in an :class:`AuditedClientSession`, typed as the session it wraps."""
    proxy = AuditedClientSession(
        session,
        emitter,
        actor=actor,
        transport=transport,
        server_address=server_address,
        session_id=session_id,
        deny_codes=deny_codes,
    )
    return cast(S, proxy)


_TraceContext = tuple[str, str, str, otel_context.Context | None, str]


def _trace_context(meta: Mapping[str, Any]) -> _TraceContext:
    """(trace_id, span_id, flags, OTel context to make current during the call or None, the
    ``_meta`` key the trace travels under).

    The current OpenTelemetry span wins (the SDK injects it into ``_meta`` itself); otherwise the
    caller's own ``traceparent`` in ``meta``, otherwise a fresh trace. In the latter two cases,
    when an OpenTelemetry SDK is configured (a tracer provider was set), a non-recording span
    with those ids is made current, so the SDK's client span is parented on it and the
    ``traceparent`` on the wire keeps the trace id; without one, the API's spans record nothing
    and inject nothing (no context switch per call): the caller's ``traceparent`` travels as it
    came, and a fresh trace, which no span is in, under :data:`TRACE_META_KEY`.
    """
    sc = otel_trace.get_current_span().get_span_context()
    if sc.is_valid:
        return (
            format(sc.trace_id, "032x"),
            format(sc.span_id, "016x"),
            f"{sc.trace_flags:02x}",
            None,
            _TRACEPARENT,
        )
    given = parse_traceparent(meta.get(_TRACEPARENT))
    if given is None:
        (trace_id, span_id), flags = new_trace_ids(), "01"
    else:
        trace_id, span_id, flags = given
    if not _sdk_configured():
        # No OpenTelemetry SDK: the SDK's client span would be a no-op that only copies its
        # parent into _meta, which the caller's traceparent (or our own key) already says.
        return trace_id, span_id, flags, None, _TRACEPARENT if given else TRACE_META_KEY
    tid, sid, sampled = int(trace_id, 16), int(span_id, 16), int(flags, 16)
    parent = SpanContext(trace_id=tid, span_id=sid, is_remote=True, trace_flags=TraceFlags(sampled))
    context = otel_trace.set_span_in_context(NonRecordingSpan(parent))
    return trace_id, span_id, flags, context, _TRACEPARENT


_TRACEPARENT = "traceparent"


class _SdkProbe:
    """Whether an OpenTelemetry tracer provider was set, through the API's public
    ``get_tracer_provider()``. Until one is, that call looks the environment up each time (~1 us:
    a KeyError raised and caught), so the answer is kept: yes for good (a provider is set once
    per process and never unset), no for a second (a provider set later is noticed within it)."""

    __slots__ = ("_recheck", "_set")

    def __init__(self) -> None:
        self._set = False
        self._recheck = 0.0

    def __call__(self) -> bool:
        if self._set:
            return True
        if _monotonic() < self._recheck:
            return False
        return self.refresh()

    def refresh(self) -> bool:
        """Ask the API now (it also loads a provider the environment names, if any)."""
        provider = otel_trace.get_tracer_provider()
        self._set = not isinstance(provider, otel_trace.ProxyTracerProvider)
        self._recheck = _monotonic() + _RECHECK_SECONDS
        return self._set


_RECHECK_SECONDS = 1.0
_monotonic = time.monotonic
_sdk_configured = _SdkProbe()


#: (method, tool, prompt, actor, session id, protocol version, tools hash, hints)
_SiteKey = tuple[
    str, str | None, str | None, Actor | None, str | None, str | None, str | None, str | None
]
#: sites remembered per session (a tool, prompt or session each makes one)
_MAX_SITES = 1024
_UNSEEN: Any = object()
