"""The work the payments cause: each flow makes its team's queue items or a batch job's runs.

authorisation → fraud alerts and customer contacts (by each region's hourly payment volume);
capture → each region's end-of-day settlement batch, whose failed captures go to payments
operations; settlement → partner banks' confirmation files, reconciled by ``svc-recon``, whose
exceptions go to finance; chargebacks → the card network's daily file and dispute handlers;
merchant sign-ups → KYC cases (documents read, more requested, decided); treasury funds the
settlement accounts each morning; engineers check deploys and take pages when a bank's
gateway times out.
"""

from __future__ import annotations

from typing import Any

from .generate import BANKS, DAY, REGIONS, H, Item, M, S, World, serve
from .org import Person

__all__ = ["run"]


def _id(world: World, prefix: str) -> str:
    return f"{prefix}_{world.rng.getrandbits(40):010x}"


def _poisson(world: World, lam: float) -> int:
    n, t = 0, world.rng.expovariate(1.0)
    while t < lam:
        n += 1
        t += world.rng.expovariate(1.0)
    return n


def run(world: World) -> None:
    """Every flow over the simulated days (the scored day included)."""
    items: dict[str, list[Item]] = {r: [] for r in ("fraud", "support", "disputes")}
    items.update({r: [] for r in ("compliance", "finance", "payops", "engineer", "treasury")})
    seq = iter(range(10**9))
    for d in range(world.config.days):
        day = world.day_start(d)
        for h in range(24):
            for region in REGIONS:
                vol = world.volume(region, day + h * H)
                for _ in range(_poisson(world, vol * 1.1e-4)):
                    t = day + h * H + int(world.rng.random() * H)
                    items["fraud"].append((t, next(seq), "alert", {"region": region}))
                for _ in range(_poisson(world, vol * 0.9e-4)):
                    t = day + h * H + int(world.rng.random() * H)
                    items["support"].append((t, next(seq), "contact", {"region": region}))
        _settlement(world, d, items["payops"], seq)
        _bank_files(world, d, items, seq)
        _card_network(world, d, items["disputes"], seq)
        _kyc_intake(world, d, items["compliance"], seq)
        if world.weekday(d) < 5:
            for _ in range(world.rng.randint(2, 4)):
                t = day + int(world.rng.uniform(8, 16) * H)
                items["engineer"].append((t, next(seq), "deploy", {}))
    for role, handler in _HANDLERS.items():
        serve(world, role, items[role], handler)
    _routines(world)


def _settlement(world: World, d: int, payops: list[Item], seq: Any) -> None:
    svc = world.service("svc-settlement")
    for region, (tz, _) in REGIONS.items():
        t = world.day_start(d) + int((22 - tz) * H) % DAY
        count = int(sum(world.volume(region, world.day_start(d) + h * H) for h in range(24)))
        batch = _id(world, "stl")
        t = svc_call(world, svc, t, d, "settle_create_batch",
                     {"region": region, "captures": count, "cutoff": "22:00"})  # fmt: skip
        for _ in range(world.rng.randint(2, 4)):
            t = svc_call(world, svc, t + 3 * M, d, "settle_batch_status", {"batch": batch})
        svc_call(world, svc, t + M, d, "settle_submit_batch", {"batch": batch})
        for _ in range(_poisson(world, count / 400_000)):
            payops.append((t + 2 * H, next(seq), "capture", {"batch": batch}))


def svc_call(world: World, who: Any, t: int, d: int, tool: str, args: dict[str, Any],
             err: str | None = None, size: float = 1.0) -> int:  # fmt: skip
    """A service account's call, in its run's session (one per day)."""
    return world.trail.call(t, who, tool, args, shift=d, err=err, size=size) + world.gap(1, 5)


def _bank_files(world: World, d: int, items: dict[str, list[Item]], seq: Any) -> None:
    if world.weekday(d) >= 5:
        return
    recon = world.service("svc-recon")
    for bank, tz in BANKS.items():
        who = world.service(f"svc-bank-{bank}")
        t = world.day_start(d) + int((5 - tz) * H) % DAY + world.gap(0, 600)
        name = f"STL{d:02d}{bank[:3].upper()}.csv"
        t = svc_call(world, who, t, d, "bankfile_upload", {"bank": bank, "file": name})
        t += 10 * M + world.gap(0, 300)
        t = svc_call(world, recon, t, d, "bankfile_list", {"bank": bank, "since": "24h"})
        if bank == "northbank" and world.rng.random() < 0.3:  # their gateway is slow at 05:00
            t = svc_call(world, recon, t, d, "bankfile_fetch", {"bank": bank, "file": name},
                         err="timeout")  # fmt: skip
            items["engineer"].append((t, next(seq), "page", {"bank": bank}))
            t += 15 * M
        t = world.trail.read(t, recon, f"sftp://{bank}/inbound/{name}", 350_000, shift=d)
        t = svc_call(world, recon, t + 5 * S, d, "recon_run", {"bank": bank, "file": name})
        t = svc_call(world, recon, t, d, "bankfile_ack", {"bank": bank, "file": name})
        for _ in range(_poisson(world, 7)):
            items["finance"].append((t, next(seq), "exception", {"bank": bank}))


