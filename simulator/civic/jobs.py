"""The city's service accounts, each on its own schedule (all under the ``harlow-batch`` client).

==============  ====================================================================
svc-scada       pushes telemetry every 5 min, every 2 min in a storm or main break
svc-311intake   files web and app requests as 311 demand comes (geocode, create, route)
svc-payimport   imports payment files at 08, 12, 16 and 20 local, then posts a journal
svc-meterread   imports 24 meter-read routes nightly at 01:00
svc-retention   purges what the retention schedule says, nightly at 02:00 (3–12 documents)
svc-gissync     replicates six GIS layers nightly at 03:00
==============  ====================================================================

A run listed in ``skip`` (job, local day) is left to the scored day's hard negatives.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from typing import Any, Final

from ._emit import Recorder, Session
from .events import HOUR_US, MINUTE_US, Calendar
from .people import JOBS

__all__ = ["CLIENT", "job_session", "run_jobs"]

CLIENT: Final = "harlow-batch"
_AGENTS: Final = {j.name: j.agent for j in JOBS}
_LAYERS: Final = ("parcels", "water_mains", "valves", "zoning", "snow_routes", "wards")


def job_session(rec: Recorder, job: str, ts: int) -> Session:
    """A new session of ``job``."""
    return rec.session(job, _AGENTS[job], CLIENT, ts)


def run_jobs(rec: Recorder, cal: Calendar, seed: int, skip: Collection[tuple[str, int]]) -> None:
    """Every job's runs over the span, but those in ``skip``."""
    rng = random.Random(f"civic:jobs:{seed}")
    for day in range(-1, cal.days):
        _scada(rec, cal, day)
        _intake(rec, cal, day, rng)
        for hour in (8, 12, 16, 20):
            if ("svc-payimport", day) not in skip or hour != 8:
                payimport(rec, cal.at(day, hour + rng.random() / 20), rng.randint(2, 6))
        routes = [f"R{r}" for r in range(1, 25)]
        nightly = (
            ("svc-meterread", 1.0, (("meter_read_import", "route", routes),)),
            ("svc-retention", 2.0, (("doc_search", "series", ["GS-1"]),
                                    ("doc_purge", "doc", [f"DOC-{rng.randint(10**6, 2 * 10**6 - 1)}"
                                                          for _ in range(rng.randint(3, 12))]))),
            ("svc-gissync", 3.0, (("layer_query", "layer", list(_LAYERS) * 4),)),
        )  # fmt: skip
        for job, at, steps in nightly:
            if (job, day) in skip:
                continue
            ts = cal.at(day, at + rng.random() / 30)
            s, trace = job_session(rec, job, ts), rec.hex(32)
            for tool, field, values in steps:
                for v in values:
                    ts = rec.call(s, ts, tool, trace, {field: v}, retry=True) - 1_000_000


def _scada(rec: Recorder, cal: Calendar, day: int) -> None:
    ts, end = cal.midnight(day), cal.midnight(day + 1)
    s, stations = job_session(rec, "svc-scada", ts), 0
    while ts < end:
        trace = rec.hex(32)
        ctx: dict[str, Any] = {"station": f"scada-{stations % 7}", "days": rec.rng.randint(6, 30)}
        rec.call(s, ts + rec.rng.randint(0, 4_000_000), "telemetry_push", trace, ctx, retry=False)
        stations += 1
        ts += (2 if cal.surge(ts) > 1 else 5) * MINUTE_US


def _intake(rec: Recorder, cal: Calendar, day: int, rng: random.Random) -> None:
    ts, end = cal.midnight(day), cal.midnight(day + 1)
    s = job_session(rec, "svc-311intake", ts)
    steps = (("address_geocode", 1.0), ("sr_create", 1.0), ("sr_route", 0.5))
    while True:
        ts += int(rng.expovariate(4.0 * cal.demand_311(ts)) * HOUR_US)
        if ts >= end:
            return
        trace, t = rec.hex(32), ts
        ctx: dict[str, Any] = {"channel": "web"}
        for tool, p in steps:
            if rng.random() < p:
                t = rec.call(s, t, tool, trace, ctx) - 1_000_000


def payimport(rec: Recorder, ts: int, files: int, label: str = "") -> int:
    """One payment-import run of ``files`` files from ``ts``; returns when it ends."""
    s, trace = job_session(rec, "svc-payimport", ts), rec.hex(32)
    for _ in range(files):
        ts = rec.call(s, ts, "payment_import", trace, {}, label) - 1_000_000
    return rec.call(s, ts, "journal_entry_post", trace, {"fund": "water"}, label)
