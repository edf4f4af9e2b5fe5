"""What the people do with the parcels: sort at night, deliver by day, answer, claim, declare.

Each function turns one step of the flow into the calls of whoever is on shift for it. Times are
local to the person (``Clock.at``); a shift opens with its assistant listing its servers' tools.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from ._record import Log
from .flow import Parcel
from .org import REGIONS, Org, Staff

__all__ = [
    "Clock",
    "Shift",
    "claims",
    "clock_in",
    "customs",
    "deliver",
    "desk",
    "dispatch",
    "office",
    "on_duty",
    "sort",
]

HOUR_US: Final = 3_600_000_000
MIN_US: Final = 60_000_000
DAY_US: Final = 24 * HOUR_US


@dataclass(frozen=True, slots=True)
class Clock:
    """The simulated span: its first instant (µs) and the day index of a local time."""

    start: int

    def at(self, day: int, tz: float, hour: float) -> int:
        """UTC µs of local ``hour`` on simulated ``day`` in time zone ``tz``."""
        return self.start + day * DAY_US + int((hour - tz) * HOUR_US)

    def weekday(self, day: int) -> int:
        return (day + 1) % 7  # day 0 is a Tuesday


class Shift:
    """One person's shift: opens a session, lists the servers it uses, then calls through it."""

    __slots__ = ("actor", "label", "log", "session", "ts")

    def __init__(
        self, log: Log, who: Staff, day: int, ts: int, servers: Iterable[str], label: str = ""
    ) -> None:
        self.log, self.actor, self.label, self.ts = log, who.actor(day), label, ts
        self.session = log.session(self.actor, ts)
        for server in servers:
            self.ts = log.listing(self.ts, self.actor, server, self.session, label=label)

    def call(
        self,
        tool: str,
        args: dict[str, object],
        *,
        label: str | None = None,
        result: int | None = None,
        fail: tuple[str, str] | None = None,
    ) -> None:
        self.ts = self.log.call(
            self.ts,
            self.actor,
            tool,
            dict(args),
            self.session,
            label=self.label if label is None else label,
            result=result,
            fail=fail,
        )

    def read(self, uri: str) -> None:
        self.ts = self.log.read(self.ts, self.actor, uri, self.session, label=self.label)

    def wait(self, rng: random.Random, lo_min: float, hi_min: float) -> None:
        self.ts += int(rng.uniform(lo_min, hi_min) * MIN_US)


def clock_in(
    log: Log, clock: Clock, who: Staff, day: int, late: float = 0.0, servers: Iterable[str] = ()
) -> Shift:
    """``who``'s shift on ``day``, opening ``late`` hours after their usual start."""
    p = who.profile
    return Shift(log, who, day, clock.at(day, p.tz_hours, p.work_start + late), servers)


def on_duty(clock: Clock, people: Iterable[Staff], day: int) -> list[Staff]:
    """Those of ``people`` with a shift on ``day``."""
    return [p for p in people if p.works(day, clock.weekday(day))]


def _vehicle(depot: str, n: int) -> str:
    return f"VAN-{depot}-{n:03d}"


