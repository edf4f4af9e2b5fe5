"""The emitter's stages: plain callables ``(event) -> event`` run in order by the emitter.

``redact → fingerprint → chain → spool``. An event in progress is a dict of contract fields plus
private keys starting with ``_`` (``_args``: the raw arguments) that stages consume. No stage
drops an event: every audited call leaves one (a value that cannot be encoded becomes a marker,
``_encodable.py``); a stage that fails is an error the emitter counts and logs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from tooltrail.contract import (
    CanonicalizationError,
    EventInvalid,
    Fingerprinter,
    canonicalize,
    seal,
    seal_checked,
)
from tooltrail.contract.jcs import canonicalize_plain

from .redact import RedactionOptions, Redactor
from .resources import RESOURCE_ATTR, resource_of
from .statements import EFFECT_ATTR, effect_of

if TYPE_CHECKING:
    from ._site import CallSite

__all__ = ["Chainer", "Fingerprint", "Redact", "Stage", "json_size"]

Stage = Callable[[dict[str, Any]], dict[str, Any]]

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode

#: fields the emitter generates itself (ids, hashes, times, counts, its own verdicts) and the
#: stage's own outputs: never scanned. Every other field came from the caller and is scanned.
_GENERATED = frozenset(
    {
        "v", "event_id", "ts", "seq", "stream_id", "prev_hash", "hash", "outcome", "duration_us",
        "args_bytes", "result_bytes", "args_fingerprint", "args", "args_truncated", "redactions",
        "source",
    }
)  # fmt: skip
#: ids and hashes the caller may pass on: skipped only when they have their hex shape
_HEX_IDS = frozenset({"trace_id", "span_id", "tooltrail.tools.hash", "mcp.tools.hash"})
_HEX_ID = re.compile(r"[0-9a-f]{16,64}").fullmatch
#: a JSON-RPC request id is skipped when it is a short decimal number (the SDKs count them
#: up): at most 11 digits, shorter than any secret the rules know (card numbers start at 12).
#: Scanned, each new id would cost a full scan and push a known-clean string out of the cache.
_COUNTER = "jsonrpc.request.id"
_COUNTER_MAX = 11
_CONTAINERS = frozenset({dict, list, tuple})


def canonical_args(args: dict[str, Any]) -> bytes:
    """Canonical bytes of call arguments; values JSON cannot hold are coerced to strings."""
    try:
        return canonicalize(args)
    except EventInvalid:
        return canonicalize(json.loads(_dumps(args)))


try:  # optional: the same compact bytes for what JSON holds, ~5x faster
    import orjson

    _orjson_dumps: Callable[..., bytes] | None = orjson.dumps
    _ORJSON_OPTS = orjson.OPT_NON_STR_KEYS
except ImportError:  # pragma: no cover - stdlib-only installs
    _orjson_dumps = None
    _ORJSON_OPTS = 0


def json_size(value: Any) -> int:
    """Size in bytes of ``value`` as compact JSON (what travels on the wire)."""
    if _orjson_dumps is not None:
        try:
            return len(_orjson_dumps(value, default=str, option=_ORJSON_OPTS))
        except TypeError:
            pass  # a lone surrogate, an integer past 64 bits: the standard library's way
    try:
        return len(_dumps(value).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError):
        return len(str(value).encode("utf-8", "surrogatepass"))


def _scannable(shape: tuple[str, ...]) -> tuple[str, ...]:
    """The fields of an event with these field names that came from the caller."""
    return tuple(n for n in shape if n not in _GENERATED and n[:1] != "_")


def _decimal(text: str) -> bool:
    return text.isascii() and text.isdigit()


class Redact:
    """Scrub secrets from the raw arguments and from every caller-supplied field, counting them.

    Scanned: every field not in ``_GENERATED`` (strings, and dicts/lists such as ``actor`` and
    ``attrs``, keys included), whatever its name, so a field added to the contract is covered
    without a change here. ``source`` is fixed per emitter: redact it once with :meth:`value`.
    """

    __slots__ = ("_clean", "_last", "_redactor", "_shapes")

    def __init__(self, options: RedactionOptions | None = None) -> None:
        self._redactor = Redactor(options)
        self._clean = self._redactor.clean  # the redactor's cache of clean strings (one dict)
        #: an event's field names, in order -> the ones to scan (events of a call site repeat)
        self._shapes: dict[tuple[str, ...], tuple[str, ...]] = {}
        #: field -> (its last object of strings, redacted, redactions): ``actor`` and the
        #: hints in ``attrs`` repeat call after call; an equal object is not scanned again
        self._last: dict[str, tuple[dict[str, str], dict[str, Any], dict[str, int]]] = {}

    def value(self, value: Any) -> Any:
        """A redacted copy of ``value`` (for what the emitter sets once, such as ``source``)."""
        return self._redactor.redact_value(value, {})

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        return self.at(event, None)

    def at(self, event: dict[str, Any], site: CallSite | None) -> dict[str, Any]:
        """The stage over an event of ``site`` (``_site``): its shared fields were redacted when
        the site was made; the rest are scanned, and the site's counts are added."""
        counts: dict[str, int] = {} if site is None or not site.counts else dict(site.counts)
        redactor = self._redactor
        raw = event.get("_args")
        if raw is not None:
            if not isinstance(raw, dict):
                raw = {"_": raw}
            found: dict[str, int] = {}
            event["_args"], plain = redactor.redact_args(raw, found)
            if plain:  # flat and plain: the C encoder's bytes are canonical, no check needed
                try:
                    body = canonicalize_plain(raw)
                except CanonicalizationError:  # a lone surrogate: the general way
                    body = canonical_args(raw)
            else:
                body = canonical_args(raw)
            event["args_bytes"] = len(body)
            if found:
                for typ, n in found.items():
                    counts[typ] = counts.get(typ, 0) + n
            else:  # nothing redacted: the fingerprint stage can reuse the bytes
                event["_args_body"] = body
        shape = tuple(event)
        if site is None:
            names = self._shapes.get(shape)
            if names is None:
                names = self._scanned(shape)
        else:
            names = site.scans.get(shape)
            if names is None:
                static = site.static
                scan = tuple(n for n in _scannable(shape) if n not in static)
                names = site.remember(site.scans, shape, scan)
        clean = self._clean
        for name in names:
            value = event[name]
            kind = type(value)
            if kind is str:
                if value in clean or (name in _HEX_IDS and _HEX_ID(value)):
                    continue  # known clean (names, methods, ids seen before), or an id
                if name == _COUNTER and len(value) <= _COUNTER_MAX and _decimal(value):
                    continue
                out = redactor.redact_str(value, counts)
                if out is not value:
                    event[name] = out
            elif kind is dict:
                event[name] = self._names(name, value, counts)
            elif kind in _CONTAINERS or isinstance(value, str):  # a str subclass: as a str
                event[name] = redactor.redact_value(value, counts)
        if counts:
            event["redactions"] = counts
        return event

    def _scanned(self, shape: tuple[str, ...]) -> tuple[str, ...]:
        """The fields of an event with these field names that are scanned (remembered)."""
        names = _scannable(shape)
        if len(self._shapes) >= 256:
            self._shapes.clear()
        self._shapes[shape] = names
        return names

    def _names(self, name: str, value: dict[Any, Any], counts: dict[str, int]) -> dict[str, Any]:
        """``redact_value`` of an object field; the last one made of strings only (keys and
        values) is remembered: an object equal to it holds the same strings, since nothing but
        a string equals a string."""
        last = self._last.get(name)
        if last is not None and last[0] == value:
            out, found = last[1], last[2]
        else:
            found = {}
            out = cast("dict[str, Any]", self._redactor.redact_value(value, found))
            if all(type(k) is str and type(v) is str for k, v in value.items()):
                self._last[name] = (dict(value), out, found)
        for typ, n in found.items():
            counts[typ] = counts.get(typ, 0) + n
        return dict(out)


