"""The carrier's automations (``svc-*``): each runs on its own clock, in its own sessions.

``svc-alarm-poller``  pulls the alarm list every 2 min (and link states in the fibre cut)
``svc-porting-sync``  syncs port states with the national clearinghouse every 15 min
``svc-mediation``     loads usage batches every 30 min, bigger in the day
``svc-provisioning``  activates SIMs, eSIMs and fibre ONTs as orders arrive (diurnal; three
                      times as many on the handset launch); the HLR blip fails and is retried
``svc-change-runner`` implements scheduled changes in the Tue/Thu windows
``svc-bill-run``      starts the month-end cycles at local midnight and polls them
"""

from __future__ import annotations

import random
from typing import Final

from ._emit import SEC, Recorder, Session
from .catalog import make_args
from .tasks import go
from .world import DAY, HOUR, MINUTE, World

__all__ = ["JOBS", "run_jobs"]

#: job → (agent, client, version)
JOBS: Final[dict[str, tuple[str, str, str]]] = {
    "svc-alarm-poller": ("alarm-correlator", "correlator", "4.0.1"),
    "svc-porting-sync": ("port-syncd", "syncd", "2.7.0"),
    "svc-mediation": ("mediation", "mediation-gw", "9.3.2"),
    "svc-provisioning": ("provisioning-orchestrator", "orchestrator", "6.1.0"),
    "svc-change-runner": ("change-runner", "runner", "1.12.4"),
    "svc-bill-run": ("bill-run", "bss-batch", "3.3.0"),
}


def _session(rec: Recorder, job: str) -> Session:
    agent, client, version = JOBS[job]
    return rec.session(job, agent, client, version)


def _daily(rec: Recorder, job: str, w: World) -> dict[int, Session]:
    return {d: _session(rec, job) for d in range(w.days)}


def run_jobs(rec: Recorder, w: World, seed: int) -> None:
    """Every job's calls over the span."""
    rng = random.Random(f"telco:{seed}:jobs")

    def day(ts: int) -> int:
        return (ts - w.start_us) // DAY

    poller = _daily(rec, "svc-alarm-poller", w)
    ts = w.start_us + int(rng.uniform(0, 120) * SEC)
    while ts < w.end_us:
        s = poller[day(ts)]
        tr = rec.trace()
        t = go(s, ts, rng, tr, "alarm_list", (0.1, 0.5), severity="major", since_min=5)
        if w.in_cut(ts):
            for _ in range(rng.randint(2, 5)):
                t = go(s, t, rng, tr, "link_status_get", (0.1, 0.4))
        ts += int(rng.uniform(118, 122) * SEC)
    sync = _daily(rec, "svc-porting-sync", w)
    for k in range(w.days * 96):
        ts = w.start_us + k * 15 * MINUTE + int(rng.uniform(5, 30) * SEC)
        go(sync[day(ts)], ts, rng, rec.trace(), "port_status_sync", since_min=15)
    mediation = _daily(rec, "svc-mediation", w)
    for k in range(w.days * 48):
        ts = w.start_us + k * 30 * MINUTE + int(rng.uniform(60, 240) * SEC)
        busy = 7 <= w.local_hour(ts) < 23
        records = rng.randint(40_000, 90_000) if busy else rng.randint(8_000, 20_000)
        go(mediation[day(ts)], ts, rng, rec.trace(), "usage_batch_load", records=records)
    _provisioning(rec, w, rng)
    _changes(rec, w, rng)
    _bill_runs(rec, w, rng)


def _provisioning(rec: Recorder, w: World, rng: random.Random) -> None:
    sessions = _daily(rec, "svc-provisioning", w)
    blip_a, blip_b = w.hlr_blip
    ts = w.start_us
    while True:
        hour = w.local_hour(ts)
        per_hour = 28.0 if 8 <= hour < 21 else 5.0
        if w.local_day(ts) == w.launch_day and 8 <= hour < 15:
            per_hour *= 3
        ts += int(rng.expovariate(per_hour) * HOUR)
        if ts >= w.end_us:
            return
        s, tr = sessions[(ts - w.start_us) // DAY], rec.trace()
        msisdn = "+35191" + str(rng.randrange(10**6, 10**7))
        down = blip_a <= ts < blip_b
        err = "service_unavailable" if down else None
        t = s.call(ts, "hlr_subscriber_get", make_args("hlr_subscriber_get", rng, msisdn=msisdn),
                   tr, rng, error=err)  # fmt: skip
        r = rng.random()
        tool = "sim_activate" if r < 0.55 else "esim_profile_download" if r < 0.75 else (
            "ont_activate")  # fmt: skip
        fixed = {"msisdn": msisdn} if tool != "ont_activate" else {}
        t += int(rng.uniform(0.2, 1.5) * SEC)
        s.call(t, tool, make_args(tool, rng, **fixed), tr, rng, error=err)


def _changes(rec: Recorder, w: World, rng: random.Random) -> None:
    for a, b in w.windows():
        if a >= w.end_us:
            continue
        s = _session(rec, "svc-change-runner")
        ts = a + int(rng.uniform(15, 30) * MINUTE)
        for _ in range(rng.randint(3, 6)):
            if ts >= b - 20 * MINUTE:
                break
            tr, ch = rec.trace(), f"CHG-{rng.randrange(10**5, 10**6)}"
            ts = go(s, ts, rng, tr, "change_get", (1, 3), change=ch)
            ts = go(s, ts, rng, tr, "change_implement_start", (1, 3), change=ch)
            tool = rng.choice(("node_reboot", "traffic_reroute", "asset_decommission"))
            ts = go(s, ts, rng, tr, tool, (60, 240), change=ch) if tool != "traffic_reroute" else (
                go(s, ts, rng, tr, tool, (60, 240)))  # fmt: skip
            ts = go(s, ts, rng, tr, "link_status_get", (5, 20))
            ts = go(s, ts, rng, tr, "change_implement_close", (1, 3), change=ch)
            ts += int(rng.uniform(10, 40) * MINUTE)


def _bill_runs(rec: Recorder, w: World, rng: random.Random) -> None:
    for d in w.bill_days:
        s = _session(rec, "svc-bill-run")
        ts = w.local(d, 0) + int(rng.uniform(3, 8) * MINUTE)
        tr = rec.trace()
        for cycle in range(1, 5):
            ts = go(s, ts, rng, tr, "bill_run_start", (5, 20), cycle=f"C{cycle}")
        end = ts + int(rng.uniform(5.5, 7) * HOUR)
        while ts < end:
            ts = go(s, ts, rng, tr, "bill_run_status", (290, 310),
                    cycle=f"C{rng.randint(1, 4)}")  # fmt: skip
        go(s, ts, rng, tr, "leakage_report", (1, 2), stream="billing")
