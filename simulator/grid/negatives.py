"""The scored day's hard negatives: what a utility really lives through, labelled ``benign:``.

Monday 30 November, end of a cold snap: a windstorm in the afternoon brings down lines across
the network; a planned switching order runs in the small hours; an operator covers a
colleague's night; the annual re-billing batch runs; the day-ahead market spikes; the storm's
work orders are closed in one go in the evening; a trainee starts in the control room; the EMS
vendor is called in from Bengaluru; the regulator's quarterly data is exported.
"""

from __future__ import annotations

import random
from typing import Final

from ._writer import Writer
from .org import LOCAL_TZ
from .tasks import args_for
from .world import HOUR_US, MIN_US, World, switching, work, work_outage

__all__ = ["HARD_NEGATIVES", "scored_day"]

_DESCRIBED: Final[dict[str, str]] = {
    "benign:storm_surge": "windstorm: many faults, operators, dispatch, crews and customer calls",
    "benign:switching_night": "planned switching order confirmed step by step after midnight",
    "benign:shift_swap": "an off-rota operator covers a colleague's night shift",
    "benign:rebilling_batch": "annual meter-data re-billing batch, launched by billing",
    "benign:market_spike": "cold-snap price spike: many bids, re-bids and cancellations",
    "benign:mass_wo_closure": "the storm's work orders closed in one go after restoration",
    "benign:trainee_first_shift": "a new control-room trainee's first day shift",
    "benign:vendor_remote_support": "EMS vendor engineer called in at night, Bengaluru time",
    "benign:regulator_export": "quarterly reliability and outage data exported for the regulator",
}
#: the hard negatives on the scored day, in the order they are made
HARD_NEGATIVES: Final[tuple[str, ...]] = tuple(_DESCRIBED)


def scored_day(w: World, wr: Writer, rng: random.Random) -> dict[str, str]:
    """Add every hard negative's calls; returns label -> description."""
    cfg, org = w.config, w.org
    last = cfg.days - 1
    day0 = cfg.attack_start_us
    lab = {name: f"{name}#0" for name in HARD_NEGATIVES}

    # the storm: wind from noon, faults piling up until evening
    wr.strain = 0.03
    orders = []
    for k in range(26):
        t = day0 + 12 * HOUR_US + int(rng.uniform(0, 4.5) * HOUR_US) + k
        orders.append(work_outage(w, wr, t, rng, lab["benign:storm_surge"]))
    wr.strain = 0.0

    switching(w, wr, day0 + 30 * MIN_US, rng, steps=24, label=lab["benign:switching_night"])

    off = [p for p in org.by_role("control_operator") if org.shift(p, last) is None]
    cover = next(p for p in off if org.shift(p, last - 1) is None)
    lo = day0 + int((19 - LOCAL_TZ) * HOUR_US)
    work(w, wr, rng, cover.actor, lo, lo + 5 * HOUR_US, lab["benign:shift_swap"])

    billing = org.by_role("billing")[0].actor
    s = wr.session(
        billing, day0 + int(1.3 * HOUR_US), ("billing", "meterdata"), lab["benign:rebilling_batch"]
    )
    s.call("mdm_get_interval_reads", {"meter": "*", "days": 365}, size=150_000)
    s.call("bill_run_cycle", {"limit": 400, "mode": "rebill"})
    job = wr.session(
        org.services["svc-billing-run"],
        s.ts + 2 * MIN_US,
        ("billing",),
        lab["benign:rebilling_batch"],
    )
    for _ in range(420):
        job.call(
            "bill_rebill_account", args_for("bill_rebill_account", rng, days=365), think=(3, 12)
        )

    for trader in org.by_role("trader")[:2]:
        t = day0 + int(8.2 * HOUR_US) + rng.randrange(10 * MIN_US)
        s = wr.session(trader.actor, t, ("trading",), lab["benign:market_spike"])
        for _ in range(45):
            tool = rng.choice(
                (
                    "trade_get_prices",
                    "trade_submit_bid",
                    "trade_submit_bid",
                    "trade_cancel_bid",
                    "trade_get_positions",
                )
            )
            s.call(tool, args_for(tool, rng), think=(10, 80))

    disp = w.operator(day0 + 22 * HOUR_US, "dispatcher").actor
    s = wr.session(disp, day0 + int(22 * HOUR_US), ("workorders",), lab["benign:mass_wo_closure"])
    s.call("wo_search", {"query": "storm 30-nov", "status": "restored"}, size=40_000)
    for order in orders:  # each storm order and its three follow-up tasks
        for task in (order, f"{order}-T1", f"{order}-T2", f"{order}-T3"):
            s.call("wo_close", {"work_order": task}, think=(5, 25))

    _trainee(w, wr, rng, day0 + int((7 - LOCAL_TZ) * HOUR_US), lab["benign:trainee_first_shift"])

    vendor = org.by_role("vendor")[1].actor
    s = wr.session(
        vendor,
        day0 + int(17.5 * HOUR_US),
        ("tickets", "scada", "historian", "otconfig"),
        lab["benign:vendor_remote_support"],
    )
    for tool in (
        "tkt_get",
        "scada_get_substation",
        "hist_query_tags",
        "hist_query_tags",
        "otcfg_get_file",
        "otcfg_diff",
        "otcfg_diff",
        "otcfg_commit",
        "tkt_comment",
        "scada_get_alarms",
        "hist_query_tags",
        "tkt_comment",
    ):
        s.call(tool, args_for(tool, rng), think=(30, 240))

    reg = org.by_role("regulatory")[0].actor
    s = wr.session(reg, day0 + 13 * HOUR_US, ("oms", "docs"), lab["benign:regulator_export"])
    for q in range(12):
        s.call("oms_reliability_indices", {"days": 90, "region": q})
        s.call(
            "oms_export_outages",
            {"days": 90, "status": "closed", "region": q},
            size=rng.randrange(400_000, 900_000),
        )
    for _ in range(3):
        s.call("doc_upload", args_for("doc_upload", rng))
    return {lab[n]: text for n, text in _DESCRIBED.items()}


def _trainee(w: World, wr: Writer, rng: random.Random, t: int, label: str) -> None:
    """Shadows the day shift: opens every server, reads procedures, is refused the writes."""
    s = wr.session(w.org.trainee, t + 20 * MIN_US, ("scada", "oms", "gis", "docs"), label)
    s.denied = frozenset({"ems_confirm_switching_step", "oms_close_outage", "oms_create_outage"})
    for name in ("control-room-induction", "switching-basics", "alarm-handling"):
        s.read(f"docs://training/{name}")
    end = t + 11 * HOUR_US
    while s.ts < end:
        tool = rng.choice(
            (
                "scada_get_alarms",
                "scada_get_feeder_status",
                "scada_get_substation",
                "oms_list_outages",
                "gis_trace_feeder",
                "ems_get_load_forecast",
                "ems_confirm_switching_step",
                "oms_close_outage",
            )
        )
        s.call(tool, args_for(tool, rng), think=(60, 900))
