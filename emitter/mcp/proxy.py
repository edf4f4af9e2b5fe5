"""``tooltrail proxy``: a streamable-HTTP reverse proxy in front of a remote MCP server, recording
each call as ``tooltrail wrap`` does for a stdio server (needs the ``mcp`` extra: ``httpx2``,
``uvicorn`` and ``anyio`` come with it).

    app = ProxyApp("https://mcp.example.com/mcp", recorder)   # an ASGI app; serve with uvicorn

Guarantee: every request is passed to the upstream with its method, path, query, headers (less
the hop-by-hop ones; ``Host`` becomes the upstream's) and body unchanged, and the upstream's
status, headers and body come back unchanged. A ``text/event-stream`` answer (an SSE stream, a
POST's or the standing GET's) is passed on chunk by chunk as it arrives, never buffered; the
bytes are forwarded first and a copy is handed to the recorder (``Recorder.message`` /
``Recorder.sse``, which only queue it). Paths other than the upstream's (OAuth metadata,
``/.well-known/...``) pass through the same way.

Sessions: the ``Mcp-Session-Id`` of a request (or, for ``initialize``, of its response) keys the
recorder's pairing, and is recorded as ``mcp.session.id``. Failure behaviour: an upstream that
cannot be reached is a ``502`` with a one-line reason; a client that goes away closes the
upstream response; auditing failures never reach the client.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final
from urllib.parse import urlsplit

import anyio
import httpx2

from tooltrail.emitter.relay import CLIENT, SERVER, ProcessRecorder, Recorder

__all__ = ["HOP_BY_HOP", "ProxyApp"]

log = logging.getLogger("tooltrail.emitter.mcp")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: headers that belong to one connection, not to the message (RFC 9110 section 7.6.1)
HOP_BY_HOP: Final = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)
_SESSION = b"mcp-session-id"
_streams = itertools.count()


def _session_of(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name.lower() == _SESSION:
            return value.decode("latin-1") or None
    return None


class ProxyApp:
    """The ASGI app: forwards every HTTP request to ``upstream``'s origin (same path and query)."""

    def __init__(
        self,
        upstream: str,
        recorder: Recorder | ProcessRecorder | None = None,
        *,
        connect_timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"upstream: an http(s) URL is needed, not {upstream!r}")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.recorder = recorder
        self._timeout = httpx2.Timeout(connect_timeout, read=None, write=None, pool=None)
        self._client: httpx2.AsyncClient | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self.recorder is not None:
            await anyio.to_thread.run_sync(self.recorder.close)

    def _http_client(self) -> httpx2.AsyncClient:
        if self._client is None:
            self._client = httpx2.AsyncClient(timeout=self._timeout, follow_redirects=False)
        return self._client

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        recorder = self.recorder
        at = recorder.now() if recorder is not None else None
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        raw_headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or [])
        headers = [(k, v) for k, v in raw_headers if k.lower().decode("latin-1") not in HOP_BY_HOP]
        url = self.origin + scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        if scope.get("query_string"):
            url += "?" + scope["query_string"].decode("latin-1")
        client = self._http_client()
        try:
            request = client.build_request(scope["method"], url, headers=headers, content=body)
            response = await client.send(request, stream=True)
        except httpx2.HTTPError as exc:
            await _bad_gateway(send, exc)
            return
        try:
            out_headers = [
                (k, v)
                for k, v in response.headers.raw
                if k.lower().decode("latin-1") not in HOP_BY_HOP
            ]
            await send(
                {"type": "http.response.start", "status": response.status_code,
                 "headers": out_headers}
            )  # fmt: skip
            session = _session_of(raw_headers) or _session_of(response.headers.raw)
            if recorder is not None and body and scope["method"] == "POST":
                recorder.message(CLIENT, body, session, at)
            await self._relay_body(response, receive, send, session)
        finally:
            await response.aclose()

    async def _relay_body(
        self, response: httpx2.Response, receive: Receive, send: Send, session: str | None
    ) -> None:
        """Upstream body → client, chunk by chunk, until it ends or the client goes away."""
        recorder = self.recorder
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        identity = response.headers.get("content-encoding", "identity") == "identity"
        record = identity and kind in ("text/event-stream", "application/json")
        stream = ("sse", next(_streams))
        copy: list[bytes] = []

        async def pump() -> None:
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                if record and recorder is not None:
                    if kind == "text/event-stream":
                        recorder.sse(stream, chunk, session)
                    else:
                        copy.append(chunk)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            tg.cancel_scope.cancel()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            tg.cancel_scope.cancel()

        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(pump)
                tg.start_soon(watch)
        except OSError as exc:  # the client's connection broke mid-body
            log.debug("tooltrail proxy: client gone: %r", exc)
        finally:
            if record and recorder is not None:
                if kind == "text/event-stream":
                    recorder.sse_end(stream)
                elif copy:
                    recorder.message(SERVER, b"".join(copy), session)


async def _bad_gateway(send: Send, exc: Exception) -> None:
    reason = f"tooltrail proxy: upstream unreachable: {type(exc).__name__}: {exc}"[:400]
    await send(
        {"type": "http.response.start", "status": 502,
         "headers": [(b"content-type", b"text/plain; charset=utf-8")]}
    )  # fmt: skip
    await send({"type": "http.response.body", "body": reason.encode()})
