"""The grid's traffic, caused by the world: wind and cold drive faults, faults drive outages,
outages drive the control room, dispatch, field crews and customer service; the market's gates
drive the trading desk; the meter clock drives ingest and billing.

Wind raises the fault rate (with its square above 8 m/s) and the cold snap of the last four days
adds to it; the scored day's storm strains the SCADA gateway and the OMS (more timeouts).
Each fault is an outage worked end to end: the operator on shift sees the alarm and opens the
outage, the dispatcher on shift sends a crew (the day crew in office hours, else the pair on call),
the crew works it from a phone, customers call while it lasts, and the operator closes it when power
is back. Office roles work weekdays; the control room works its rota (``org.py``). The last day is
scored; its hard negatives come from ``negatives.py``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from tooltrail.simulator.model import DAY_US

from ._writer import Actor, Session, Writer, sub_rng
from .catalog import TOOLS
from .config import GridConfig
from .org import LOCAL_TZ, Org, Person
from .tasks import ROUTINES, args_for, uri

__all__ = ["HOUR_US", "MIN_US", "World", "populate", "switching", "work", "work_outage"]

HOUR_US = 3_600_000_000
MIN_US = 60_000_000


@dataclass
class World:
    """Weather, load and the org, hour by hour (hours from the start)."""

    config: GridConfig
    org: Org
    wind: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)

    def local_hour(self, ts: int, tz: float = LOCAL_TZ) -> float:
        return ((ts - self.config.start_us) / HOUR_US + tz) % 24

    def day_of(self, ts: int) -> int:
        return (ts - self.config.start_us) // DAY_US

    def weekday(self, day: int) -> bool:
        return (self.config.start.weekday() + day) % 7 < 5

    def operator(self, ts: int, role: str = "control_operator") -> Person:
        """Who is on shift in the control room at ``ts`` (a night shift began the day before)."""
        hour = self.local_hour(ts)
        day = self.day_of(ts + int(LOCAL_TZ * HOUR_US))
        if 7 <= hour < 19:
            crew = self.org.on_shift(role, day, "day")
        else:
            crew = self.org.on_shift(role, day if hour >= 19 else day - 1, "night")
        return crew[(ts // (7 * MIN_US)) % len(crew)]


def _weather(w: World, rng: random.Random) -> None:
    days = w.config.days
    for d in range(days):
        gust = rng.uniform(3, 13) if d < days - 1 else 6.0
        cold = rng.uniform(0.0, 1.0) + (0.8 if d >= days - 4 else 0.0)  # a cold snap at the end
        for h in range(24):
            w.wind.append(max(0.0, gust + 3 * math.sin((h - 9) / 24 * 2 * math.pi)))
            w.cold.append(cold)


def work_outage(w: World, wr: Writer, t: int, rng: random.Random, label: str = "") -> str:
    """One fault worked end to end from ``t``; returns its work order."""
    feeder = args_for("gis_trace_feeder", rng)["feeder"]
    outage = f"OU-{rng.randrange(10_000, 99_999)}"
    order = f"WO-{rng.randrange(10_000, 99_999)}"
    customers = int(rng.lognormvariate(5.0, 1.0)) + 5
    restore = t + int(rng.uniform(1.0, 5.0) * HOUR_US)
    op = w.operator(t).actor
    s = wr.session(op, t, ("scada", "oms", "gis"), label)
    s.call("scada_get_alarms", args_for("scada_get_alarms", rng), think=(5, 30))
    s.call("scada_get_feeder_status", {"feeder": feeder}, think=(5, 30))
    s.call("gis_trace_feeder", {"feeder": feeder}, think=(10, 60))
    s.call("oms_create_outage", {"feeder": feeder, "summary": "lockout"}, think=(5, 20))
    disp = w.operator(s.ts, "dispatcher").actor
    d = wr.session(disp, s.ts + int(rng.uniform(1, 8) * MIN_US), ("crews", "workorders"), label)
    d.call("crew_list_available", args_for("crew_list_available", rng))
    d.call("wo_create", {"feeder": feeder, "summary": "fault", "priority": "P1"})
    d.call("crew_dispatch", {"work_order": order, "feeder": feeder})
    hour = w.local_hour(d.ts)
    field = w.org.by_role("field_crew")
    day_crew = w.weekday(w.day_of(d.ts)) and 7 <= hour < 15.5
    crew = rng.choice(field if day_crew else w.org.on_call(w.day_of(d.ts)))
    f = wr.session(crew.actor, d.ts + int(rng.uniform(25, 80) * MIN_US), (), label)
    for server in ("workorders", "oms"):
        f.list_tools(server)
    f.call("wo_get", {"work_order": order})
    f.read(f"gis://feeder/{feeder}/map")
    f.call("oms_update_restoration", {"outage_id": outage, "note": "on site"}, think=(30, 300))
    f.ts = max(f.ts, restore - 10 * MIN_US)
    f.call("oms_update_restoration", {"outage_id": outage, "note": "restored"})
    f.call("wo_update", {"work_order": order, "note": "repaired"})
    c = wr.session(w.operator(restore).actor, restore, ("oms", "scada"), label)
    c.call("scada_get_feeder_status", {"feeder": feeder})
    c.call("oms_close_outage", {"outage_id": outage})
    _customers_call(w, wr, t, restore, min(40, customers // 120 + 1), rng, label)
    return order


def _customers_call(
    w: World, wr: Writer, t: int, until: int, n: int, rng: random.Random, label: str
) -> None:
    agents = w.org.by_role("cs_agent")
    for _ in range(n):
        at = t + int(rng.uniform(5 * MIN_US, max(10 * MIN_US, until - t)))
        if not 7 <= w.local_hour(at) < 21:
            continue  # the IVR answers at night
        s = wr.session(rng.choice(agents).actor, at, ("oms",), label)
        s.call("oms_lookup_customer", args_for("oms_lookup_customer", rng), think=(20, 90))
        if rng.random() < 0.4:
            s.call("bill_get_account", args_for("bill_get_account", rng))


def _faults(w: World, wr: Writer, rng: random.Random, days: int) -> None:
    start = w.config.start_us
    for h in range(days * 24):
        lam = 0.12 + 0.006 * max(0.0, w.wind[h] - 8) ** 2 + 0.05 * w.cold[h]
        for _ in range(_poisson(rng, lam)):
            work_outage(w, wr, start + h * HOUR_US + rng.randrange(HOUR_US), rng)


def _poisson(rng: random.Random, lam: float) -> int:
    n, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p < limit:
            return n
        n += 1


def _task(s: Session, role: str, rng: random.Random) -> None:
    recipes = ROUTINES[role]
    steps = rng.choices([r for _, r in recipes], [wt for wt, _ in recipes])[0]
    for step in steps:
        if step.startswith("@"):
            s.read(uri(step, rng))
        else:
            s.call(step, args_for(step, rng))


def _servers(role: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for _, steps in ROUTINES[role]:
        for step in steps:
            if not step.startswith("@"):
                seen[TOOLS[step]] = None
    return tuple(seen)


def work(
    w: World, wr: Writer, rng: random.Random, actor: Actor, lo: int, hi: int, label: str = ""
) -> None:
    """Sessions of ``actor``'s routine between ``lo`` and ``hi`` (one every 20-60 minutes)."""
    servers = _servers(actor.role)
    t = lo + int(rng.uniform(2, 20) * MIN_US)
    while t < hi:
        opened = rng.sample(servers, k=min(len(servers), rng.randint(1, 2)))
        s = wr.session(actor, t, tuple(opened), label)
        for _ in range(rng.randint(1, 4)):
            _task(s, actor.role, rng)
        t = max(s.ts, t) + int(rng.uniform(8, 32) * MIN_US)