def sort(
    log: Log, clock: Clock, crew: Sequence[Staff], depot: str, day: int, parcels: Sequence[Parcel]
) -> None:
    """The night shift from ``day`` 22:00 local sorts ``parcels`` into bays and closes trailers."""
    if not crew or not parcels:
        return
    rng = log.rng
    tz = crew[0].profile.tz_hours
    shifts = [
        Shift(log, w, day, clock.at(day, tz, 22 + rng.uniform(0, 0.4)), ("wms",)) for w in crew
    ]
    shifts[0].call("wms_receive_manifest", {"depot": depot, "parcels": len(parcels)})
    shifts[0].read(f"wms://depot/{depot}/manifest/{day}")
    for i, p in enumerate(parcels):
        s = shifts[i % len(shifts)]
        s.call("wms_sort_scan", {"parcel": p.id, "depot": depot, "bay": f"B{rng.randint(1, 40)}"})
        if rng.random() < 0.03:
            s.call("wms_assign_bay", {"parcel": p.id, "bay": f"X{rng.randint(1, 6)}"})
        if rng.random() < 0.01:
            s.call("wms_adjust_inventory", {"depot": depot, "sku": p.id, "delta": -1})
        s.wait(rng, 0.3, 1.5 * len(shifts))
    for k, s in enumerate(shifts):
        s.ts = max(s.ts, clock.at(day + 1, tz, 4.5 + rng.uniform(0, 1)))
        s.call("wms_inventory_query", {"depot": depot, "zone": f"Z{k + 1}"})
        s.call("wms_close_trailer", {"depot": depot, "trailer": f"T{depot}{day:02d}{k}"})


def deliver(
    log: Log,
    clock: Clock,
    drivers: Sequence[Staff],
    depot: str,
    day: int,
    parcels: Sequence[Parcel],
) -> list[tuple[int, Parcel]]:
    """Drivers of ``depot`` deliver ``parcels`` on ``day``; returns (time, parcel) exceptions."""
    rng = log.rng
    out: list[tuple[int, Parcel]] = []
    if not drivers or not parcels:
        return out
    per = [list(parcels[i :: len(drivers)]) for i in range(len(drivers))]
    for n, (who, load) in enumerate(zip(drivers, per, strict=True)):
        if not load:
            continue
        s = clock_in(log, clock, who, day, rng.uniform(0, 0.3), ("tms", "routing"))
        route = f"R-{depot}-{day:02d}-{n:02d}"
        s.call("route_get", {"route": route, "vehicle": _vehicle(depot, n)})
        s.call(
            "tms_record_scan",
            {"event": "out_for_delivery", "route": route, "parcels": [p.id for p in load]},
            result=300,
        )
        gap = 7.5 * 60 / (len(load) + 1)
        for p in load:
            s.wait(rng, 0.4 * gap, 1.6 * gap)
            if p.exception:
                s.call(
                    "tms_report_exception", {"parcel": p.id, "reason": p.exception, "route": route}
                )
                out.append((s.ts, p))
                if p.exception == "damaged":
                    s.call("docs_upload", {"path": f"/pod/{depot}/{p.id}-damage.jpg"})
                continue
            signed = rng.choice(("recipient", "neighbour", "safe_place"))
            s.call(
                "tms_proof_of_delivery",
                {"parcel": p.id, "route": route, "signed_by": signed},
                label=p.label or None,
            )
            if rng.random() < 0.06:
                s.call("msg_send_sms", {"parcel": p.id, "template": "arriving_10_min"})
            if rng.random() < 0.1:
                s.call("route_update_stop", {"route": route, "stop": p.id, "status": "skipped"})
        s.call("tms_update_status", {"route": route, "status": "returned_to_depot"})
    return out


def desk(log: Log, clock: Clock, org: Org, cases: Sequence[tuple[int, Parcel]]) -> None:
    """Customer service (follow-the-sun) answers exceptions and enquiries within a few hours."""
    rng = log.rng
    agents = org.of("cs")
    for ts, p in cases:
        t = ts + int(rng.uniform(0.2, 5.0) * HOUR_US)
        who = _on_shift(clock, agents, t) or agents[rng.randrange(len(agents))]
        day = (t - clock.start) // DAY_US
        s = Shift(log, who, int(day), t, ("crm",) if rng.random() < 0.3 else ())
        s.call("crm_search_customers", {"query": f"parcel:{p.id}"})
        s.call("tms_track_shipment", {"tracking_number": p.id})
        if rng.random() < 0.3:
            s.read(f"tms://shipment/{p.id}")
        if rng.random() < 0.25:
            s.call(
                "tms_search_shipments", {"query": f"depot:{p.depot} status:exception", "limit": 20}
            )
        ticket = f"TCK-{p.id[-9:]}"
        if not p.exception and rng.random() < 0.05:
            s.call("tms_cancel_shipment", {"tracking_number": p.id, "reason": "customer_request"})
        s.call("crm_create_ticket", {"customer_ref": p.id, "topic": p.exception or "where_is"})
        s.call("msg_send_email", {"template": f"update_{p.exception or 'eta'}", "ticket": ticket})
        s.wait(rng, 5, 60)
        s.call(
            "crm_close_ticket" if rng.random() < 0.7 else "crm_update_ticket", {"ticket": ticket}
        )


