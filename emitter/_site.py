"""Call sites: the fields every event of one call site shares, built, redacted and checked once.

A hook records call after call with the same method, tool, actor, transport, protocol version,
session, tools hash and hints; only the arguments, the request and trace ids and the outcome
change. ``Emitter.site`` builds those shared fields once (``new_event``'s path), runs the
redaction stage over them (counting what it found) and the caller-field test of ``repair``; each
``Emitter.record_at`` then starts from a copy of that result and sets the call's own fields, and
the stages scan and test only the fields the site does not hold.

Guarantee: the event is byte for byte the one ``Emitter.record`` with the same fields would
give. Redaction of a string or an object of strings depends on nothing but the value, so the
shared fields redact to the same values and counts on every call; the site's counts are added
to each event's ``redactions``. The shared objects are never changed in place (every stage
replaces a field it alters). A site whose fields need a repair (``_encodable.repair``) is not
made (``Emitter.site`` answers None: the caller records the general way), and a call whose
shared fields are set again (``Call.set_fields``) gets their raw values back and takes the
general path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from ._encodable import encodable_copy, repair
from ._fields import new_event, set_fields, uuid7

if TYPE_CHECKING:
    from ._call import Actor
    from .stages import Redact

__all__ = ["CallSite", "make_site", "site_event"]

#: shapes (field names in order) remembered per site, for the scan and the caller-field test
MAX_SHAPES: Final = 64


class CallSite:
    """What ``Emitter.site`` made: the shared fields, raw and redacted, and what redaction found.

    Opaque to callers: pass it to ``Emitter.record_at`` of the emitter that made it."""

    __slots__ = ("_owner", "base", "counts", "keywords", "raw", "scans", "static", "tests")

    def __init__(
        self,
        owner: object,
        raw: dict[str, Any],
        base: dict[str, Any],
        counts: dict[str, int],
        keywords: frozenset[str],
    ) -> None:
        self._owner = owner
        #: the shared fields redaction changed, as the caller gave them (``Call.set_fields``
        #: restores them: the general path then redacts them with the rest)
        self.raw = {name: value for name, value in raw.items() if base[name] is not value}
        #: the shared fields redacted: each event starts from a copy
        self.base = base
        #: what redaction found in them (added to each event's ``redactions``)
        self.counts = counts
        #: the ``record()`` keywords the site holds (a call may not set them again)
        self.keywords = keywords
        self.static: frozenset[str] = frozenset(base)
        #: per event shape: the fields to scan, and the caller-field test of the rest
        self.scans: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.tests: dict[tuple[str, ...], Callable[[dict[str, Any]], bool]] = {}

    def made_by(self, owner: object) -> bool:
        return self._owner is owner

    def remember(self, cache: dict[tuple[str, ...], Any], shape: tuple[str, ...], v: Any) -> Any:
        """Keep ``v`` for ``shape`` in one of the site's caches (at most :data:`MAX_SHAPES`)."""
        if len(cache) >= MAX_SHAPES:
            cache.clear()
        cache[shape] = v
        return v


def make_site(
    owner: object,
    source: dict[str, str],
    redact: Redact,
    method: str,
    tool: str | None,
    actor: Actor | None,
    fields: dict[str, Any],
) -> CallSite | None:
    """``Emitter.site``: None when the shared fields need a repair (or a lone surrogate's fix)."""
    raw = new_event(0, source, method, tool, None, actor, fields)
    del raw["event_id"], raw["ts"]
    if encodable_copy(raw) != raw:
        return None
    base = redact(dict(raw))
    counts = base.pop("redactions", {})
    if repair(dict(base)):
        return None
    return CallSite(owner, raw, base, counts, frozenset(fields))


def site_event(site: CallSite, ts: int, args: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """``Emitter.record_at``'s event: the site's fields and the call's own (``record()``'s
    keywords, none of those the site holds: a ValueError)."""
    ev = dict(site.base)
    ev["event_id"] = uuid7(ts // 1000)
    ev["ts"] = ts
    if args is not None:
        ev["_args"] = args
    if not site.keywords.isdisjoint(fields):
        taken = sorted(site.keywords.intersection(fields))
        raise ValueError(f"record_at(): the site already sets {', '.join(taken)}")
    set_fields(ev, fields)
    return ev