class Fingerprint:
    """HMAC-SHA256 of the canonical (redacted) arguments; optionally keep them, size-capped.
    With a key, the resource the arguments name (:mod:`.resources`) is fingerprinted too, into
    ``attrs["tooltrail.resource"]``, when the event names no ``mcp.resource.uri``. The effect of
    a SQL statement the arguments carry (:mod:`.statements`) goes into
    ``attrs["tooltrail.call.effect"]``, key or not."""

    __slots__ = ("_capture", "_key", "_max_bytes", "_resources")

    def __init__(self, key: bytes | None, *, capture: bool = False, max_bytes: int = 4096) -> None:
        self._key = Fingerprinter(key) if key is not None else None
        self._capture = capture
        self._max_bytes = max_bytes
        self._resources: dict[str, str] = {}  # "kind:value" -> its attr (resources repeat)

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        args = event.pop("_args", None)
        body = event.pop("_args_body", None)
        if args is None:
            return event
        if not isinstance(args, dict):
            args = {"_": args}
        if body is None:
            body = canonical_args(args)
        if self._key is not None:
            event["args_fingerprint"] = self._key(body)
            if "mcp.resource.uri" not in event and (found := resource_of(args)) is not None:
                event["attrs"] = {**event.get("attrs", {}), RESOURCE_ATTR: self._resource(*found)}
        if (effect := effect_of(args)) is not None:
            event["attrs"] = {**event.get("attrs", {}), EFFECT_ATTR: effect}
        if self._capture:
            if len(body) <= self._max_bytes:
                event["args"] = json.loads(body)
            else:
                event["args_truncated"] = True
        return event

    def _resource(self, kind: str, value: str) -> str:
        """``kind:<first 32 hex digits of HMAC(kind:value)>``, remembered (at most 4,096)."""
        name = f"{kind}:{value}"
        attr = self._resources.get(name)
        if attr is None:
            assert self._key is not None
            attr = f"{kind}:{self._key(name.encode())[:32]}"
            if len(self._resources) >= 4096:
                self._resources.clear()
            self._resources[name] = attr
        return attr


class Chainer:
    """Link events of one stream: seq, prev_hash, hash. Not thread-safe: the emitter locks.

    ``link`` returns the sealed bytes without advancing; ``commit`` advances the head once the
    next stage (the spool) holds the event, so a dropped event never leaves a gap.
    """

    __slots__ = ("last_hash", "next_seq", "stream_id")

    def __init__(self, stream_id: str, next_seq: int, last_hash: str) -> None:
        self.stream_id = stream_id
        self.next_seq = next_seq
        self.last_hash = last_hash

    def link(self, event: dict[str, Any]) -> bytes:
        return seal(event, self.stream_id, self.next_seq, self.last_hash)

    def link_checked(self, event: dict[str, Any]) -> bytes | None:
        """``link`` when every field passes its contract check as it is (one compiled pass per
        event shape: ``contract.seal_checked``), else None: then ``link`` and the repairs."""
        return seal_checked(event, self.stream_id, self.next_seq, self.last_hash)

    def commit(self, event: dict[str, Any]) -> None:
        self.next_seq = event["seq"] + 1
        self.last_hash = event["hash"]
