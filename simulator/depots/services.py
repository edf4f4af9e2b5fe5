"""The service identities on their schedules: EDI feeds, the optimiser, pollers and batch jobs.

Partner feeds post their manifests on their own schedule (hourly, nightly at 01:00, or per
order); the web shop posts per order. The route optimiser runs at 03:00 UTC per region, the
telematics poller every ten minutes, the warehouse export at 01:30, the retention job on Sunday
nights, the billing run on Saturday mornings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Final

from ._record import Log
from .flow import Parcel, schedule_of
from .org import REGIONS, Org, Staff
from .work import DAY_US, HOUR_US, MIN_US, Clock, Shift

__all__ = ["DWH_TABLES", "feeds", "jobs"]

DWH_TABLES: Final = ("shipments", "scans", "routes", "tickets", "invoices", "customers")


def _svc(org: Org, name: str) -> Staff:
    return next(s for s in org.services if s.name == name)


def feeds(log: Log, clock: Clock, org: Org, day: int, parcels: Sequence[Parcel]) -> None:
    """Each source posts the day's parcels as manifests on its schedule."""
    groups: dict[tuple[str, int, str], list[Parcel]] = defaultdict(list)
    for p in parcels:
        when = schedule_of(p.source)
        if when == "hourly":
            slot = (p.arrived - clock.start) // HOUR_US + 1
        elif when == "nightly":
            slot = ((p.arrived - clock.start) // DAY_US + 1) * 24 + 1
        else:
            slot = -int(p.arrived // MIN_US)  # per order (one minute's orders together)
        groups[(p.source, slot, p.label)].append(p)
    rng = log.rng
    for (source, slot, label), batch in groups.items():
        who = _svc(org, "svc-webshop" if source == "webshop" else f"svc-edi-{source}")
        if slot < 0:
            ts = -slot * MIN_US + int(rng.uniform(0, 50) * 1e6)
        else:
            ts = clock.start + slot * HOUR_US + int(rng.uniform(1, 9) * MIN_US)
        s = Shift(log, who, day, ts, (), label)
        s.call(
            "tms_import_manifest",
            {
                "partner": source,
                "manifest": f"/edi/{source}/{ts // MIN_US}.x12",
                "parcels": len(batch),
            },
            result=120 + 40 * len(batch),
        )
        if source == "orbis-pharma" and rng.random() < 0.3:
            s.call("tms_update_status", {"partner": source, "status": "cold_chain_ack"})


def jobs(log: Log, clock: Clock, org: Org, day: int, vans: int) -> None:
    """The scheduled jobs of ``day``."""
    rng = log.rng
    wd = clock.weekday(day)
    opt = Shift(log, _svc(org, "svc-route-optimiser"), day, clock.at(day, 0, 3.0), ("routing",))
    for region in REGIONS:
        opt.call("route_optimise_batch", {"region": region, "horizon_hours": 24})
    poller = _svc(org, "svc-telematics")
    tele = Shift(log, poller, day, clock.at(day, 0, 0.02), ())
    for k in range(144):
        tele.ts = clock.at(day, 0, k / 6) + int(rng.uniform(0, 20) * 1e6)
        tele.call("fleet_poll_positions", {"fleet": "all", "vehicles": vans}, result=90 * vans)
        if k % 36 == 5:
            tele.call("fleet_set_geofence", {"fleet": "all", "refresh": True})
    dwh = Shift(log, _svc(org, "svc-dwh-export"), day, clock.at(day, 0, 1.5), ("analytics",))
    for table in DWH_TABLES:
        dwh.call("dwh_export_table", {"table": table, "partition": f"d{day}"}, result=2_000_000)
    if wd == 6:  # Sunday night: drop proofs of delivery older than the retention period
        ret = Shift(log, _svc(org, "svc-retention"), day, clock.at(day, 0, 2.25), ())
        for k in range(rng.randint(8, 16)):
            ret.call("docs_delete", {"path": f"/pod/archive/w{day // 7 - 26}/{k:04d}.jpg"})
        ret.call("crm_close_ticket", {"ticket": "TCK-RETENTION", "status": "archived"})
    if wd == 5:  # Saturday morning: the weekly billing run
        bill = Shift(log, _svc(org, "svc-billing"), day, clock.at(day, 0, 4.0), ("billing",))
        bill.call("billing_run_cycle", {"cycle": f"W{day // 7}"}, result=600_000)
        for k in range(rng.randint(20, 35)):
            bill.call("billing_get_invoice", {"invoice": f"INV-W{day // 7}-{k:04d}"})
            bill.call("msg_send_email", {"template": "invoice_ready", "invoice": k})