def _card_network(world: World, d: int, disputes: list[Item], seq: Any) -> None:
    if world.weekday(d) >= 5:
        return
    cardnet = world.service("svc-cardnet")
    t = world.day_start(d) + int(11 * H) + world.gap(0, 900)  # 06:00 New York
    t = svc_call(world, cardnet, t, d, "dispute_list", {"status": "new", "source": "network"})
    for _ in range(_poisson(world, 9)):
        case = _id(world, "dp")
        t = svc_call(world, cardnet, t, d, "dispute_get", {"dispute": case})
        t = svc_call(world, cardnet, t, d, "txn_get", {"txn": _id(world, "tx")})
        disputes.append((t, next(seq), "dispute", {"dispute": case}))


def _kyc_intake(world: World, d: int, compliance: list[Item], seq: Any) -> None:
    if world.weekday(d) >= 5:
        return
    intake = world.service("svc-kyc-intake")
    for h in range(8, 18):  # merchants sign up in Berlin business hours
        for _ in range(_poisson(world, 1.6)):
            t = world.day_start(d) + int((h - 1) * H) + world.gap(0, 3500)
            case = _id(world, "kyc")
            svc_call(world, intake, t, d, "kyc_get_case", {"case": case, "stage": "intake"})
            compliance.append((t + M, next(seq), "case", {"case": case, "docs": 0}))


def _fraud(world: World, p: Person, t: int, d: int, kind: str, pl: dict[str, Any]) -> int:
    a, c = world.actor(p, d), world.trail.call
    if world.rng.random() < 0.15:
        t = c(t, a, "fraud_list_alerts", {"queue": pl["region"], "status": "open"}, shift=d)
    alert = _id(world, "fa")
    t = c(t + world.gap(), a, "fraud_get_alert", {"alert": alert}, shift=d)
    t = c(t + world.gap(), a, "txn_search", {"card_ref": _id(world, "cr"), "days": 30,
                                             "limit": 50}, shift=d)  # fmt: skip
    if world.rng.random() < 0.3:
        t = c(t + world.gap(), a, "customer_lookup", {"customer": _id(world, "cu")}, shift=d)
    if world.rng.random() < 0.12:
        t = c(t + world.gap(), a, "account_freeze", {"account": _id(world, "ac"),
                                                     "reason": "fraud_alert"}, shift=d)  # fmt: skip
    return c(t + world.gap(), a, "fraud_close_alert", {"alert": alert}, shift=d)


def _support(world: World, p: Person, t: int, d: int, kind: str, pl: dict[str, Any]) -> int:
    a, c, r = world.actor(p, d), world.trail.call, world.rng.random()
    ticket, cust = _id(world, "tk"), _id(world, "cu")
    t = c(t, a, "ticket_get", {"ticket": ticket}, shift=d)
    t = c(t + world.gap(), a, "customer_lookup", {"customer": cust}, shift=d)
    bad = world.rng.random() < 0.03
    t = c(t + world.gap(), a, "txn_search",
          {"customer": cust, "from": "2026-13-01" if bad else "2026-11-01", "limit": 25},
          shift=d, err="validation_error" if bad else None)  # fmt: skip
    if r < 0.2:
        err = "forbidden" if world.rng.random() < 0.08 else None
        err = "conflict" if err is None and world.rng.random() < 0.05 else err
        amount = world.rng.choice((12.5, 29.99, 49.0, 120.0, 640.0))
        t = c(t + world.gap(), a, "refund_create", {"txn": _id(world, "tx"), "amount": amount},
              shift=d, err=err)  # fmt: skip
    elif r < 0.3:
        t = c(t + world.gap(), a, "dispute_list", {"customer": cust}, shift=d)
        t = c(t + world.gap(), a, "dispute_get", {"dispute": _id(world, "dp")}, shift=d)
    elif r < 0.4:
        args = {"customer": cust, "field": "email"}
        t = c(t + world.gap(), a, "customer_update_contact", args, shift=d)
    t = c(t + world.gap(), a, "ticket_reply", {"ticket": ticket, "template": "resolved"},
          shift=d)  # fmt: skip
    return c(t + world.gap(), a, "ticket_close", {"ticket": ticket}, shift=d)


def _dispute(world: World, p: Person, t: int, d: int, kind: str, pl: dict[str, Any]) -> int:
    a, c, case = world.actor(p, d), world.trail.call, pl["dispute"]
    t = c(t, a, "dispute_get", {"dispute": case}, shift=d)
    for k in range(world.rng.randint(1, 2)):
        t = world.trail.read(t + world.gap(), a, f"disputes://{case}/evidence/{k + 1}",
                             world.rng.randint(4_000, 60_000), shift=d)  # fmt: skip
    t = c(t + world.gap(), a, "txn_get", {"txn": _id(world, "tx")}, shift=d)
    if world.rng.random() < 0.7:
        t = c(t + world.gap(20, 200), a, "dispute_attach_evidence",
              {"dispute": case, "kind": "delivery_proof"}, shift=d)  # fmt: skip
        return c(t + world.gap(), a, "dispute_submit", {"dispute": case}, shift=d)
    return c(t + world.gap(), a, "dispute_accept", {"dispute": case}, shift=d)


