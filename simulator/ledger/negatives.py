"""Hard negatives on the scored day (Monday 30 Nov: Cyber Monday and month end): labelled
bursts a detector should not alert on, each caused by something the company lives with.

``month_end_close``     London finance posts adjustments and exports the ledger until 23:00
``fraud_ring_freeze``   two New York analysts freeze a card-testing ring's accounts
``bank_outage_replay``  Liberty Bank's gateway is down two hours; its uploads fail, then replay
``regulator_export``    a compliance officer pulls every KYC case the regulator asked for
``new_hire``            a support agent's first day: new identity, tools listed, refunds denied
``oncall_night``        a Berlin engineer paged at 02:30 local for a settlement stall
``cardnet_reprocess``   the card network resends its clearing file; every dispute re-read
``dispute_deadline``    London dispute handlers submit before the network's cut-off
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from tooltrail.simulator import Incident

from .generate import H, M, World
from .org import Person
from .trail import Actor

__all__ = ["HARD_NEGATIVES", "run"]

HARD_NEGATIVES: Final[tuple[str, ...]] = (
    "benign:month_end_close",
    "benign:fraud_ring_freeze",
    "benign:bank_outage_replay",
    "benign:regulator_export",
    "benign:new_hire",
    "benign:oncall_night",
    "benign:cardnet_reprocess",
    "benign:dispute_deadline",
)


def _team(world: World, role: str, office: str) -> list[Person]:
    return [p for p in world.people if p.role == role and p.office == office]


def run(world: World) -> list[Incident]:
    """Record every hard negative on the last day; returns their bursts."""
    out = []
    for name, make in _MAKERS.items():
        label = f"{name}#0"
        before = len(world.trail.calls)
        who = make(world, label)
        mine = world.trail.calls[before:]
        labelled = [c for c in mine if c.label == label]
        out.append(
            Incident(label, name, who.name, who.agent, who.client, labelled[0].ts,
                     max(c.ts for c in labelled), len(labelled), _STORY[name])
        )  # fmt: skip
    return out


def _month_end(world: World, label: str) -> Actor:
    d, day = world.config.days - 1, world.day_start(world.config.days - 1)
    team = _team(world, "finance", "london")[:2]
    for p in team:
        a, t = world.actor(p, d), day + 17 * H + world.gap(0, 1800)
        while t < day + 23 * H:
            tool = world.rng.choice(("ledger_post_adjustment", "ledger_get_entry",
                                     "ledger_trial_balance", "ledger_post_adjustment"))  # fmt: skip
            args = {"period": "2026-11", "account": f"{world.rng.randint(1000, 4999)}-accrual"}
            t = world.trail.call(t, a, tool, args, shift=d, label=label) + world.gap(60, 400)
        world.trail.call(t, a, "ledger_export", {"period": "2026-11", "format": "csv"},
                         shift=d, size=1.5, label=label)  # fmt: skip
    return world.actor(team[0], d)


def _fraud_ring(world: World, label: str) -> Actor:
    d, day = world.config.days - 1, world.day_start(world.config.days - 1)
    team = _team(world, "fraud", "newyork")[:2]
    t0 = day + 15 * H + world.gap(0, 1200)
    for k, p in enumerate(team):
        a, t = world.actor(p, d), t0 + k * 20 * 1_000_000
        t = world.trail.call(t, a, "fraud_list_alerts", {"queue": "us", "rule": "card_testing"},
                             shift=d, size=8, label=label)  # fmt: skip
        for _ in range(36):
            t = world.trail.call(t + world.gap(5, 20), a, "account_freeze",
                                 {"account": f"ac_{world.rng.getrandbits(40):010x}",
                                  "reason": "ring_CT-2211"}, shift=d, label=label)  # fmt: skip
    return world.actor(team[0], d)


def _bank_outage(world: World, label: str) -> Actor:
    d, day = world.config.days - 1, world.day_start(world.config.days - 1)
    who = world.service("svc-bank-liberty")
    files = [f"ACH{d:02d}LIB{k:03d}.csv" for k in range(40)]
    t = day + 10 * H + world.gap(0, 300)
    for f in files:  # the bridge keeps trying as files arrive
        args = {"bank": "liberty", "file": f}
        t = world.trail.call(
            t, who, "bankfile_upload", args, shift=d, err="service_unavailable", label=label
        )
        t += world.gap(120, 200)
    t = max(t, day + 12 * H + 5 * M)
    for f in files:  # the gateway is back: replay in order
        t = world.trail.call(t, who, "bankfile_upload", {"bank": "liberty", "file": f}, shift=d,
                             label=label) + world.gap(2, 6)  # fmt: skip
    return who


def _regulator(world: World, label: str) -> Actor:
    d, day = world.config.days - 1, world.day_start(world.config.days - 1)
    p = _team(world, "compliance", "berlin")[0]
    a, t = world.actor(p, d), day + 9 * H + world.gap(0, 1800)
    for _ in range(6):
        t = world.trail.call(t, a, "report_export", {"report": "kyc_cases", "since": "2024-01"},
                             shift=d, label=label) + world.gap(30, 120)  # fmt: skip
    for _ in range(150):
        t = world.trail.call(t, a, "kyc_get_case",
                             {"case": f"kyc_{world.rng.getrandbits(40):010x}"}, shift=d,
                             label=label) + world.gap(3, 15)  # fmt: skip
    return a


def _new_hire(world: World, label: str) -> Actor:
    d, day = world.config.days - 1, world.day_start(world.config.days - 1)
    a = Actor("noor.h", "support-assist", "zendesk-mcp", "1.9.0", ("crm", "payments-core",
              "disputes"))  # fmt: skip
    t = day + 10 * H + world.gap(0, 600)
    for k in range(8):
        t = world.trail.call(t, a, "ticket_get", {"ticket": f"tk_train{k}"}, shift=d, label=label)
        t = world.trail.call(t + world.gap(30, 200), a, "customer_lookup",
                             {"customer": f"cu_train{k}"}, shift=d, label=label)  # fmt: skip
        if k % 3 == 1:  # refunds need a permission granted after training
            t = world.trail.call(t + world.gap(), a, "refund_create",
                                 {"txn": f"tx_train{k}", "amount": 20.0}, shift=d,
                                 err="forbidden", label=label)  # fmt: skip
        t += world.gap(300, 900)
    return a


def _oncall(world: World, label: str) -> Actor:
    d, day = world.config.days - 1, world.day_start(world.config.days - 1)
    p = _team(world, "engineer", "berlin")[0]
    a, t = world.actor(p, d), day + int(1.5 * H) + world.gap(0, 600)
    d = -10  # paged from bed: a session of its own
    t = world.trail.call(t, a, "incident_page", {"service": "settlement-eu"}, shift=d,
                         label=label)  # fmt: skip
    t = world.trail.read(t + world.gap(), a, "runbook://settlement/stalled-batch", 11_000,
                         shift=d, label=label)  # fmt: skip
    for k in range(14):
        tool = ("logs_search", "metrics_query", "settle_batch_status")[k % 3]
        args = {"query": "service:settlement level:error", "range": "2h"} if k % 3 == 0 else {}
        args = args or ({"query": "settle.queue_depth"} if k % 3 == 1 else {"batch": "stl_eu"})
        t = world.trail.call(t + world.gap(20, 180), a, tool, args, shift=d, label=label)
    return a


def _cardnet(world: World, label: str) -> Actor:
    d, day = world.config.days - 1, world.day_start(world.config.days - 1)
    who = world.service("svc-cardnet")
    t = day + 4 * H + world.gap(0, 900)
    for _ in range(220):
        t = world.trail.call(t, who, "dispute_get",
                             {"dispute": f"dp_{world.rng.getrandbits(40):010x}",
                              "reprocess": "CLR-1130-R1"}, shift=d, label=label)  # fmt: skip
        t = world.trail.call(t + 200_000, who, "txn_get",
                             {"txn": f"tx_{world.rng.getrandbits(40):010x}"}, shift=d,
                             label=label) + world.gap(0.2, 1)  # fmt: skip
    return who


def _deadline(world: World, label: str) -> Actor:
    d, day = world.config.days - 1, world.day_start(world.config.days - 1)
    team = _team(world, "disputes", "london")[:2]
    for p in team:
        a, t = world.actor(p, d), day + 14 * H + world.gap(0, 600)
        for _ in range(20):
            case = f"dp_{world.rng.getrandbits(40):010x}"
            t = world.trail.call(t, a, "dispute_get", {"dispute": case}, shift=d, label=label)
            t = world.trail.call(t + world.gap(20, 60), a, "dispute_attach_evidence",
                                 {"dispute": case, "kind": "delivery_proof"}, shift=d,
                                 label=label)  # fmt: skip
            t = world.trail.call(t + world.gap(5, 20), a, "dispute_submit", {"dispute": case},
                                 shift=d, label=label) + world.gap(30, 120)  # fmt: skip
    return world.actor(team[0], d)


_STORY: Final[dict[str, str]] = {
    "benign:month_end_close": "London finance posts adjustments and exports the ledger late",
    "benign:fraud_ring_freeze": "two analysts freeze a card-testing ring's accounts",
    "benign:bank_outage_replay": "a partner bank's gateway is down; uploads fail, then replay",
    "benign:regulator_export": "a compliance officer pulls the KYC cases a regulator asked for",
    "benign:new_hire": "a support agent's first day",
    "benign:oncall_night": "an engineer paged at night for a stalled settlement batch",
    "benign:cardnet_reprocess": "the card network resends its clearing file",
    "benign:dispute_deadline": "dispute handlers submit before the network's cut-off",
}
_MAKERS: Final[dict[str, Callable[[World, str], Actor]]] = {
    "benign:month_end_close": _month_end,
    "benign:fraud_ring_freeze": _fraud_ring,
    "benign:bank_outage_replay": _bank_outage,
    "benign:regulator_export": _regulator,
    "benign:new_hire": _new_hire,
    "benign:oncall_night": _oncall,
    "benign:cardnet_reprocess": _cardnet,
    "benign:dispute_deadline": _deadline,
}
