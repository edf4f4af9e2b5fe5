"""Hard negatives on the scored day: unusual, legitimate episodes a detector must not page on.

Each builder adds the calls of one episode, every one labelled ``benign:<name>#0``:

``peak_surge``          Cyber-Monday volume: four partners post far more manifests, a crew of
                        surge temps (new to the system) delivers extra routes, and the drivers'
                        proofs of delivery of the Black-Friday backlog (parcels that arrived
                        before Sunday) carry the label too
``outage_catchup``      the UK tracking link is down for two hours (six drivers' handheld scans
                        fail), then each handheld replays its queued scans within minutes
``customs_audit``       the customs authority audits: the broker lead (with history) pulls
                        hundreds of declarations and their documents
``temp_first_day``      a seasonal temp driver's first route (a new user)
``dispatcher_cover``    a dispatcher covers another region's night: new hours, new depots' routes
``retention_purge``     the month-end retention purge deletes old proofs of delivery and tickets
``partner_onboarding``  a new partner's EDI integration (a new service identity) lists every
                        server and tries many tools, some denied
``key_rotation``        IT rotates every partner's API keys, touching rarely used admin tools
``month_end_billing``   the monthly billing close: a large cycle run, invoices and reminders
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Final

from ..model import UserProfile
from ._record import Log
from .catalog import SERVERS, TOOLS
from .org import PARTNERS, REGIONS, Org, Staff
from .work import MIN_US, Clock, Shift

__all__ = ["HARD_NEGATIVES", "SURGE", "add_negatives"]

#: adds one episode's calls; returns the identities it brought in that the history never saw
#: the surge's label: also on the scored day's deliveries of parcels that waited since Friday
SURGE: Final = "benign:peak_surge#0"
#: the feeds that triple on the surge day (the others post as usual)
SURGE_PARTNERS: Final = ("northwind", "kestrel-retail", "bluefin-mart", "orbis-pharma")
Builder = Callable[[Log, Clock, Org, int, str], list[Staff]]


def _surge(log: Log, clock: Clock, org: Org, day: int, label: str) -> list[Staff]:
    rng = log.rng
    for partner in SURGE_PARTNERS:
        who = next(s for s in org.services if s.name == f"svc-edi-{partner}")
        s = Shift(log, who, day, clock.at(day, 0, 9 + rng.uniform(0, 1)), (), label)
        for k in range(rng.randint(6, 10)):
            n = rng.randint(150, 600)
            s.call(
                "tms_import_manifest",
                {"partner": partner, "manifest": f"/edi/{partner}/surge-{k}.x12", "parcels": n},
                result=120 + 40 * n,
            )
            s.wait(rng, 10, 40)
    base = org.of("driver")
    temps = [_newcomer(base[i % len(base)], f"surge.temp{i + 1:02d}") for i in range(8)]
    for temp in temps:
        _route(log, clock, temp, day, label, stops=rng.randint(20, 35))
    return temps


def _newcomer(model: Staff, name: str) -> Staff:
    return replace(model, profile=replace(model.profile, name=name), temp=True)


def _route(log: Log, clock: Clock, who: Staff, day: int, label: str, stops: int) -> None:
    rng = log.rng
    s = Shift(
        log,
        who,
        day,
        clock.at(day, who.profile.tz_hours, 7 + rng.uniform(0, 1)),
        ("tms", "routing"),
        label,
    )
    route = f"R-{who.depot}-{day:02d}-T{rng.randint(10, 99)}"
    s.call("route_get", {"route": route})
    for k in range(stops):
        s.wait(rng, 5, 20)
        parcel = f"DP{who.depot}{rng.getrandbits(32):010d}"
        if rng.random() < 0.08:
            s.call("tms_report_exception", {"parcel": parcel, "reason": "not_home", "route": route})
        else:
            s.call(
                "tms_proof_of_delivery",
                {"parcel": parcel, "route": route, "signed_by": "recipient", "stop": k},
            )
    s.call("tms_update_status", {"route": route, "status": "returned_to_depot"})


def _outage(log: Log, clock: Clock, org: Org, day: int, label: str) -> list[Staff]:
    rng = log.rng
    drivers = [d for d in org.of("driver", "uk") if not d.temp][:6]
    down, up = clock.at(day, 0, 10.0), clock.at(day, 0, 12.0)
    for who in drivers:
        s = Shift(log, who, day, down + int(rng.uniform(0, 10) * MIN_US), (), label)
        queued = []
        while s.ts < up:
            parcel = f"DP{who.depot}{rng.getrandbits(32):010d}"
            queued.append(parcel)
            s.call(
                "tms_proof_of_delivery",
                {"parcel": parcel, "signed_by": "recipient"},
                fail=("error", "service_unavailable"),
            )
            s.wait(rng, 4, 12)
        s.ts = up + int(rng.uniform(1, 6) * MIN_US)
        for parcel in queued:  # the handheld replays its queue as soon as the link is back
            s.call("tms_record_scan", {"event": "delivered_offline", "parcel": parcel})
            s.ts += int(rng.uniform(1, 4) * 1e6)
    return []


def _audit(log: Log, clock: Clock, org: Org, day: int, label: str) -> list[Staff]:
    rng = log.rng
    lead = org.of("broker")[0]
    s = Shift(log, lead, day, clock.at(day, lead.profile.tz_hours, 9.5), ("customs",), label)
    for page in range(12):
        s.call(
            "customs_list_declarations",
            {"period": "2026-Q3", "page": page, "per_page": 200},
            result=260_000,
        )
    for k in range(220):
        decl = f"DEC-26{rng.randint(7, 9):02d}{rng.randint(0, 10**7):07d}"
        s.call("customs_get_declaration", {"declaration": decl})
        if k % 5 == 0:
            s.call("docs_get", {"path": f"/customs/{decl}/invoice.pdf"}, result=90_000)
        s.ts += int(rng.uniform(5, 40) * 1e6)
    return []


def _temp(log: Log, clock: Clock, org: Org, day: int, label: str) -> list[Staff]:
    temp = _newcomer(org.of("driver", "de")[0], "jonas.temp-hire")
    _route(log, clock, temp, day, label, stops=24)
    return [temp]


def _cover(log: Log, clock: Clock, org: Org, day: int, label: str) -> list[Staff]:
    rng = log.rng
    who = org.of("dispatcher", "uk")[0]
    _tz, depots = REGIONS["tr"]
    s = Shift(
        log, who, day, clock.at(day, who.profile.tz_hours, 0.5), ("routing", "telematics"), label
    )
    for k in range(30):
        depot = depots[k % len(depots)]
        s.call("route_get", {"route": f"R-{depot}-{day:02d}-{rng.randint(0, 15):02d}"})
        if rng.random() < 0.3:
            s.call("fleet_vehicle_status", {"depot": depot})
        s.wait(rng, 3, 9)
    return []


def _purge(log: Log, clock: Clock, org: Org, day: int, label: str) -> list[Staff]:
    rng = log.rng
    who = next(s for s in org.services if s.name == "svc-retention")
    s = Shift(log, who, day, clock.at(day, 0, 2.0), (), label)
    for k in range(420):
        s.call("docs_delete", {"path": f"/pod/archive/2024-{k % 12 + 1:02d}/{k:05d}.jpg"})
        s.ts += int(rng.uniform(0.5, 3) * 1e6)
    for k in range(90):
        s.call("crm_delete_ticket", {"ticket": f"TCK-2023-{k:05d}", "reason": "retention"})
    return []


def _onboarding(log: Log, clock: Clock, org: Org, day: int, label: str) -> list[Staff]:
    rng = log.rng
    who = replace(
        org.services[0],
        profile=UserProfile(
            "svc-edi-harbourlink",
            "service",
            0.0,
            0.0,
            24.0,
            ("edi-bridge",),
            "edi-gateway",
            "0.9.0",
        ),
    )
    s = Shift(log, who, day, clock.at(day, 0, 14.0), SERVERS, label)
    tries = [t for t in TOOLS if TOOLS[t] in ("read", "write")]
    for tool in rng.sample(tries, 18):
        allowed = tool.startswith("tms_") or tool.startswith("docs_")
        s.call(
            tool,
            {"partner": "harbourlink", "test": True},
            fail=None if allowed else ("denied", "forbidden"),
        )
        s.wait(rng, 0.2, 2)
    for k in range(5):
        s.call(
            "tms_import_manifest",
            {"partner": "harbourlink", "manifest": f"/edi/test-{k}.x12", "parcels": 10},
        )
    return [who]


def _rotation(log: Log, clock: Clock, org: Org, day: int, label: str) -> list[Staff]:
    rng = log.rng
    who = org.of("it")[0]
    s = Shift(log, who, day, clock.at(day, who.profile.tz_hours, 16.0), ("identity",), label)
    s.call("idp_list_clients", {"kind": "partner"})
    for partner in (*PARTNERS, "webshop"):
        s.call("idp_rotate_api_key", {"client": f"svc-edi-{partner}", "grace_minutes": 60})
        s.call(
            "idp_grant_scope",
            {"client": f"svc-edi-{partner}", "scope": "tms:import"},
            fail=("denied", "forbidden") if partner == "quayline" else None,
        )
        s.call("idp_revoke_token", {"client": f"svc-edi-{partner}", "token": "previous"})
        s.wait(rng, 1, 3)
    s.call("idp_create_client", {"client": "svc-edi-harbourlink", "scopes": ["tms:import"]})
    s.call("idp_audit_log", {"since_hours": 1})
    return []


def _billing(log: Log, clock: Clock, org: Org, day: int, label: str) -> list[Staff]:
    rng = log.rng
    who = next(s for s in org.services if s.name == "svc-billing")
    s = Shift(log, who, day, clock.at(day, 0, 20.0), ("billing",), label)
    s.call("billing_run_cycle", {"cycle": "M-2026-11", "close": True}, result=4_000_000)
    for k in range(160):
        s.call("billing_get_invoice", {"invoice": f"INV-M11-{k:05d}"})
        if rng.random() < 0.5:
            s.call("msg_send_email", {"template": "monthly_statement", "invoice": k})
    return []


_BUILDERS: Final[dict[str, Builder]] = {
    "benign:peak_surge": _surge,
    "benign:outage_catchup": _outage,
    "benign:customs_audit": _audit,
    "benign:temp_first_day": _temp,
    "benign:dispatcher_cover": _cover,
    "benign:retention_purge": _purge,
    "benign:partner_onboarding": _onboarding,
    "benign:key_rotation": _rotation,
    "benign:month_end_billing": _billing,
}
HARD_NEGATIVES: Final[tuple[str, ...]] = tuple(_BUILDERS)


def add_negatives(log: Log, clock: Clock, org: Org, day: int) -> list[Staff]:
    """Every hard negative on ``day`` (the scored day), labelled ``<name>#0``; returns the
    identities they brought in."""
    return [
        who for name, build in _BUILDERS.items() for who in build(log, clock, org, day, f"{name}#0")
    ]
