"""Announced activity (a change calendar): the context that separates a sanctioned pentest, an
approved clean-up or a ticketed migration from an attack.

**Guarantee.** An alert candidate is *covered* by an announcement — and then stored and shown but
not paged: its severity lowered to ``low``, the original kept in ``original_severity``, its
reason suffixed with ``(announced: <reason>, by <by>, <id>)`` — only when all of these hold:

- its root actor (:func:`~._alertrows.root_actor`) is one of the announcement's ``actors``;
- its detector is of one of the announcement's ``families`` (:data:`KINDS`: the family rules,
  ``models`` for any ``model:*``, the other rules by name);
- its window lies within the announcement's (``start_us <= window_start``,
  ``window_end <= end_us``), and ends **after** the announcement was filed (``created_us``,
  the wall clock at filing) and, when it was withdrawn, no later than the withdrawal;
- it is not ``critical`` and not an integrity finding (:data:`NEVER_COVERED`: chain breaks,
  host/server disagreement, tool drift): tampering cannot be announced away.

The decision reads only stored values (the announcement's ``created_us`` and ``withdrawn_us``
and the alert's event-time window), so a replay or a backfill decides as live scoring did: an
announcement filed after the fact never rewrites history. The alert store (``alertstore.py``)
applies it in :meth:`~.alertstore.AlertStore.offer`; an alert already stored unannounced keeps
its severity (a completion or merge never lowers it).

**Refused** (:class:`~.errors.AnnouncementError`, ``field`` naming the input): no actor, an
empty reason or ``by``, a reason over :data:`MAX_REASON` characters, an unknown family, an end
not after the start, a window longer than ``max_us`` (``announce_max_hours``, 72 h), one ending
before it is filed; withdrawing an unknown id, or one already withdrawn.

Filing and withdrawing are themselves recorded as ``low`` alerts (detector ``announcement``, one
per actor, entity that actor), so they appear in ``tooltrail alerts list`` and Grafana: whoever
announces their own exfiltration leaves a record naming who filed it.

State: the ``announcements`` table (``tooltrail.pipeline.store.announcements``); a
:class:`Calendar` is its in-memory index (thread-safe), re-read from the table at most every
``refresh_s`` of wall time so a running detector sees what another process filed.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from tooltrail.pipeline.store.announcements import ANNOUNCEMENT_COLUMNS

from ._alertrows import _dt, root_actor
from .alert import Alert
from .errors import AnnouncementError

if TYPE_CHECKING:
    from tooltrail.pipeline.store import Store

__all__ = [
    "DETECTOR",
    "FAMILY_KINDS",
    "KINDS",
    "MAX_REASON",
    "NEVER_COVERED",
    "RULE_KINDS",
    "Announcement",
    "Calendar",
    "announcement_alerts",
    "demote",
    "kind_of",
    "new_announcement",
    "parse_families",
]

#: the family rules (``rule:family:<name>``; ``families.FAMILY_NAMES``)
FAMILY_KINDS: Final = ("novelty_burst", "off_hours", "destructive", "error_probe", "bulk_read")
#: the other rules (``rule:<name>``; ``rules.default_rules``)
RULE_KINDS: Final = (
    "rate_limit",
    "loop",
    "denial_burst",
    "sensitive_tool",
    "new_client",
    "first_seen",
)
#: what an announcement may cover (its ``families``; default: all)
KINDS: Final = (*FAMILY_KINDS, "models", *RULE_KINDS)
#: findings of tampering: never covered, whatever the announcement says
NEVER_COVERED: Final = frozenset({"rule:integrity", "rule:reconcile", "rule:tool_drift"})
#: the detector of the alerts that record filing and withdrawing
DETECTOR: Final = "announcement"
#: the longest reason (it is copied into every alert the announcement demotes)
MAX_REASON: Final = 500


def kind_of(detector: str) -> str | None:
    """The :data:`KINDS` entry a detector belongs to; None: no announcement can cover it."""
    if detector in NEVER_COVERED:
        return None
    if detector.startswith("model:"):
        return "models"
    name = detector.removeprefix("rule:family:").removeprefix("rule:")
    return name if name != detector and name in KINDS else None


def parse_families(values: Iterable[str]) -> tuple[str, ...]:
    """The kinds named (comma-separated or repeated; ``rule:`` / ``rule:family:`` prefixes
    allowed), in :data:`KINDS` order; none named: all. Unknown names: AnnouncementError."""
    names = [v.strip() for value in values for v in value.split(",") if v.strip()]
    if not names:
        return KINDS
    found = set()
    for name in names:
        kind = name.removeprefix("rule:family:").removeprefix("rule:")
        if kind not in KINDS:
            raise AnnouncementError(
                "families", f"unknown {name!r}; allowed: {', '.join(KINDS)} (default: all)"
            )
        found.add(kind)
    return tuple(k for k in KINDS if k in found)


@dataclass(frozen=True, slots=True)
class Announcement:
    """One announced activity: ``actors`` may do ``families`` of things between ``start_us``
    and ``end_us`` (event time, µs) for ``reason``; filed by ``by`` at ``created_us`` (wall
    clock); ``withdrawn_us`` / ``withdrawn_by`` once withdrawn."""

    id: str
    actors: tuple[str, ...]
    start_us: int
    end_us: int
    reason: str
    by: str
    created_us: int
    families: tuple[str, ...] = KINDS
    withdrawn_us: int | None = None
    withdrawn_by: str | None = None

    @property
    def ends_us(self) -> int:
        """Where it stops applying: its end, or its withdrawal when earlier."""
        return self.end_us if self.withdrawn_us is None else min(self.end_us, self.withdrawn_us)

    def covers(self, alert: Alert) -> bool:
        """See the module docs: actor, family, window, filed before the window ended, not
        withdrawn before it ended, never critical or an integrity finding."""
        if alert.severity == "critical" or alert.entity_kind == "stream":
            return False
        kind = kind_of(alert.detector)
        return (
            kind is not None
            and kind in self.families
            and root_actor(alert) in self.actors
            and self.start_us <= alert.window_start
            and alert.window_end <= self.ends_us
            and alert.window_end > self.created_us
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["actors"], d["families"] = list(self.actors), list(self.families)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Announcement:
        d = dict(d)
        d["actors"], d["families"] = tuple(d["actors"]), tuple(d["families"])
        return cls(**d)


def _text(field: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise AnnouncementError(field, "must not be empty")
    return value


def new_announcement(
    actors: Sequence[str],
    start_us: int,
    end_us: int,
    reason: str,
    *,
    by: str,
    created_us: int,
    max_us: int,
    families: Iterable[str] = (),
) -> Announcement:
    """A valid announcement (see the module docs for what is refused); its id is derived from
    its content and filing time."""
    people = tuple(dict.fromkeys(_text("actors", a) for a in actors))
    if not people:
        raise AnnouncementError("actors", "name at least one actor (user)")
    kinds = parse_families(families)
    reason, by = _text("reason", reason), _text("by", by)
    if len(reason) > MAX_REASON:
        raise AnnouncementError("reason", f"at most {MAX_REASON} characters (name the ticket)")
    if end_us <= start_us:
        raise AnnouncementError("end", "must be after the start")
    if end_us - start_us > max_us:
        raise AnnouncementError(
            "end",
            f"the window is {(end_us - start_us) / 3.6e9:.1f} h long; at most "
            f"{max_us / 3.6e9:g} h (announce_max_hours): announce a longer change in parts",
        )
    if end_us <= created_us:
        raise AnnouncementError(
            "end", "is before now: an announcement covers only what happens after it is filed"
        )
    digest = hashlib.sha256(
        json.dumps([people, start_us, end_us, reason, by, created_us, kinds]).encode()
    ).hexdigest()
    return Announcement(f"ann-{digest[:12]}", people, start_us, end_us, reason, by, created_us,
                        kinds)  # fmt: skip


def demote(alert: Alert, by: Announcement) -> Alert:
    """``alert`` as the announcement ``by`` keeps it: ``low``, the original severity kept, the
    reason saying which announcement and who filed it."""
    return replace(
        alert,
        severity="low",
        original_severity=alert.severity,
        announcement=by.id,
        reason=f"{alert.reason} (announced: {by.reason}, by {by.by}, {by.id})",
    )


def _utc(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, UTC).strftime("%Y-%m-%d %H:%M UTC")


def announcement_alerts(ann: Announcement) -> list[Alert]:
    """The ``low`` alerts recording the filing (or, when withdrawn, the withdrawal) of ``ann``:
    one per actor, in the window of the act (wall clock)."""
    withdrawn = ann.withdrawn_us is not None
    at = ann.withdrawn_us if ann.withdrawn_us is not None else ann.created_us
    families = "all" if ann.families == KINDS else ", ".join(ann.families)
    if withdrawn:
        what = f"announcement {ann.id} withdrawn by {ann.withdrawn_by} (filed by {ann.by})"
    else:
        what = (
            f"activity announced by {ann.by} for {_utc(ann.start_us)} – {_utc(ann.end_us)} "
            f"({families}): {ann.reason} ({ann.id})"
        )
    action = "withdrawn" if withdrawn else "filed"
    return [
        Alert(
            severity="low",
            detector=DETECTOR,
            entity_kind="user",
            entity=actor,
            window_start=at,
            window_end=at + 1,
            score=0.0,
            reason=f"{actor}: {what}",
            dedupe_key=f"{DETECTOR}|{ann.id}|{action}|{actor}",
            actor=actor,
            announcement=ann.id,
        )
        for actor in ann.actors
    ]


class Calendar:
    """The announcements of one store, indexed by actor; stores and withdraws them. Thread-safe.
    Empty until the first :meth:`refresh`, which re-reads the table once ``refresh_s`` of wall
    time passed since the last read. A store error propagates and leaves the index as it was.
    ``write`` off: index only (a store served read-only)."""

    def __init__(
        self, store: Store, *, max_us: int, refresh_s: float = 1.0, write: bool = True
    ) -> None:
        self._store = store
        self._table = f"{store.database}.announcements"
        self.max_us = max_us
        self.refresh_s = refresh_s
        self.write = write
        self._lock = threading.Lock()
        self._by_id: dict[str, Announcement] = {}
        self._by_actor: dict[str, list[Announcement]] = {}
        self._read_at = 0.0

    def refresh(self, *, force: bool = False) -> None:
        """Re-read the table when ``refresh_s`` passed since the last read (or ``force``)."""
        if not force and time.monotonic() - self._read_at < self.refresh_s:
            return
        with self._lock:  # a put meanwhile waits: its version is not lost to an older read
            df = self._store.query_df(f"SELECT payload FROM {self._table} FINAL")  # noqa: S608
            rows = df["payload"] if len(df) else ()
            self._index(Announcement.from_dict(json.loads(p)) for p in rows)
            self._read_at = time.monotonic()

    def _index(self, found: Iterable[Announcement]) -> None:
        self._by_id = {a.id: a for a in found}
        by_actor: dict[str, list[Announcement]] = {}
        for a in sorted(self._by_id.values(), key=lambda a: (a.created_us, a.id)):
            for actor in a.actors:
                by_actor.setdefault(actor, []).append(a)
        self._by_actor = by_actor

    def cover(self, alert: Alert) -> Announcement | None:
        """The earliest-filed announcement that covers ``alert``, or None."""
        actor = root_actor(alert)
        with self._lock:
            for a in self._by_actor.get(actor or "", ()):
                if a.covers(alert):
                    return a
        return None

    def get(self, id: str) -> Announcement:
        with self._lock:
            found = self._by_id.get(id)
        if found is None:
            raise AnnouncementError(
                "id", f"no announcement {id!r} (see 'tooltrail alerts announcements --all')"
            )
        return found

    def all(self) -> list[Announcement]:
        """Every announcement, newest filed first."""
        with self._lock:
            return sorted(self._by_id.values(), key=lambda a: (-a.created_us, a.id))

    def withdraw(self, id: str, *, by: str, at_us: int) -> Announcement:
        """Mark ``id`` withdrawn at ``at_us`` (wall clock) by ``by``: it stops covering windows
        ending after that. AnnouncementError for an unknown or already withdrawn id."""
        self.refresh(force=True)  # another process may have filed or withdrawn it
        ann = self.get(id)
        if ann.withdrawn_us is not None:
            raise AnnouncementError(
                "id",
                f"{id} was already withdrawn by {ann.withdrawn_by} at {_utc(ann.withdrawn_us)}",
            )
        done = replace(ann, withdrawn_us=at_us, withdrawn_by=_text("by", by))
        self.put(done, max(at_us, ann.created_us + 1))  # a newer version than the filing
        return done

    def put(self, ann: Announcement, updated_us: int) -> None:
        """Store a version of ``ann`` (the table first, unless ``write`` is off), then index it
        (a new one from :func:`new_announcement`, with ``max_us``)."""
        if self.write:
            row = (
                ann.id, _dt(ann.created_us), _dt(updated_us), _dt(ann.start_us), _dt(ann.end_us),
                list(ann.actors), ann.by, "active" if ann.withdrawn_us is None else "withdrawn",
                json.dumps(ann.to_dict(), separators=(",", ":")),
            )  # fmt: skip
            self._store.insert_rows("announcements", [row], ANNOUNCEMENT_COLUMNS)
        with self._lock:
            self._index([*(a for a in self._by_id.values() if a.id != ann.id), ann])
