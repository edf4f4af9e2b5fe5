"""The Emitter: records MCP calls as redacted, hash-chained events in a durable spool.

Guarantees (see docs/event-contract.md for the stream rules):

- an event is *recorded* once ``Spool.append`` returned: it survives the process being killed;
- auditing never raises into, and never blocks for long, the call it records: every failure is
  counted in ``stats()`` and logged;
- a stream is one spool directory: a restarted process resumes the chain where the spool ends, so
  a restart leaves no gap and a gap always means loss or deletion;
- every call leaves an event: a value with no canonical JSON form becomes a marker (``_encodable``);
- a clean exit leaves the head signed: a final checkpoint at close, at interpreter exit and
  (opt-in) on SIGTERM (``_lifecycle``), and one whenever the emitter goes idle;
- when the collector answers that the stream cannot go on (a fork: a restored spool, another
  writer), the pending events continue on a new stream that names the old one (``successor``).
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import os
import socket
import sys
import threading
import time
import urllib.parse
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Literal, ParamSpec, TypeVar

from tooltrail.contract import (
    GENESIS_HASH,
    Signer,
    canonicalize,
    checkpoint_body,
    signing_available,
)
from tooltrail.contract.jcs import has_c_encoder
from tooltrail.contract.streams import new_stream_id
from tooltrail.contract.wire import RECORD_CHECKPOINT, RECORD_EVENT, SIGNER_HEADER, encode_batch

from . import _lifecycle
from ._call import Actor, Call
from ._encodable import encodable_copy, repair
from ._fields import new_event
from ._site import CallSite, make_site, site_event
from .errors import EmitterError
from .redact import RedactionOptions
from .shipper import Shipper, validate_batching
from .spool import Spool
from .stages import Chainer, Fingerprint, Redact, Stage
from .successor import rechain
from .transport import HttpTransport, Transport, gzip_level_for

__all__ = ["Actor", "Call", "CallSite", "Emitter"]

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


#: at most this many fields of one event are repaired (each repair names one field)
_MAX_REPAIRS: Final = 8
#: seal by the compiled per-shape encoder first (``contract.seal_checked``: the same bytes, every
#: field checked in the same pass) when orjson is absent: then it takes 14 % fewer instructions
#: than sealing by the standard library's encoder and repairing; with orjson, whose C encoder
#: sorts and writes the whole event faster than a template can, sealing by it and the compiled
#: test of the caller's fields (``repair``) take 9 % fewer than the encoder (docs/emitter.md)
_CHECKED_FIRST: Final = not has_c_encoder()


def _events_url(url: str) -> str:
    """A collector base URL (``http://collector:8080``) gets the ingest path appended."""
    if urllib.parse.urlsplit(url).path in ("", "/"):
        return url.rstrip("/") + "/v1/events"
    return url


def _now_us() -> int:
    return time.time_ns() // 1000


class Emitter:
    """Records MCP calls. Configure explicitly; reads no environment variable.

    ``spool_dir`` holds the stream: its events until the collector took them, the chain head, and
    (by default, when ``cryptography`` is installed) the Ed25519 signing key ``signing.key``.

    Checkpoints (signed heads) are written every ``checkpoint_every`` events or
    ``checkpoint_interval`` seconds while events flow, once no event came for ``checkpoint_idle``
    seconds (0: never), on ``flush()`` and on ``close()`` — which runs by itself at interpreter
    exit (``atexit``) and, once ``close_on_sigterm()`` was called (``audit_server`` does), on
    SIGTERM. So the last events of a process that ends cleanly are always signed.

    Shipping (with ``collector_url`` or ``transport``): a background thread sends the spool in
    batches of at most ``batch_max_events`` events / ``batch_max_bytes`` bytes, at most one
    batch per ``flush_interval`` seconds (the linger, default 0.5 s) unless a batch is full, with
    one fsync per batch (group commit; see ``tooltrail.emitter.shipper``). The calling thread only
    redacts, fingerprints, chains and appends. Batches are gzipped unless ``compress`` says not
    to; by default (None) they are, except to a collector at a loopback address
    (``localhost``, ``127.0.0.1``, ``::1``), where gzip would only take CPU (~3 µs per event)
    from the process being audited. A bad setting is a ``ValueError`` naming it.
    """

    def __init__(
        self,
        *,
        source_name: str,
        spool_dir: str | os.PathLike[str],
        source_kind: Literal["server", "host"] = "server",
        source_version: str | None = None,
        hostname: str | None = None,
        collector_url: str | None = None,
        api_key: str | None = None,
        transport: Transport | None = None,
        signing_key: Signer | str | os.PathLike[str] | Literal["auto"] | None = "auto",
        fingerprint_key: bytes | None = None,
        capture_args: bool = False,
        args_max_bytes: int = 4096,
        redaction: RedactionOptions | None = None,
        checkpoint_every: int = 1000,
        checkpoint_interval: float = 10.0,
        checkpoint_idle: float = 2.0,
        batch_max_events: int = 500,
        batch_max_bytes: int = 1_000_000,
        flush_interval: float = 0.5,
        compress: bool | None = None,
        spool_max_bytes: int = 256 * 2**20,
        on_full: Literal["drop_newest", "drop_oldest"] = "drop_newest",
        clock: Callable[[], int] | None = None,
    ) -> None:
        validate_batching(
            batch_max_events, batch_max_bytes, flush_interval, records_setting="batch_max_events"
        )
        gzip_level = gzip_level_for(compress, collector_url if transport is None else None)
        source = {"kind": source_kind, "name": source_name}
        if source_version:
            source["version"] = source_version
        source["hostname"] = hostname or socket.gethostname()
        redact = Redact(redaction)
        self._source: dict[str, str] = redact.value(source)  # fixed: redacted once, not per event
        self._clock = clock or _now_us
        self._lock = threading.Lock()
        self._stats = {"recorded": 0, "dropped": 0, "errors": 0, "repaired": 0, "checkpoints": 0}
        self._redact = redact
        self._fingerprint = Fingerprint(
            fingerprint_key, capture=capture_args, max_bytes=args_max_bytes
        )
        self._pre: list[Stage] = [redact, self._fingerprint]
        self._checkpoint_every = checkpoint_every
        self._checkpoint_interval = checkpoint_interval
        self._checkpoint_idle = checkpoint_idle
        self._last_event = time.monotonic()
        self._closing = threading.Event()
        self._idle_thread: threading.Thread | None = None
        self._last_cp_seq = -1
        self._last_cp_time = time.monotonic()
        self._dir = Path(spool_dir)
        self._spool: Spool | None = None
        self._shipper: Shipper | None = None
        self.signer: Signer | None = None
        self._chain = Chainer(self._new_stream_id(self._source["name"]), 0, GENESIS_HASH)
        try:
            spool = self._open(spool_max_bytes, on_full, signing_key)
        except (OSError, EmitterError) as exc:
            # auditing must not take the server down: record nothing, say so loudly
            self._stats["errors"] += 1
            log.error("tooltrail: spool %s unusable, events will be lost: %s", self._dir, exc)
            return
        if transport is None and collector_url:
            headers = {SIGNER_HEADER: self.signer.public_key_b64} if self.signer else None
            transport = HttpTransport(_events_url(collector_url), api_key=api_key, headers=headers)
        self._spool = spool
        if transport is not None:
            self._shipper = Shipper(
                spool,
                transport,
                encode_batch,
                batch_max_records=batch_max_events,
                batch_max_bytes=batch_max_bytes,
                flush_interval=flush_interval,
                gzip_level=gzip_level,
                before_batch=self.checkpoint_if_due,
                on_new_stream=self._continue_on_new_stream,
            )
            self._shipper.start()
        _lifecycle.register(self)  # closed (final checkpoint) at interpreter exit
        if checkpoint_idle > 0:
            self._idle_thread = threading.Thread(
                target=_lifecycle.sign_when_idle,
                args=(weakref.ref(self), self._closing, checkpoint_idle),
                name="tooltrail-idle-checkpoint",
                daemon=True,
            )
            self._idle_thread.start()

    # -- set-up ------------------------------------------------------------------------------

    @staticmethod
    def _new_stream_id(source_name: str) -> str:
        return new_stream_id(source_name)

    def _continue_on_new_stream(self, old_stream: str, kept_through: int) -> None:
        """The collector kept this stream's events only up to ``kept_through``: re-chain every
        pending record onto a new stream that names this one (``successor``); raises if the
        spool cannot be rewritten (the shipper retries)."""
        spool = self._spool
        if spool is None:
            return
        with self._lock:
            if self._chain.stream_id != old_stream:
                return  # moved on already
            start = spool.ack_position()
            pending = spool.read_batch(sys.maxsize, sys.maxsize)
            new_id = new_stream_id(self._source["name"])
            records, seq, last = rechain(
                pending.records if pending else (), old_stream, kept_through, new_id
            )
            spool.replace_pending(start, records)
            self._chain = Chainer(new_id, seq, last)
            self._last_cp_seq = -1
        log.warning("tooltrail: stream %s continues as %s (%d events)", old_stream, new_id, seq)

    def _open(
        self, max_bytes: int, on_full: Literal["drop_newest", "drop_oldest"], key: Any
    ) -> Spool:
        self._dir.mkdir(parents=True, exist_ok=True)
        # the spool holds an exclusive lock on the directory: one emitter per stream
        spool = Spool(self._dir, max_bytes=max_bytes, on_full=on_full)
        self._resume(spool.last_record())
        if key == "auto":
            key = self._dir / "signing.key" if signing_available() else None
        if isinstance(key, Signer):
            self.signer = key
        elif key is not None:
            created = not Path(key).exists()
            self.signer = Signer.load_or_create(key)
            if created:  # said once, where the key is born: how the collector comes to trust it
                log.warning(
                    "tooltrail: created checkpoint signing key %s (key id %s). Trust it on the "
                    "collector: tooltrail keys add-signer --source %s %s",
                    key,
                    self.signer.key_id,
                    self._source["name"],
                    self.signer.public_key_b64,
                )
        return spool

    def _resume(self, last: bytes | None) -> None:
        """Continue the stream whose newest record (event or checkpoint) is ``last``."""
        if not last:
            return
        head = json.loads(last[1:])
        self._chain = Chainer(head["stream_id"], head["seq"] + 1, head["hash"])
        if last[:1] == RECORD_CHECKPOINT:
            self._last_cp_seq = head["seq"]

    # -- recording ---------------------------------------------------------------------------

    @property
    def stream_id(self) -> str:
        return self._chain.stream_id

    def record(
        self,
        method: str = "tools/call",
        *,
        tool: str | None = None,
        args: Any = None,
        actor: Actor | None = None,
        **fields: Any,
    ) -> Call:
        """A context manager that records one call when it exits (see ``Call``).

        Keyword fields: ``resource_uri``, ``prompt``, ``session_id``, ``request_id``,
        ``trace_id``, ``span_id``, ``transport`` (the MCP transport: ``stdio``,
        ``streamable-http``, ``sse``, …; it also sets OpenTelemetry's ``network.transport`` and
        ``network.protocol.name``), ``network_transport``, ``protocol_name``, ``server_address``
        (a ``host:port`` is split into ``server.address`` and ``server.port``), ``server_port``,
        ``protocol_version``, ``tool_call_id``, ``tools_hash``, ``error_type``, ``attrs``.
        A ``tools/call`` carries ``gen_ai.operation.name = execute_tool``.
        """
        ev = new_event(self._clock(), self._source, method, tool, args, actor, fields)
        return Call(self, ev)

    def site(
        self,
        method: str = "tools/call",
        *,
        tool: str | None = None,
        actor: Actor | None = None,
        **fields: Any,
    ) -> CallSite | None:
        """The fields every call of one call site shares (``record()``'s), redacted and checked
        once, for :meth:`record_at`; None when they need a repair (then use ``record()``).
        What the MCP hooks use: keep one per set of shared fields (``_site``)."""
        return make_site(self, self._source, self._redact, method, tool, actor, fields)

    def record_at(self, site: CallSite, *, args: Any = None, **fields: Any) -> Call:
        """``record()`` of a call of ``site`` with these arguments and fields of its own (none
        the site sets): the same event, with the site's fields not redacted or tested again."""
        if not site.made_by(self):
            raise ValueError("record_at(): the site was made by another emitter")
        return Call(self, site_event(site, self._clock(), args, fields), site)

    def audited(
        self, tool: str | None = None, **fields: Any
    ) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Decorator: record every call of a (sync or async) function as a ``tools/call``."""

        def wrap(fn: Callable[P, R]) -> Callable[P, R]:
            name = tool or fn.__name__
            if inspect.iscoroutinefunction(fn):

                @functools.wraps(fn)
                async def run_async(*a: P.args, **kw: P.kwargs) -> Any:
                    async with self.record("tools/call", tool=name, args=kw or None, **fields) as c:
                        result = await fn(*a, **kw)
                        c.set_result(result)
                        return result

                return run_async  # type: ignore[return-value]

            @functools.wraps(fn)
            def run(*a: P.args, **kw: P.kwargs) -> R:
                with self.record("tools/call", tool=name, args=kw or None, **fields) as c:
                    result = fn(*a, **kw)
                    c.set_result(result)
                    return result

            return run

        return wrap

    def emit(self, event: dict[str, Any], site: CallSite | None = None) -> bool:
        """Run the stages over a finished event (of ``site``: see :meth:`record_at`) and spool
        it. Never raises; True if recorded."""
        try:
            event = self._staged(event, site)
            spool = self._spool
            if spool is None:
                raise EmitterError("no spool")
            with self._lock:
                record = self._sealed(event, site)
                if not spool.append(RECORD_EVENT + record):
                    self._stats["dropped"] += 1
                    return False
                self._chain.commit(event)
                self._last_event = time.monotonic()
                self._stats["recorded"] += 1
                due = event["seq"] - self._last_cp_seq >= self._checkpoint_every
            if self._shipper is not None:
                self._shipper.wake(len(record) + 2)
            elif due:
                self.checkpoint()
            return True
        except Exception as exc:  # auditing never breaks the audited call
            self._stats["errors"] += 1
            if self._stats["errors"] <= 10 or self._stats["errors"] % 1000 == 0:
                log.error("tooltrail: could not record an event: %r", exc)
        return False

    def _staged(self, event: dict[str, Any], site: CallSite | None) -> dict[str, Any]:
        """The stages over ``event``; when they fail on a caller's value (no canonical form,
        nesting too deep), over a copy whose unencodable values are markers (_encodable.py)."""
        original = dict(event)
        try:
            if site is not None:
                return self._fingerprint(self._redact.at(event, site))
            for stage in self._pre:
                event = stage(event)
            return event
        except Exception as exc:
            self._stats["repaired"] += 1
            log.warning(
                "tooltrail: a value of a %s call has no JSON form: %r",
                event.get("mcp.method.name"),
                exc,
            )
            event = encodable_copy(original)
            if site is not None:
                return self._fingerprint(self._redact.at(event, site))
            for stage in self._pre:
                event = stage(event)
            return event

    def _sealed(self, event: dict[str, Any], site: CallSite | None = None) -> bytes:
        """Link ``event`` into the chain (not advancing it) as an event the contract accepts:
        a field that breaks its rule is repaired (noted in ``attrs``) and the event sealed
        again; once anything was repaired, every field is tested again (not only those the
        ``site`` does not hold). Called under the lock."""
        if _CHECKED_FIRST:
            record = self._chain.link_checked(event)
            if record is not None:  # every field passed its check: nothing to repair
                return record
        try:
            record = self._chain.link(event)
        except Exception:  # a caller's value (attrs, a string field) has no canonical form
            self._stats["repaired"] += 1
            event.update(encodable_copy(event))
            site = None
            record = self._chain.link(event)
        for _ in range(_MAX_REPAIRS):
            if not repair(event, site):
                return record
            self._stats["repaired"] += 1
            site = None
            record = self._chain.link(event)
        return record

    # -- checkpoints, flushing ---------------------------------------------------------------

    def checkpoint_if_due(self) -> None:
        """Called by the shipper before each batch: sign the head every N events or T seconds."""
        with self._lock:
            head = self._chain.next_seq - 1
        if head <= self._last_cp_seq:
            return
        elapsed = time.monotonic() - self._last_cp_time
        if (
            head - self._last_cp_seq >= self._checkpoint_every
            or elapsed >= self._checkpoint_interval
        ):
            self.checkpoint()

    def checkpoint(self) -> dict[str, Any] | None:
        """Write a checkpoint of the current head into the spool now (signed when possible)."""
        try:
            with self._lock:
                seq, head = self._chain.next_seq - 1, self._chain.last_hash
            if seq < 0 or seq <= self._last_cp_seq or self._spool is None:
                return None
            cp = checkpoint_body(self._chain.stream_id, seq, head, self._clock())
            if self.signer is not None:
                self.signer.sign(cp)
            with self._lock:
                if not self._spool.append(RECORD_CHECKPOINT + canonicalize(cp)):
                    return None
                self._last_cp_seq = max(self._last_cp_seq, seq)
            self._last_cp_time = time.monotonic()
            self._stats["checkpoints"] += 1
            return cp
        except Exception as exc:
            self._stats["errors"] += 1
            log.error("tooltrail: could not write a checkpoint: %r", exc)
            return None

    def flush(self, timeout: float = 5.0) -> bool:
        """Checkpoint the head and wait until the collector acknowledged everything recorded."""
        self.checkpoint()
        if self._shipper is None:
            if self._spool is not None:
                self._spool.sync()
            return self._spool is not None
        return self._shipper.flush(timeout)

    def _sign_if_idle(self, idle: float) -> float:
        """Sign the head if no event came for ``idle`` seconds; the seconds to wait before
        looking again."""
        wait = self._last_event + idle - time.monotonic()
        if wait > 0:
            return wait
        unsigned = self._chain.next_seq - 1 > self._last_cp_seq
        if unsigned and self.checkpoint() is not None and self._shipper is not None:
            self._shipper.wake()
        return idle  # nothing new since: look again an interval later

    def close(self, timeout: float = 5.0) -> None:
        """Checkpoint, ship what can be shipped within ``timeout``, release the spool.

        Idempotent; called by itself at interpreter exit (see ``_lifecycle``)."""
        if self._closing.is_set():
            return
        self._closing.set()
        _lifecycle.unregister(self)
        try:
            self.checkpoint()
            if self._shipper is not None:
                self._shipper.close(timeout)
            if self._spool is not None:
                self._spool.sync()
                self._spool.close()
        except Exception as exc:
            log.error("tooltrail: error while closing the emitter: %r", exc)
        finally:
            self._spool = None

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self._stats)
        out["stream_id"] = self._chain.stream_id
        out["next_seq"] = self._chain.next_seq
        if self._spool is not None:
            out["spool"] = self._spool.stats()
        if self._shipper is not None:
            out["shipper"] = self._shipper.stats()
        return out

    def __enter__(self) -> Emitter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
