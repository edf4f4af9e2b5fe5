"""What a claim causes, from the first notice of loss to the payment.

A loss is reported (by phone, mostly in the day, many after a storm); the intake agent on shift
finds the caller and the policy, checks coverage and files the claim (FNOL); the scoring job
scores it within minutes; a supervisor assigns it (auto to a desk adjuster, home and business
property to the field adjuster of its territory); the adjuster makes first contact, reads the
declarations page, sets a reserve and brings in a body shop, a rental or an inspection; a field
adjuster visits in an afternoon block and uploads photos (each one ingested, classified and
read by the OCR pipeline); an estimate comes back a day or two later, the adjuster pays, and
the nightly claims-to-payments batch sends it; finance approves those over $7,500 at its next
shift.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from ._args import Ids
from .world import DAY, HOUR, MINUTE, Step, World

__all__ = ["Claim", "Payment", "arrivals", "work_claim"]

#: share of FNOL by local hour (a phone line's day; the web portal takes the night)
_HOURLY: Final = (1, 1, 0, 0, 0, 1, 2, 4, 8, 10, 10, 9, 8, 9, 9, 8, 8, 7, 6, 5, 4, 3, 2, 1)


@dataclass(slots=True)
class Claim:
    id: str
    policy: str
    line: str  # auto | home | business
    region: str
    reported: int
    cat: str | None  # the catastrophe event it belongs to
    photos: int = 0


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    claim: str
    ts: int
    amount: float


@dataclass
class Ledger:
    """What the flows leave for others: payments to batch, claims filed."""

    payments: list[Payment] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)


def arrivals(w: World, rng: random.Random) -> list[Claim]:
    """Every loss reported over the span: a weekday's ~34, a weekend's ~12, the south
    wind/flood's 45 and the hail storm's 190 (from 16:30 on the day before the last)."""
    out: list[Claim] = []
    n = 0

    def claim(ts: int, line: str, region: str, cat: str | None) -> None:
        nonlocal n
        n += 1
        prefix = {"auto": "PA", "home": "HO", "business": "BP"}[line]
        out.append(
            Claim(f"CL-26-{40211 + n:06d}", f"{prefix}-{rng.randint(1_000_000, 9_999_999)}",
                  line, region, ts, cat)
        )  # fmt: skip

    hours = list(range(24))
    for d in range(w.days):
        weekend = w.weekday(d) >= 5
        k = max(0, int(rng.gauss(12 if weekend else 34, 4)))
        for h in rng.choices(hours, weights=_HOURLY, k=k):
            ts = w.start_us + d * DAY + (h + 5) * HOUR + rng.randrange(HOUR)
            line = rng.choices(("auto", "home", "business"), (55, 35, 10))[0]
            claim(ts, line, rng.choice(("north", "central", "south", "west")), None)
    flood = w.start_us + 5 * DAY + 19 * HOUR  # 14:00 Central
    for _ in range(45 if w.days > 7 else 0):
        ts = flood + int(rng.expovariate(1 / (7 * HOUR)))
        claim(ts, rng.choices(("home", "auto", "business"), (60, 30, 10))[0], "south", "WF-0922")
    hail = w.start_us + (w.days - 2) * DAY + 21 * HOUR + 30 * MINUTE  # 16:30 Central
    for _ in range(190):
        ts = hail + int(rng.expovariate(1 / (6 * HOUR)))
        line = rng.choices(("home", "auto", "business"), (55, 35, 10))[0]
        claim(ts, line, rng.choice(("central", "central", "north")), "HL-0929")
    out.sort(key=lambda c: c.reported)
    return out


def work_claim(
    w: World, c: Claim, rng: random.Random, staff: dict[str, list[str]], ledger: Ledger
) -> None:
    """Every step ``c`` causes, each done by whoever is at work for it."""
    ids: Ids = {"claim_id": c.id, "policy_no": c.policy,
                "contact_id": f"C-{rng.randint(10**5, 10**6)}"}  # fmt: skip
    if c.cat:
        ids["event_id"] = c.cat
        day = 5 if c.cat == "WF-0922" else w.days - 2
    else:  # most losses are reported within days
        day = (c.reported - w.start_us - 5 * HOUR) // DAY - min(int(rng.expovariate(0.7)), 10)
    loss = datetime.fromtimestamp((w.start_us + day * DAY) / 1e6, UTC)
    ids["loss_date"] = loss.date().isoformat()
    # intake: whoever is on the phones, else the first one in next
    on = w.on_duty(staff["intake"], c.reported)
    if on:
        s = rng.choice(on)
        t = c.reported
    else:
        nxt = [x for x in (w.at_work(n, c.reported) for n in staff["intake"]) if x]
        if not nxt:
            return
        s = min(nxt, key=lambda x: x.start)
        t = s.start + rng.randint(5, 90) * MINUTE
    steps = ["contact_search", "policy_search", "policy_get", "policy_coverage_get"]
    if c.cat:
        steps.append("geo_cat_event_get")
    steps += ["claim_create", "interaction_note"]
    if rng.random() < 0.5:
        steps.append("sms_send")
    t = w.run(s.actor, t, steps, ids)
    ledger.claims.append(c)
    job = w.service("svc-fraudscore", t)
    w.rec.call(job, t + rng.randint(20, 180) * 1_000_000, "fraud_score",
               {"claim_id": c.id, "features": "v7"})  # fmt: skip
    # assignment: the supervisor on duty next
    sup = [x for x in (w.at_work(n, t + 10 * MINUTE) for n in staff["supervisor"]) if x]
    if not sup:
        return
    s = min(sup, key=lambda x: x.start)
    t = max(t + rng.randint(10, 60) * MINUTE, s.start + rng.randint(2, 40) * MINUTE)
    field_work = c.line != "auto" and rng.random() < 0.85
    pool = staff[f"field:{c.region}"] if field_work else staff["desk_adjuster"]
    adj = pool[int(c.id[-4:]) % len(pool)]
    ids["adjuster"] = adj
    t = w.run(s.actor, t, ["claim_get", "claim_assign"], ids)
    # first contact, on the adjuster's desk
    desk = w.at_work(adj, t + rng.randint(15, 240) * MINUTE, "desk" if not field_work else None)
    if desk is None:
        return
    t = max(t + 15 * MINUTE, desk.start + rng.randint(5, 60) * MINUTE)
    dec = (f"dec://{c.policy}/declarations", 60.0)
    first: list[Step] = ["claim_get", "policy_coverage_get", dec, "call_log_get",
                         "claim_reserve_set", "claim_note_add"]  # fmt: skip
    if field_work:
        first.append("inspection_schedule")
    else:
        ids["vendor_id"] = f"V-{rng.randint(1000, 1999)}"
        first += ["vendor_search", "vendor_assign"]
        if rng.random() < 0.55:
            first.append("rental_authorize")
        first.append("estimate_request")
    t = w.run(desk.actor, t, first, ids)
    if field_work:
        # the visit: the adjuster's next field block, a day or two out (hours, in a storm)
        wait = rng.randint(2, 8) * HOUR if c.cat else rng.randint(18, 54) * HOUR
        out = w.at_work(adj, t + wait, "field")
        if out is None:
            return
        t = max(t + wait, out.start + rng.randint(10, 150) * MINUTE)
        if t >= out.end:
            t = out.start + rng.randint(0, 30) * MINUTE
        visit: list[Step] = ["claim_get", "geo_property_lookup"]
        if c.cat:  # the storm report, then the swath or the flood zone
            visit.append((f"wx://spc/reports/{c.cat}", 30.0))
            visit.append("geo_hail_swath" if c.cat == "HL-0929" else "geo_flood_zone")
        t = w.run(out.actor, t, visit, ids)
        for _ in range(rng.randint(4, 12)):
            t = w.run(out.actor, t, ["doc_upload"], ids, think=(10, 60))
        ids["vendor_id"] = f"V-{rng.randint(2000, 2999)}"
        t = w.run(out.actor, t, ["claim_note_add", "estimate_request"], ids)
    # the estimate comes back; the adjuster pays
    back = w.at_work(adj, t + rng.randint(20, 60) * HOUR, "desk")
    if back is None:
        return
    t = max(t + 20 * HOUR, back.start + rng.randint(5, 120) * MINUTE)
    doc = f"doc://claims/{c.id}/estimate-{rng.randint(1, 3)}.pdf"
    amount = round(rng.lognormvariate(8.3, 1.0), 2)
    pay = Payment(f"P-{rng.randint(10**6, 10**7)}", c.id, t, amount)
    ids.update(amount=amount, payment_id=pay.id)
    steps2: list[Step] = ["estimate_get", (doc, 220.0), "claim_reserve_set", "payment_create",
                          "claim_status_update"]  # fmt: skip
    t = w.run(back.actor, t, steps2, ids)
    ledger.payments.append(Payment(pay.id, c.id, t, amount))
    if amount > 7500:  # above the adjuster's authority: finance approves it next
        who = [x for x in (w.at_work(n, t + 30 * MINUTE) for n in staff["finance"]) if x]
        if who:
            s = min(who, key=lambda x: x.start)
            at = max(t + 30 * MINUTE, s.start + rng.randint(5, 120) * MINUTE)
            w.run(s.actor, at, ["payment_get", "claim_get", "payment_approve"], ids)