def _on_shift(clock: Clock, people: Sequence[Staff], ts: int) -> Staff | None:
    for who in people:
        p = who.profile
        local = (ts - clock.start) / HOUR_US + p.tz_hours
        day, hour = int(local // 24), local % 24
        if who.works(day, clock.weekday(day)) and p.work_start <= hour < p.work_end:
            return who
    return None


def claims(log: Log, clock: Clock, org: Org, day: int, damaged: Sequence[Parcel]) -> None:
    """The claims team settles damaged parcels the working day after they were reported."""
    rng = log.rng
    team = on_duty(clock, org.of("claims"), day)
    for i, p in enumerate(damaged):
        if not team:
            return
        who = team[i % len(team)]
        s = clock_in(log, clock, who, day, rng.uniform(0.2, 7.0))
        s.call("crm_get_customer", {"customer_ref": p.id})
        s.call("docs_get", {"path": f"/pod/{p.depot}/{p.id}-damage.jpg"})
        s.read(f"docs://pod/{p.id}-damage.jpg")
        if rng.random() < 0.3:
            s.call("docs_list", {"folder": f"/pod/{p.depot}/"})
        if rng.random() < 0.2:
            s.call("docs_share_link", {"path": f"/pod/{p.depot}/{p.id}-damage.jpg"})
        s.call("billing_get_invoice", {"invoice": f"INV-{p.id[-8:]}"})
        tool = "billing_refund_claim" if rng.random() < 0.6 else "billing_issue_credit"
        if rng.random() < 0.05:
            s.call("billing_void_invoice", {"invoice": f"INV-{p.id[-8:]}"})
        s.call(tool, {"claim": f"CLM-{p.id[-8:]}", "amount_cents": rng.randint(800, 25_000)})
        s.call("crm_update_ticket", {"ticket": f"TCK-{p.id[-9:]}", "status": "claim_settled"})


def customs(log: Log, clock: Clock, org: Org, day: int, parcels: Sequence[Parcel]) -> None:
    """Brokers file a declaration per cross-border parcel in their office hours."""
    rng = log.rng
    team = on_duty(clock, org.of("broker"), day)
    if not team or not parcels:
        return
    shifts = [clock_in(log, clock, b, day, 0.3, ("customs",)) for b in team]
    for i, p in enumerate(parcels):
        s = shifts[i % len(shifts)]
        decl = f"DEC-{p.id[2:]}"
        s.call(
            "customs_file_declaration",
            {
                "parcel": p.id,
                "hs_code": f"{rng.randint(10, 97)}{rng.randint(1000, 9999)}",
                "value_cents": rng.randint(1_000, 400_000),
            },
            fail=("error", "customs_rejected") if rng.random() < 0.04 else None,
        )
        if rng.random() < 0.2:
            s.call("customs_get_declaration", {"declaration": decl})
        if rng.random() < 0.05:
            s.call("customs_amend_declaration", {"declaration": decl, "field": "value_cents"})
        if rng.random() < 0.1:
            s.read(f"customs://declaration/{decl}")
        if rng.random() < 0.01:
            s.call("customs_withdraw_declaration", {"declaration": decl})
        s.wait(rng, 2, 9)


def dispatch(log: Log, clock: Clock, org: Org, day: int, region: str, breakdowns: int) -> None:
    """The region's dispatchers plan the day and re-plan around broken-down vans."""
    rng = log.rng
    team = on_duty(clock, org.of("dispatcher", region), day)
    if not team:
        return
    _tz, depots = REGIONS[region]
    lead = team[day % len(team)]
    s = clock_in(log, clock, lead, day, 0.0, ("routing", "telematics"))
    for depot in depots:
        s.call("route_plan_day", {"depot": depot, "date_offset": day})
        s.call("fleet_vehicle_status", {"depot": depot})
    for other in team:
        o = clock_in(log, clock, other, day, rng.uniform(1, 3))
        for _ in range(rng.randint(4, 12)):
            depot = rng.choice(depots)
            o.call("route_get", {"route": f"R-{depot}-{day:02d}-{rng.randint(0, 15):02d}"})
            if rng.random() < 0.4:
                o.call(
                    "route_update_stop",
                    {
                        "route": f"R-{depot}-{day:02d}-{rng.randint(0, 15):02d}",
                        "stop": rng.randint(1, 30),
                        "status": "moved",
                    },
                )
            o.wait(rng, 10, 50)
    for _ in range(breakdowns):
        depot = rng.choice(depots)
        van = _vehicle(depot, rng.randint(0, 15))
        s.ts = clock.at(day, lead.profile.tz_hours, rng.uniform(8, 15))
        s.call(
            "fleet_report_breakdown",
            {"vehicle": van, "code": rng.choice(("tyre", "engine", "battery"))},
        )
        s.call(
            "route_reassign_vehicle",
            {
                "route": f"R-{depot}-{day:02d}-{van[-2:]}",
                "vehicle": _vehicle(depot, 90 + rng.randint(0, 5)),
            },
        )
        for _ in range(rng.randint(2, 4)):
            s.call("msg_notify_driver", {"vehicle": van, "message": "route reassigned"})


_SQL: Final = (
    "SELECT depot, count(*) FROM deliveries WHERE day = current_date - 1 GROUP BY depot",
    "SELECT reason, count(*) FROM exceptions WHERE week = {w} GROUP BY reason",
    "SELECT avg(stops) FROM routes WHERE depot = '{d}'",
    "SELECT partner, sum(parcels) FROM manifests GROUP BY partner ORDER BY 2 DESC LIMIT 10",
)


def office(log: Log, clock: Clock, org: Org, day: int) -> None:
    """IT keeps identity tidy; analysts query the warehouse and read reports."""
    rng = log.rng
    for who in on_duty(clock, org.of("it"), day):
        s = clock_in(log, clock, who, day, rng.uniform(0, 2), ("identity",))
        s.call("idp_audit_log", {"since_hours": 24})
        s.call("idp_list_clients", {"kind": "partner"})
        if rng.random() < 0.15:
            s.call("idp_revoke_token", {"token_id": f"tok-{rng.getrandbits(32):08x}"})
        if rng.random() < 0.1:
            s.call("idp_grant_scope", {"client": "ops-console", "scope": "routing:read"})
        s.call("sql_run_statement", {"sql": "SELECT user, count(*) FROM logins GROUP BY user"})
    for who in on_duty(clock, org.of("analyst"), day):
        s = clock_in(log, clock, who, day, rng.uniform(0, 1), ("analytics",))
        for _ in range(rng.randint(5, 14)):
            sql = rng.choice(_SQL).format(w=day // 7, d=rng.choice(list(REGIONS["uk"][1])))
            s.call("sql_run_statement", {"sql": sql}, result=rng.choice((800, 4_000, 20_000)))
            s.wait(rng, 5, 40)
        s.call("report_get", {"report": rng.choice(("otd_daily", "exceptions", "claims_cost"))})
        if clock.weekday(day) == 0:  # Monday's weekly extract for the finance model
            s.call("tms_bulk_export", {"period": f"W{day // 7}", "format": "parquet"})