def _kyc(world: World, p: Person, t: int, d: int, kind: str, pl: dict[str, Any]) -> int:
    a, c, case = world.actor(p, d), world.trail.call, pl["case"]
    t = c(t, a, "kyc_get_case", {"case": case}, shift=d)
    for doc in ("passport", "proof_of_address", "registry_extract")[: world.rng.randint(1, 3)]:
        t = world.trail.read(t + world.gap(10, 90), a, f"kyc://{case}/docs/{doc}.pdf",
                             world.rng.randint(150_000, 900_000), shift=d)  # fmt: skip
    t = c(t + world.gap(), a, "kyc_search", {"name_match": _id(world, "nm"),
                                             "lists": ["sanctions", "pep"]}, shift=d)  # fmt: skip
    if pl["docs"] == 0 and world.rng.random() < 0.2:
        return c(t + world.gap(), a, "kyc_request_docs", {"case": case}, shift=d)
    return c(t + world.gap(), a, "kyc_decide", {"case": case, "decision": "approve"}, shift=d)


def _recon(world: World, p: Person, t: int, d: int, kind: str, pl: dict[str, Any]) -> int:
    a, c = world.actor(p, d), world.trail.call
    exc = _id(world, "rx")
    t = c(t, a, "recon_get_exception", {"exception": exc, "bank": pl["bank"]}, shift=d)
    t = c(t + world.gap(), a, "ledger_get_entry", {"entry": _id(world, "le")}, shift=d)
    if world.rng.random() < 0.25:
        t = c(t + world.gap(), a, "ledger_post_adjustment",
              {"account": "2100-settlement", "amount": round(world.rng.uniform(-900, 900), 2),
               "memo": f"recon {exc}"}, shift=d)  # fmt: skip
    return c(t + world.gap(), a, "recon_resolve", {"exception": exc}, shift=d)


def _payops(world: World, p: Person, t: int, d: int, kind: str, pl: dict[str, Any]) -> int:
    a, c = world.actor(p, d), world.trail.call
    t = c(t, a, "settle_batch_status", {"batch": pl["batch"]}, shift=d)
    t = c(t + world.gap(), a, "txn_get", {"txn": _id(world, "tx")}, shift=d)
    err = "timeout" if world.rng.random() < 0.1 else None
    t = c(t + world.gap(), a, "capture_retry", {"txn": _id(world, "tx")}, shift=d, err=err)
    if err or world.rng.random() < 0.05:
        t = c(t + world.gap(), a, "payment_void", {"txn": _id(world, "tx")}, shift=d)
    return t


def _engineer(world: World, p: Person, t: int, d: int, kind: str, pl: dict[str, Any]) -> int:
    a, c = world.actor(p, d), world.trail.call
    if kind == "page":
        t = c(t, a, "incident_page", {"service": f"bankfiles-{pl['bank']}"}, shift=d)
        t = world.trail.read(t + world.gap(), a, "runbook://bankfiles/timeouts", 9_000, shift=d)
    for _ in range(world.rng.randint(2, 4)):
        t = c(t + world.gap(), a, "metrics_query", {"query": "p99:gateway.latency",
                                                    "range": "1h"}, shift=d)  # fmt: skip
    for _ in range(world.rng.randint(1, 3)):
        t = c(t + world.gap(), a, "logs_search", {"query": "level:error", "range": "30m"},
              shift=d)  # fmt: skip
    return t


_HANDLERS = {
    "fraud": _fraud,
    "support": _support,
    "disputes": _dispute,
    "compliance": _kyc,
    "finance": _recon,
    "payops": _payops,
    "engineer": _engineer,
}


def _routines(world: World) -> None:
    """Treasury's morning funding, finance's daily trial balance, compliance's weekly report."""
    for p in world.people:
        a = None
        for s, _, d in world.shifts[p.name]:
            a = world.actor(p, d)
            t = s + world.gap(300, 1800)
            if p.role == "treasury":
                t = world.trail.call(t, a, "treasury_positions", {"date": "today"}, shift=d)
                for ccy in world.rng.sample(("EURUSD", "GBPUSD", "USDSGD", "EURGBP"), 2):
                    t = world.trail.call(t + world.gap(), a, "fx_rates", {"pair": ccy}, shift=d)
                for _ in range(world.rng.randint(1, 2)):
                    t = world.trail.call(t + world.gap(60, 600), a, "treasury_transfer",
                                         {"from": "operating", "to": "settlement",
                                          "amount": world.rng.randint(1, 40) * 250_000},
                                         shift=d)  # fmt: skip
            elif p.role == "finance" and p.office == "london":
                world.trail.call(t, a, "ledger_trial_balance", {"period": "2026-11"}, shift=d)
            elif p.role == "compliance" and world.weekday(d) == 0:
                world.trail.call(t, a, "report_run", {"report": "kyc_weekly"}, shift=d)
