"""One day of one install's ordinary traffic, by how its app runs.

=========  =====================================================================================
poller     a list call every ``period_s`` (fixed phase, slight drift, seconds of jitter) around
           the clock, a few follow-up calls when something changed
webhook    upstream events follow the tenant's local day and week (consumer tenants keep their
           evenings and weekends); each fans out into a trace of calls within seconds
nightly    at the tenant's local night hour: pages through its list tools (pages grow with the
           tenant), then fetches what changed
agent      an LLM agent working items in the tenant's working hours: think-time between calls
report     scheduled reports on the tenant's working days, at a fixed local hour
operator   a human at a desktop client: sessions in their working day (``tools/list`` first),
           turns of a few calls with think time, now and then a ``resources/read``
=========  =====================================================================================

Every call goes through the :class:`~._calls.Gateway` (rate limits and retries, incidents).
"""

from __future__ import annotations

import hashlib
import math
import random
from typing import Final

from ..model import DAY_US
from ._calls import Actor, Gateway, hexid
from .catalog import DEPRECATED, TOOLS
from .tenancy import ROLES, Install, Tenant

__all__ = [
    "activity",
    "import_history",
    "local_time",
    "operator_day",
    "poisson",
    "run_day",
    "sample_times",
    "stable",
    "sync_run",
]

_S: Final = 1_000_000
_HOUR: Final = 3_600_000_000


def local_time(ts: int, tz: float) -> tuple[int, float]:
    """(weekday, hour of day) at ``ts`` in a zone ``tz`` hours from UTC (Mon = 0)."""
    local = ts + int(tz * _HOUR)
    days = local // DAY_US
    return (days + 3) % 7, (local - days * DAY_US) / _HOUR  # 1970-01-01 was a Thursday