def _people(w: World, wr: Writer, rng: random.Random, days: int) -> None:
    start, org = w.config.start_us, w.org
    for d in range(days):
        day0 = start + d * DAY_US
        for p in org.people:
            a, tz = p.actor, p.actor.tz_hours
            shift = org.shift(p, d)
            if shift is not None:
                begin = 7.0 if shift == "day" else 19.0
                lo = day0 + int((begin - tz) * HOUR_US)
                work(w, wr, rng, a, lo, lo + 12 * HOUR_US)
                continue
            if a.role == "vendor" and d not in (3, 8):
                continue  # the vendor is called in now and then
            if not w.weekday(d) or (a.role in ("trader", "cs_agent") and rng.random() < 0.1):
                continue
            begin = p.start + rng.uniform(-0.3, 0.3)
            if a.role == "cs_agent" and int(a.name.encode()[-1]) % 2:
                begin += 5.5  # the late customer-service shift
            lo = day0 + int((begin - tz) * HOUR_US)
            work(w, wr, rng, a, lo, lo + int(rng.uniform(7.5, 8.5) * HOUR_US))


def _services(w: World, wr: Writer, rng: random.Random, days: int) -> None:
    start, svc = w.config.start_us, w.org.services
    for d in range(days):
        day0 = start + d * DAY_US
        for q in range(96):  # meters every 15 minutes, weather and historian every 15 too
            t = day0 + q * 15 * MIN_US + rng.randrange(20_000_000)
            s = wr.session(svc["svc-mdm-ingest"], t)
            s.call("mdm_ingest_batch", {"limit": 5000}, size=rng.randrange(2_000, 6_000))
            s.call("mdm_validate_reads", {"meter": "*", "days": 1}, think=(1, 3))
            h = wr.session(svc["svc-historian-export"], t + 3 * MIN_US)
            h.call("hist_export", {"tags": "all", "hours": 1}, think=(1, 2))
            x = wr.session(svc["svc-weather-feed"], t + 5 * MIN_US)
            x.call("wx_ingest_feed", {"limit": 200}, think=(1, 2))
            if q % 4 == 0:
                x.call("wx_get_forecast", {"hours": 48})
        for hour in range(24):  # intraday gate: bids an hour ahead of delivery
            t = day0 + hour * HOUR_US + 40 * MIN_US + rng.randrange(60_000_000)
            b = wr.session(svc["svc-market-bids"], t, ("trading",) if hour == 0 else ())
            b.call("trade_get_gate_status", {"hours": 1}, think=(1, 3))
            b.call("trade_get_prices", {"hours": 2}, think=(1, 3))
            for _ in range(rng.randint(1, 4)):
                b.call("trade_submit_bid", args_for("trade_submit_bid", rng), think=(1, 4))
        gate = day0 + int((10.5 - LOCAL_TZ) * HOUR_US)  # day-ahead auction closes 12:00 CET
        auction = wr.session(svc["svc-market-bids"], gate + rng.randrange(20 * MIN_US))
        auction.call("ems_get_load_forecast", {"hours": 48}, think=(2, 6))
        auction.call("wx_get_forecast", {"hours": 48}, think=(2, 6))
        for _ in range(24):  # one bid per delivery hour of tomorrow
            auction.call("trade_submit_bid", args_for("trade_submit_bid", rng), think=(3, 20))
        run = wr.session(svc["svc-billing-run"], day0 + int(1.1 * HOUR_US), ("billing",))
        run.call("bill_run_cycle", {"limit": 20_000}, think=(30, 90))
        for _ in range(rng.randint(120, 180)):
            run.call("bill_get_account", args_for("bill_get_account", rng), think=(2, 8))


