"""Server side: a context-tier ``ServerMiddleware`` that records every audited MCP request.

    from tooltrail.emitter.mcp import audit_server

    audit_server(server, emitter)   # server: mcp.server.mcpserver.MCPServer (or lowlevel Server)

The emitter signs and ships its head when the server shuts down, and closes at interpreter exit
or on SIGTERM (see ``audit_server``): the last calls of a server are always under a checkpoint.

Where each field comes from (all read-only; the request is never altered):

- method, tool / prompt name, resource uri, arguments: the raw request params;
- ``jsonrpc.request.id``, ``mcp.protocol.version``: the request context;
- ``actor.client`` / ``client_version``: the client's ``clientInfo`` (from ``initialize``, or the
  2026-07-28 per-request envelope), kept by the SDK on the connection;
- ``actor.user``: the OAuth access token's subject (else its client id) when the server uses the
  SDK's bearer auth, or whatever ``user_resolver(ctx)`` returns;
- ``trace_id`` / ``span_id``: the current OpenTelemetry span (the SDK's own middleware opens one per
  request, parented on the caller's ``traceparent``) when it is in the caller's trace, else
  ``params._meta.traceparent``, else ``params._meta["io.tooltrail/trace"]`` (what
  ``audit_client`` sends when its host runs no OpenTelemetry SDK);
- ``tooltrail.transport`` (the MCP transport), ``mcp.session.id``, ``server.address`` /
  ``server.port``: the HTTP request when there is one (``streamable-http`` with the
  ``Mcp-Session-Id`` header, or ``sse`` with its ``session_id``; OpenTelemetry's
  ``network.transport`` = ``tcp``, ``network.protocol.name`` = ``http``), else ``stdio``
  (``network.transport`` = ``pipe``) without a session id, or ``inproc`` for the SDK's in-process
  dispatcher (no network);
- ``gen_ai.operation.name`` = ``execute_tool`` on tool calls, as the SDK's own OpenTelemetry
  middleware sets it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping
from typing import Any, Protocol

import anyio
from mcp.server._otel import OpenTelemetryMiddleware
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from mcp.server.request_state import RequestStateBoundary
from opentelemetry import trace as otel_trace

from tooltrail.emitter import Actor, Call, CallSite, Emitter, close_on_sigterm

from ._common import (
    DEFAULT_DENY_CODES,
    TOOL_HINTS_ATTR,
    apply_sdk_result,
    dump,
    finish,
    log,
    observe_tools,
    request_fields,
    short,
    trace_of,
)

__all__ = ["DEFAULT_METHODS", "AuditMiddleware", "UserResolver", "audit_server"]

DEFAULT_METHODS = ("tools/call", "resources/read", "prompts/get")

UserResolver = Callable[[ServerRequestContext[Any, Any]], "str | Actor | None"]
"""Returns the caller's user id, or an ``Actor`` whose set fields override the captured ones."""

_SESSION_HEADER = "mcp-session-id"
_SDK_MIDDLEWARE = (OpenTelemetryMiddleware, RequestStateBoundary)
_DIRECT_KIND = "direct"


class _HasMiddleware(Protocol):
    @property
    def middleware(self) -> list[ServerMiddleware[Any]]: ...


