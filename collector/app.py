"""The collector's HTTP face: ``create_app(settings, sink, heads, keys) -> FastAPI``.

``POST /v1/events`` runs, in this order: auth (401/403 later) → rate limit (429) → body size
(413) → decode and validate (400/413/415/422) → the key's source and streams (403) → the group
commit (:mod:`~tooltrail.collector.commit`): with the requests that arrived meanwhile, verify
against the head (resent events proven identical are dropped; what continues the chain is one
segment, what does not is a quarantine segment with findings) → ``sink.deliver`` of the group's
segments (503 for every request of the group when it cannot hold them; nothing advances) →
``heads.put_many`` (only what continued the chain moves a head) → 202, or 409 with findings when
something was quarantined. The 409 says what the emitter must do (``action``: ``new_stream``
when some of its events were not kept, ``continue`` when only checkpoints were refused) and up
to which seq its events are in the stream (``kept_through``). The head is revealed only to keys
of the source that owns the stream. Decoding and validation run in the app's two ingest threads,
the verification and the blocking sink in the committer's thread, off the event loop: a request
leaves the loop once and its verdict (or error) comes back on the same future.

``GET /healthz`` (process up), ``GET /readyz`` (the sink can take segments), ``GET /metrics``
(Prometheus, this app's own registry), ``GET /openapi.json`` and ``/docs``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import math
import threading
import time
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Final

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from tooltrail import __version__
from tooltrail.broker.errors import BrokerUnavailable
from tooltrail.contract import ContractError, Finding, load_public_keys, verify_checkpoint
from tooltrail.contract.wire import SIGNER_HEADER

from . import ingest
from .auth import KeyStore, Principal
from .commit import GroupCommit
from .errors import InvalidField, Malformed, RateLimited, Rejected, TooLarge
from .heads import HeadStore
from .metrics import CONTENT_TYPE, Metrics
from .openapi import ROUTE_DOCS, Status
from .ratelimit import RateLimiter
from .settings import Settings
from .sinks.base import Sink

__all__ = ["create_app"]

log = logging.getLogger(__name__)

#: threads that decode, validate and authorize requests off the event loop: with the GIL more
#: would not parse faster; two keep a gzip inflate (which releases it) from holding the rest
INGEST_THREADS: Final = 2


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


def _error_body(exc: Rejected) -> dict[str, Any]:
    body: dict[str, Any] = {"error": exc.reason, "message": exc.message}
    if isinstance(exc, InvalidField):
        if exc.what == "event":
            body["index"] = exc.index
        else:
            body["index"] = None
            body[exc.what] = exc.index
        body["field"] = exc.field
        body["rule"] = exc.rule
    return body


class _Ingest:
    """Everything after auth and the door's rate check up to the group commit; runs in a worker
    thread."""

    def __init__(
        self,
        settings: Settings,
        commit: GroupCommit,
        limiter: RateLimiter,
        keys: KeyStore | None = None,
    ) -> None:
        self.settings = settings
        self.keys = keys
        self.commit = commit
        self.limiter = limiter
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self.limits = ingest.Limits(
            max_decompressed_bytes=settings.max_decompressed_bytes,
            max_batch_events=settings.max_batch_events,
            max_batch_checkpoints=settings.max_batch_checkpoints,
            max_event_bytes=settings.max_event_bytes,
        )

    def submit(
        self,
        principal: Principal,
        body: bytes,
        encoding: str | None,
        signer: str | None = None,
    ) -> Future[ingest.Verdict]:
        """Hand the request to an ingest thread; the future holds its verdict once its group is
        committed, or the error that refused it (the request's only hop off the event loop)."""
        out: Future[ingest.Verdict] = Future()
        with self._lock:
            if self._pool is None:  # started by the first request after each (re)start
                self._pool = ThreadPoolExecutor(INGEST_THREADS, "tooltrail-ingest")
            self._pool.submit(self._process_into, out, principal, body, encoding, signer)
        return out

    def close(self) -> None:
        """Let the requests taken in reach the group commit; the next request starts anew."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown()

    def _process_into(
        self,
        out: Future[ingest.Verdict],
        principal: Principal,
        body: bytes,
        encoding: str | None,
        signer: str | None,
    ) -> None:
        if out.cancelled():  # the client left while the request was queued
            return
        try:
            self.process(principal, body, encoding, signer, out)
        except BaseException as exc:  # the request's own error (4xx, 503, or a bug: 500)
            if not out.done():
                out.set_exception(exc)

    def process(
        self,
        principal: Principal,
        body: bytes,
        encoding: str | None,
        signer: str | None = None,
        out: Future[ingest.Verdict] | None = None,
    ) -> Future[ingest.Verdict]:
        """Decode, validate and authorize; the verdict (in ``out`` when given) once the batch's
        group is committed."""
        try:
            raw = ingest.decompress(body, encoding, self.settings.max_decompressed_bytes)
            batch = ingest.parse_batch(raw, self.limits)
        except (Malformed, TooLarge, InvalidField):
            self.limiter.take(principal.source, 1)  # bad input costs a token too
            raise
        self.limiter.take(principal.source, len(batch.events))
        if batch.stream_id is None:  # an empty batch: nothing to do
            done: Future[ingest.Verdict] = Future() if out is None else out
            done.set_result(ingest.Verdict(None, None, None, None, 0, 0, 0, 0, 0, (), -1, True))
            return done
        principal.authorize(batch.stream_id, batch.sources)
        if signer is not None and not principal.public_keys and self.settings.trust_first_signer:
            principal = self._trust_first(principal, signer, batch)
        return self.commit.submit(batch, principal, out)

    def _trust_first(self, principal: Principal, signer: str, batch: ingest.Batch) -> Principal:
        """Trust-on-first-use (``trust_first_signer``, opt-in): a source with no registered signer
        adopts the key that signs its first checkpoint, once that signature verifies."""
        try:
            (key_id, raw), *_ = load_public_keys([signer]).items()
            signed = [cp for cp in batch.checkpoints if cp.get("key_id") == key_id]
            for cp in signed:
                verify_checkpoint(cp, {key_id: raw})
        except (ContractError, ValueError):
            return principal  # not a usable key: the batch is judged without it
        if not signed or self.keys is None:
            return principal
        self.keys.add_signer(principal.source, signer)
        log.warning(
            "trusting signer %s for source %r on first use (trust_first_signer)",
            key_id,
            principal.source,
        )
        return dataclasses.replace(principal, public_keys={key_id: raw})


def _signer_hint(findings: Sequence[Finding], source: str, signer: str | None) -> str | None:
    """How to fix a checkpoint signed by a key the source does not trust: the exact command."""
    unknown = [f for f in findings if f.cls == "bad_checkpoint" and "unknown key" in f.detail]
    if not unknown:
        return None
    key = signer or "<the emitter's public key: it logs it when it creates signing.key>"
    return (
        f"if this emitter is yours, trust its key: tooltrail keys add-signer --source {source} "
        + key
    )


def create_app(
    settings: Settings,
    sink: Sink,
    heads: HeadStore,
    keys: KeyStore,
    *,
    limiter: RateLimiter | None = None,
    close_on_shutdown: bool = False,
) -> FastAPI:
    """The collector app; with ``close_on_shutdown`` it closes ``sink`` and ``heads`` when the
    server stops (otherwise that is the caller's job)."""
    metrics = Metrics()
    limiter = limiter or RateLimiter(settings.rate_events_per_second, settings.rate_burst_events)
    commit = GroupCommit(
        sink,
        heads,
        metrics,
        refresh_timeout=settings.heads_refresh_timeout,
        retry_after=settings.retry_after_seconds,
    )
    service = _Ingest(settings, commit, limiter, keys)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        commit.open()
        yield
        await run_in_threadpool(service.close)  # requests taken in reach the commit
        await run_in_threadpool(commit.close)  # what is queued is committed first
        if close_on_shutdown:
            await run_in_threadpool(heads.close)
            await run_in_threadpool(sink.close)

    app = FastAPI(
        title="tooltrail collector",
        version=__version__,
        description="Authenticated, rate-limited, chain-verifying ingest of tooltrail events "
        "(docs/event-contract.md, section 6).",
        lifespan=lifespan,
    )
    app.state.metrics = metrics
    app.state.limiter = limiter
    app.state.commit = commit

    async def on_rejected(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Rejected)
        metrics.rejected.labels(exc.reason).inc()
        metrics.batches.labels(str(exc.status)).inc()
        headers: dict[str, str] = {}
        if exc.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return _json(exc.status, _error_body(exc), headers)

    async def on_unavailable(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BrokerUnavailable)  # SinkUnavailable is one
        log.warning("sink unavailable: %s", exc)
        metrics.rejected.labels("unavailable").inc()
        metrics.batches.labels("503").inc()
        retry = str(max(1, math.ceil(exc.retry_after or settings.retry_after_seconds)))
        body = {"error": "unavailable", "message": f"cannot store the batch now: {exc}"}
        return _json(503, body, {"Retry-After": retry})

    async def on_bug(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return _json(500, {"error": "internal", "message": "internal error (logged)"})

    app.add_exception_handler(Rejected, on_rejected)
    app.add_exception_handler(BrokerUnavailable, on_unavailable)
    app.add_exception_handler(Exception, on_bug)

    max_body = settings.max_body_bytes

    async def read_body(request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                raise Malformed(f"Content-Length {length!r} is not a number")
            if int(length) > max_body:
                raise TooLarge(f"body is {length} bytes; the limit is {max_body}")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body:
                raise TooLarge(f"body is over the limit of {max_body} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    @app.post("/v1/events", **ROUTE_DOCS)
    async def post_events(request: Request) -> Response:
        started = time.perf_counter()
        try:
            principal = keys.authenticate(request.headers.get("authorization"))
            try:
                limiter.check(principal.source)
            except RateLimited:
                metrics.rate_limited.labels(principal.source).inc()
                raise
            body = await read_body(request)
            encoding = request.headers.get("content-encoding")
            signer = request.headers.get(SIGNER_HEADER)
            try:
                verdict = await asyncio.wrap_future(
                    service.submit(principal, body, encoding, signer)
                )
            except RateLimited:
                metrics.rate_limited.labels(principal.source).inc()
                raise
            return _answer(verdict, principal.source, signer)
        finally:
            metrics.request_seconds.observe(time.perf_counter() - started)

    def _answer(v: ingest.Verdict, source: str, signer: str | None = None) -> Response:
        if v.accepted:
            metrics.accepted.labels(source).inc(v.accepted)
        if v.duplicates:
            metrics.duplicates.labels(source).inc(v.duplicates)
        if v.quarantined:
            metrics.quarantined.labels(source).inc(v.quarantined)
        if v.unsigned_checkpoints:
            metrics.unsigned_checkpoints.labels(source).inc(v.unsigned_checkpoints)
        head = v.head if v.own else None  # only the stream's own source may see its head
        body: dict[str, Any] = {
            "accepted": v.accepted,
            "duplicates": v.duplicates,
            "checkpoints": v.checkpoints,
            "stream_id": v.stream_id,
            "head": {"seq": head.seq, "hash": head.hash} if head is not None else None,
        }
        if not v.findings:
            metrics.batches.labels("202").inc()
            return _json(202, body)
        for f in v.findings:
            metrics.findings.labels(f.cls).inc()
        metrics.batches.labels("409").inc()
        first = v.findings[0]
        hint = _signer_hint(v.findings, source, signer)
        if hint:
            body["hint"] = hint
        log.warning(
            "integrity: %s at %s#%d (key of %s; %d events quarantined): %s",
            first.cls,
            v.stream_id,
            first.seq,
            source,
            v.quarantined,
            first.detail,
        )
        return _json(
            409,
            {
                "error": "chain_broken",
                "message": f"{first.cls} at seq {first.seq}: {first.detail}"
                + (f" — {hint}" if hint else ""),
                "findings": [f.to_json() for f in v.findings],
                "stored_as_evidence": True,
                "quarantined": v.quarantined,
                "kept_through": v.kept_through,
                "action": v.action,
                **body,
            },
        )

    @app.get("/healthz", tags=["ops"], summary="The process is up", response_model=Status)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["ops"],
        summary="The sink (Kafka) can take segments",
        response_model=Status,
        responses={503: {"model": Status, "description": "the sink is not reachable"}},
    )
    async def readyz() -> Response:
        try:
            ready = await run_in_threadpool(sink.ready)
        except Exception:
            log.exception("sink readiness check failed")
            ready = False
        if ready:
            return _json(200, {"status": "ready"})
        retry = str(settings.retry_after_seconds)
        return _json(503, {"status": "unavailable"}, {"Retry-After": retry})

    @app.get(
        "/metrics", tags=["ops"], summary="Prometheus metrics", response_class=PlainTextResponse
    )
    async def prometheus() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    return app