def _switching_nights(w: World, wr: Writer, rng: random.Random, nights: tuple[int, ...]) -> None:
    """Planned maintenance: switching orders carried out at night, step by step."""
    for d in nights:
        t = w.config.start_us + d * DAY_US + int((23.5 - LOCAL_TZ) * HOUR_US)
        switching(w, wr, t, rng, steps=rng.randint(12, 20))


def switching(
    w: World, wr: Writer, t: int, rng: random.Random, steps: int, label: str = ""
) -> None:
    order = f"OR-{rng.randrange(10_000, 99_999)}"
    s = wr.session(w.operator(t).actor, t, ("scada",), label)
    s.read(f"docs://procedures/switching-{order}", label=label)
    s.call("ems_get_switching_order", {"order_id": order})
    for step in range(1, steps + 1):
        again = "conflict" if rng.random() < 0.04 else None  # the step was confirmed already
        s.call(
            "ems_confirm_switching_step",
            {"order_id": order, "step": step},
            error=again,
            think=(60, 400),
        )
        s.call("scada_get_feeder_status", args_for("scada_get_feeder_status", rng), think=(5, 30))


def populate(w: World, wr: Writer, seed: int) -> None:
    """Every day's ordinary traffic: weather, faults, people, service accounts, switching."""
    days = w.config.days
    _weather(w, sub_rng(seed, "world"))
    _faults(w, wr, sub_rng(seed, "faults"), days)
    _people(w, wr, sub_rng(seed, "people"), days)
    _services(w, wr, sub_rng(seed, "services"), days)
    _switching_nights(w, wr, sub_rng(seed, "switching"), (2, 9))