def activity(t: Tenant, weekday: int, hour: float) -> float:
    """Relative intensity of a tenant's end users at a local weekday and hour."""
    day = math.exp(-(((hour - 13.0) / 3.6) ** 2))
    if t.b2c:
        day = 0.6 * day + 0.5 * math.exp(-(((hour - 20.5) / 2.2) ** 2)) + 0.05
        return day * (0.85 if weekday in t.weekend else 1.0)
    return (day + 0.02) * (0.12 if weekday in t.weekend else 1.0)


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (normal approximation above 30)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    k, p, limit = 0, rng.random(), math.exp(-lam)
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _weights(t: Tenant, day0: int) -> list[float]:
    return [activity(t, *local_time(day0 + h * _HOUR + _HOUR // 2, t.tz)) for h in range(24)]


def sample_times(rng: random.Random, t: Tenant, day0: int, n: int) -> list[int]:
    """``n`` sorted times in the UTC day from ``day0``, following the tenant's activity."""
    hours = rng.choices(range(24), _weights(t, day0), k=n)
    return sorted(day0 + h * _HOUR + rng.randrange(_HOUR) for h in hours)


def _day_volume(rng: random.Random, ins: Install, day0: int) -> float:
    w = sum(_weights(ins.tenant, day0)) / 24
    return ins.volume * w / 0.32 * math.exp(rng.gauss(0, 0.2))


def run_day(gw: Gateway, rng: random.Random, ins: Install, day: int, day0: int) -> None:
    """Everything ``ins`` does on the UTC day ``day`` (starting at ``day0``)."""
    t = ins.tenant
    if day < t.first_day:
        return
    if day == t.first_day > 0 and ins.app.kind in ("webhook", "nightly"):
        import_history(gw, rng, ins, day0 + int((9.5 - t.tz) % 24 * _HOUR))
    who, tools = ins.actor, ins.app.tools
    if day >= ins.upgrade_day and ins.upgraded is not None:
        who, tools = ins.upgraded, ins.app.upgrade_tools or tools
    kind = ins.app.kind
    scale = 1.0
    if day in t.campaign_days and ins.app.name in ("mailpilot", "salesbridge"):
        scale = rng.uniform(5, 10)
    if kind == "poller":
        _poller(gw, rng, ins, who, tools, day0)
    elif kind == "webhook":
        n = poisson(rng, _day_volume(rng, ins, day0) * scale)
        for ts in sample_times(rng, t, day0, n):
            trace = hexid(rng, 128)
            session = _session(who, ts)
            for i, tool in enumerate(tools):
                if i and rng.random() < 0.3:
                    continue
                ts = gw.call(ts, who, tool, session=session, trace=trace)
                ts += rng.randint(20_000, 400_000)
    elif kind == "nightly":
        sync_run(gw, rng, ins, who, tools, day0)
    elif kind == "agent":
        n = poisson(rng, _day_volume(rng, ins, day0))
        for ts in sample_times(rng, t, day0, n):
            _agent_task(gw, rng, who, tools, ts)
    elif kind == "report":
        wd, _ = local_time(day0 + int((ins.hour - t.tz) % 24 * _HOUR), t.tz)
        if wd not in t.weekend:
            ts = day0 + int(((ins.hour - t.tz) % 24) * _HOUR) + rng.randrange(120 * _S)
            trace, session = hexid(rng, 128), hexid(rng)
            for tool in tools:
                ts = gw.call(ts, who, tool, session=session, trace=trace) + rng.randrange(3 * _S)
    elif kind == "operator":
        operator_day(gw, rng, ins, day0, old_search=day < 3 + stable(t.slug) % 7)
    if day == ins.upgrade_day and ins.upgraded is not None:
        start = day0 + rng.randrange(DAY_US // 2)
        gw.call(start, who, None, session=hexid(rng), trace=hexid(rng, 128))


def stable(*parts: object) -> int:
    """A 64-bit hash of ``parts`` that is the same in every process (unlike ``hash``)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def import_history(gw: Gateway, rng: random.Random, ins: Install, ts: int) -> int:
    """A new tenant's connector importing its history from ``ts``: hundreds of creates, fast
    enough to meet the rate limit (429s, retried); when it is done."""
    session, trace = hexid(rng), hexid(rng, 128)
    for _ in range(int(40 * ins.tenant.size**0.8) + 30):
        tool = rng.choice(("contacts_create", "contacts_create", "accounts_update", "notes_add"))
        ts = gw.call(ts, ins.actor, tool, session=session, trace=trace)
        ts += rng.randint(20_000, 150_000)
    return ts


def _session(who: Actor, ts: int) -> str:
    # a connector's worker process restarts every six hours: one MCP session per process
    return f"{stable(who.user, who.version, ts // (6 * _HOUR)):016x}"


def _poller(
    gw: Gateway, rng: random.Random, ins: Install, who: Actor, tools: tuple[str, ...], day0: int
) -> None:
    period = int(ins.period_s * _S)
    phase = stable(who.user) % period
    k = max(0, (day0 - phase) // period)
    while (ts := phase + k * period) < day0 + DAY_US:
        k += 1
        if ts < day0:
            continue
        ts += rng.randint(-2 * _S, 2 * _S)
        trace, session = hexid(rng, 128), _session(who, ts)
        ts = gw.call(ts, who, tools[0], session=session, trace=trace)
        busy = activity(ins.tenant, *local_time(ts, ins.tenant.tz))
        for _ in range(poisson(rng, 0.5 * busy * min(3.0, ins.volume))):
            ts += rng.randint(50_000, 600_000)
            ts = gw.call(ts, who, rng.choice(tools[1:]), session=session, trace=trace)


def sync_run(
    gw: Gateway,
    rng: random.Random,
    ins: Install,
    who: Actor,
    tools: tuple[str, ...],
    day0: int,
    at: int | None = None,
) -> None:
    """A full sync: every list tool paged through, then what changed (at its night hour, or
    ``at``)."""
    t = ins.tenant
    ts = day0 + int(((ins.hour - t.tz) % 24) * _HOUR) + rng.randint(-300 * _S, 300 * _S)
    ts = min(max(ts, day0), day0 + DAY_US - _HOUR) if at is None else at
    trace, session = hexid(rng, 128), hexid(rng)
    pages = max(1, round(2 * t.size**0.7 * rng.uniform(0.8, 1.2)))
    lists = [x for x in tools if TOOLS[x].kind == "list"] or [tools[0]]
    for tool in lists:
        for _ in range(pages):
            ts = gw.call(ts, who, tool, session=session, trace=trace) + rng.randint(
                100_000, 900_000
            )
    rest = [x for x in tools if x not in lists]
    for _ in range(poisson(rng, 3 * t.size**0.5)) if rest else ():
        ts = gw.call(ts, who, rng.choice(rest), session=session, trace=trace)
        ts += rng.randint(80_000, 500_000)


def _agent_task(
    gw: Gateway, rng: random.Random, who: Actor, tools: tuple[str, ...], ts: int
) -> None:
    trace, session = hexid(rng, 128), hexid(rng)
    steps = [tools[0], *rng.sample(tools[1:], rng.randint(1, len(tools) - 1))]
    for tool in steps:
        ts = gw.call(ts, who, tool, session=session, trace=trace)
        ts += int(rng.uniform(1.5, 25) * _S)


def operator_day(
    gw: Gateway,
    rng: random.Random,
    ins: Install,
    day0: int,
    *,
    who: Actor | None = None,
    label: str = "",
    start_hour: float | None = None,
    sessions: int | None = None,
    old_search: bool = False,
) -> None:
    """A human operator's sessions on the UTC day from ``day0`` (local working days only, unless
    ``start_hour`` places a session explicitly)."""
    t, who = ins.tenant, who or ins.actor
    base = ins.hour if start_hour is None else start_hour
    local_day0 = day0 + int(((base - t.tz) % 24) * _HOUR)
    wd, _ = local_time(local_day0, t.tz)
    if start_hour is None and wd in t.weekend and rng.random() > 0.08:
        return
    n = poisson(rng, ins.volume) if sessions is None else sessions
    mix = list(ROLES.get(ins.role, ROLES["support"]))
    if old_search:  # the tenant has not yet migrated off the deprecated search tool
        mix = [x for x in mix if x not in DEPRECATED.values()] + ["contacts_search_v1"]
    for _ in range(n):
        ts = local_day0 + (int(rng.uniform(0, 8.5) * _HOUR) if start_hour is None else 0)
        ts = min(ts, day0 + DAY_US - 2 * _HOUR)
        session = hexid(rng)
        ts = gw.call(ts, who, None, session=session, trace=hexid(rng, 128), label=label)
        for _turn in range(rng.randint(2, 9)):
            ts += int(rng.uniform(8, 150) * _S)
            trace = hexid(rng, 128)
            for _ in range(rng.randint(1, 4)):
                if rng.random() < 0.08:
                    scheme = rng.choice(("kb", "blob"))
                    uri = f"{scheme}://{t.slug}/{'articles' if scheme == 'kb' else 'shared'}/"
                    uri += f"{hexid(rng, 24)}"
                    ts = gw.call(ts, who, None, uri=uri, session=session, trace=trace, label=label)
                else:
                    tool = rng.choice(mix)
                    ts = gw.call(ts, who, tool, session=session, trace=trace, label=label)
                ts += int(rng.uniform(0.3, 4) * _S)