class AuditMiddleware(ServerMiddleware[Any]):
    """Records one event per request whose method is in ``methods``, and one per complete
    ``tools/list`` whose tools hash differs from the last one recorded (the first included:
    ``server_name`` / ``server_version``, by default the server's own, go with it); never alters
    the call.

    Outcomes: a normal result is ``ok``; a ``CallToolResult`` with ``isError`` is ``error`` /
    ``tool_error`` (``denied`` when built by ``denied_result``); an ``MCPError`` is ``error`` with
    its JSON-RPC code as ``error.type``, or ``denied`` when its code is in ``deny_codes``
    (default: :class:`ToolDenied`'s); malformed params (pydantic ``ValidationError``) are
    ``invalid_params``; any other exception is its class name. Auditing failures are logged and
    swallowed: the handler's result or exception always passes through unchanged.
    """

    def __init__(
        self,
        emitter: Emitter,
        *,
        methods: Iterable[str] = DEFAULT_METHODS,
        user_resolver: UserResolver | None = None,
        deny_codes: Collection[int] = DEFAULT_DENY_CODES,
        transport: str | None = None,
        capture_auth: bool = True,
        server_name: str | None = None,
        server_version: str | None = None,
    ) -> None:
        self.emitter = emitter
        self.server_name = server_name
        self.server_version = server_version
        self.methods = frozenset(methods)
        self.user_resolver = user_resolver
        self.deny_codes = frozenset(deny_codes)
        self.transport = transport
        self.capture_auth = capture_auth
        self.tools_hash: str | None = None
        """Hash of the last complete tools/list this server answered (``tooltrail.tools.hash``)."""
        self.tool_hints: dict[str, str] = {}
        """Hints of that list's annotated tools (``attrs["tooltrail.tool.hints"]`` of a call)."""
        self._last_actor: tuple[Any, Any, Actor | None, dict[str, Any]] | None = None
        self._sites: dict[_SiteKey, tuple[dict[str, Any], CallSite | None]] = {}

    async def __call__(
        self, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        listing = ctx.method == "tools/list" and not (ctx.params or {}).get("cursor")
        if not listing and (ctx.method not in self.methods or ctx.request_id is None):
            return await call_next(ctx)
        call: Call | None = None
        try:
            call = self._start(ctx)
        except Exception as err:
            log.error("tooltrail: could not start recording %s: %r", ctx.method, err)
        if listing:
            result = await call_next(ctx)  # a failed listing is not recorded
            self._observe_tools(call, result)
            return result
        if call is None:  # outside the except block: no auditing error chained to the call's own
            return await call_next(ctx)
        try:
            result = await call_next(ctx)
        except BaseException as exc:
            finish(call, exc, deny_codes=self.deny_codes, validation_type="invalid_params")
            raise
        try:
            apply_sdk_result(call, ctx.method, result)
        except Exception as err:
            log.error("tooltrail: could not inspect the result of %s: %r", ctx.method, err)
        finish(call, None)
        return result

    # -- building the event ----------------------------------------------------------------

    def _start(self, ctx: ServerRequestContext[Any, Any]) -> Call:
        method = ctx.method
        fields = request_fields(method, ctx.params)
        meta: Mapping[str, Any] = ctx.meta or {}
        trace_id, span_id = _trace_ids(meta)
        request = ctx.request
        transport, session_id, server_address, attrs = _from_transport(ctx, request)
        actor, auth_attrs = self._actor(ctx, request)
        if auth_attrs:
            attrs.update(auth_attrs)
        name = fields["tool"]
        if method == "tools/call" and name in self.tool_hints:
            attrs[TOOL_HINTS_ATTR] = self.tool_hints[name]
        site_key = (
            method,
            name,
            fields["prompt"],
            actor,
            session_id,
            self.transport or transport,
            server_address,
            ctx.protocol_version or None,
            self.tools_hash if method == "tools/call" else None,
        )
        site = self._sites.get(site_key)
        if site is None or site[0] != attrs:
            site = self._site(site_key, attrs)
        dynamic: dict[str, Any] = {
            "args": fields["args"],
            "resource_uri": fields["resource_uri"],
            "tool_call_id": fields["tool_call_id"],
            "request_id": short(str(ctx.request_id)),
            "trace_id": trace_id,
            "span_id": span_id,
        }
        if site[1] is None:  # its shared fields need a repair: the general way
            call = self.emitter.record(method, **_shared(site_key, attrs), **dynamic)
        else:
            call = self.emitter.record_at(site[1], **dynamic)
        call.__enter__()
        return call

    def _site(self, key: _SiteKey, attrs: dict[str, Any]) -> tuple[dict[str, Any], CallSite | None]:
        """The emitter's site for calls with these shared fields (None: they need a repair),
        remembered."""
        site = self.emitter.site(key[0], **_shared(key, attrs))
        if len(self._sites) >= _MAX_SITES:
            self._sites.clear()
        self._sites[key] = entry = (attrs, site)
        return entry

    def _actor(
        self, ctx: ServerRequestContext[Any, Any], request: Any
    ) -> tuple[Actor | None, dict[str, Any]]:
        """The caller, and the attrs its token gives; without a ``user_resolver`` worked out
        once per (``clientInfo``, access token) pair, then reused (a session's calls share it)."""
        client_params = ctx.session.client_params
        token = _access_token(request) if self.capture_auth else None
        last = self._last_actor
        if last is not None and last[0] is client_params and last[1] is token:
            return last[2], dict(last[3])
        actor, attrs = self._actor_of(ctx, client_params, token)
        if self.user_resolver is None:
            self._last_actor = (client_params, token, actor, dict(attrs))
        return actor, attrs

    def _actor_of(
        self, ctx: ServerRequestContext[Any, Any], client_params: Any, token: AccessToken | None
    ) -> tuple[Actor | None, dict[str, Any]]:
        client = client_version = user = None
        if client_params is not None:
            client = short(client_params.client_info.name) or None
            client_version = short(client_params.client_info.version) or None
        attrs: dict[str, Any] = {}
        if token is not None:
            user = short(token.subject or token.client_id) or None
            if token.subject and token.subject != token.client_id:
                attrs["oauth.client_id"] = short(token.client_id)
            if token.scopes:
                attrs["oauth.scopes"] = sorted(token.scopes)
        actor = Actor(user=user, client=client, client_version=client_version)
        if self.user_resolver is not None:
            try:
                resolved = self.user_resolver(ctx)
            except Exception as err:
                log.error("tooltrail: user_resolver failed: %r", err)
                resolved = None
            if isinstance(resolved, Actor):
                actor = Actor(
                    user=resolved.user or actor.user,
                    client=resolved.client or actor.client,
                    client_version=resolved.client_version or actor.client_version,
                    agent=resolved.agent,
                    tenant=resolved.tenant,
                )
            elif isinstance(resolved, str) and resolved:
                actor = Actor(user=short(resolved), client=client, client_version=client_version)
        if not any((actor.user, actor.client, actor.client_version, actor.agent, actor.tenant)):
            return None, attrs
        return actor, attrs

    def _observe_tools(self, call: Call | None, result: HandlerResult) -> None:
        try:
            wire = dump(result)
        except Exception as err:
            log.debug("tooltrail: could not read tools/list: %r", err)
            return
        seen = observe_tools(
            call,
            wire,
            self.tools_hash,
            server_name=self.server_name,
            server_version=self.server_version,
        )
        if seen is not None:
            self.tools_hash, self.tool_hints = seen


def audit_server(
    server: _HasMiddleware,
    emitter: Emitter,
    *,
    shutdown_timeout: float = 5.0,
    sigterm: bool = True,
    **options: Any,
) -> AuditMiddleware:
    """Add an :class:`AuditMiddleware` to ``server.middleware``, tie the emitter to the server's
    life, and return the middleware.

    ``options`` are :class:`AuditMiddleware`'s keyword arguments. It is placed right after the
    SDK's built-in middleware (OpenTelemetry, request-state sealing), so it sees the request's span
    and plaintext params, and ahead of your own middleware, so their refusals are recorded too.

    Lifecycle: when the server shuts down (the SDK's lifespan ends: stdin closed for a stdio
    server, the ASGI shutdown of an HTTP app), the emitter signs its head and ships it, waiting at
    most ``shutdown_timeout`` seconds. It stays open, because the SDK enters the lifespan once per
    connection for an in-process client and a server may be served again; it closes at
    interpreter exit. With ``sigterm`` (default), SIGTERM closes every emitter before the process
    dies of it (``tooltrail.emitter.close_on_sigterm``: only over the default action, from the
    main thread).
    """
    lowlevel = getattr(server, "_lowlevel_server", server)
    for key in ("name", "version"):
        value = getattr(lowlevel, key, None)
        if isinstance(value, str) and value:
            options.setdefault(f"server_{key}", value)
    middleware = AuditMiddleware(emitter, **options)
    chain = server.middleware
    builtins = [i for i, m in enumerate(chain) if isinstance(m, _SDK_MIDDLEWARE)]
    chain.insert(builtins[-1] + 1 if builtins else 0, middleware)
    _sign_on_shutdown(server, emitter, shutdown_timeout)
    if sigterm:
        close_on_sigterm()
    return middleware


def _sign_on_shutdown(server: Any, emitter: Emitter, timeout: float) -> None:
    """Wrap the SDK server's lifespan: when the last running one ends, flush the emitter."""
    lowlevel = getattr(server, "_lowlevel_server", server)  # MCPServer holds a lowlevel Server
    inner = getattr(lowlevel, "lifespan", None)
    if inner is None:
        log.warning("tooltrail: %r has no lifespan: no final checkpoint at shutdown", server)
        return
    running = [0]

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        running[0] += 1
        try:
            async with inner(app) as state:
                yield state
        finally:
            running[0] -= 1
            if running[0] == 0:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(emitter.flush, timeout)

    lowlevel.lifespan = lifespan


#: (method, tool, prompt, actor, session id, transport, server address, protocol
#: version, tools hash): what the calls of one site share, with their attrs
_SiteKey = tuple[
    str, str | None, str | None, Actor | None, str | None, str, str | None, str | None, str | None
]
#: sites remembered per server (a tool, prompt, caller or session each makes one)
_MAX_SITES = 1024


def _shared(key: _SiteKey, attrs: dict[str, Any]) -> dict[str, Any]:
    """``record()``'s keywords of the fields the calls of a site share."""
    _, tool, prompt, actor, session_id, transport, server_address, protocol_version, tools_hash = (
        key
    )
    return {
        "tool": tool,
        "prompt": prompt,
        "actor": actor,
        "session_id": session_id,
        "transport": transport,
        "server_address": server_address,
        "protocol_version": protocol_version,
        "tools_hash": tools_hash,
        "attrs": attrs or None,
    }


def _trace_ids(meta: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The current OTel span when it belongs to the caller's trace (or no trace came in)."""
    incoming = trace_of(meta)
    sc = otel_trace.get_current_span().get_span_context()
    if sc.is_valid:
        trace_id = format(sc.trace_id, "032x")
        if incoming is None or incoming[0] == trace_id:
            return trace_id, format(sc.span_id, "016x")
    if incoming is not None:
        return incoming[0], incoming[1]
    return None, None


def _from_transport(
    ctx: ServerRequestContext[Any, Any], request: Any
) -> tuple[str, str | None, str | None, dict[str, Any]]:
    """(MCP transport, session id, server address as host:port, attrs) for this request."""
    attrs: dict[str, Any] = {}
    if request is None:
        # No HTTP request: a stdio pipe, unless the SDK's in-process dispatcher carried it.
        outbound = getattr(ctx.session, "_request_outbound", None)
        kind = getattr(getattr(outbound, "transport", None), "kind", None)
        return ("inproc" if kind == _DIRECT_KIND else "stdio"), None, None, attrs
    headers = getattr(request, "headers", None)
    session_id = headers.get(_SESSION_HEADER) if headers is not None else None
    transport = "streamable-http"
    if not session_id:
        query = getattr(request, "query_params", None)
        session_id = query.get("session_id") if query is not None else None
        transport = "sse" if session_id else transport
    url = getattr(request, "url", None)
    netloc = getattr(url, "netloc", None)
    peer = getattr(request, "client", None)
    if peer is not None and getattr(peer, "host", None):
        attrs["client.address"] = short(str(peer.host))
    return (
        transport,
        short(session_id) if session_id else None,
        short(netloc) if isinstance(netloc, str) and netloc else None,
        attrs,
    )


def _access_token(request: Any) -> AccessToken | None:
    """The SDK bearer-auth token of this request (contextvar, else the ASGI scope's user)."""
    token = get_access_token()
    if token is not None or request is None:
        return token
    scope = getattr(request, "scope", None)
    user = scope.get("user") if isinstance(scope, Mapping) else None
    return user.access_token if isinstance(user, AuthenticatedUser) else None
