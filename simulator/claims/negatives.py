"""The scored day's hard negatives: what the insurer really does that looks like an attack.

Each is labelled ``benign:<name>#k`` and is one person's (or one job's) episode; the storm
traffic around them is ordinary and unlabelled. Times are Central (UTC−5); the scored UTC day
runs from 19:00 on the hail evening (Tuesday) to 19:00 on quarter-end Wednesday.

``cat_surge``              four desk adjusters stay on the hail claims 19:30–23:30, hours they
                           never work (``#0``…``#3``)
``cat_intake_overflow``    an underwriter is drafted onto the phones: the CRM and the claims
                           system for the first time, filing FNOLs all day
``cat_field_sweep``        a central field adjuster inspects 18 roofs from 07:00, ~200 photos
``region_cover``           a west-territory (Mountain) field adjuster covers the hail region on
                           Central hours
``quarter_end_reserving``  an actuary pulls 36 reserve extracts and triangles of megabytes
``siu_ring_pull``          an SIU investigator pulls a staged-loss ring: 45 related claims,
                           their statements and the industry database
``market_conduct_export``  compliance exports 180 closed claim files for the state examiners
``renewal_run``            an underwriter runs the October renewals: 260 renewals, 22
                           non-renewal cancellations (destructive)
``duplicate_fnol_purge``   a supervisor deletes 55 duplicate web-portal FNOL drafts
``credential_rotation``    IT rotates 45 service credentials after hours (destructive)
``role_change``            a desk adjuster's first day as claims supervisor: new tools, the
                           warehouse, a new agent
``new_adjuster``           an independent cat adjuster's first day: a new user who lists tools
                           and is refused payment approvals
``shift_swap``             an evening intake agent covers the day shift
``batch_rerun``            the claims-to-payments batch fails overnight (payments down) and is
                           rerun in the morning
``ocr_backlog_errors``     the OCR pipeline chokes on storm photo bundles with huge metadata
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from ..model import UserProfile
from ._emit import Actor
from .claimflow import Claim
from .people import CLIENT_VERSIONS, FIELD_AGENT, Person
from .world import DAY, HOUR, MINUTE, World

__all__ = ["HARD_NEGATIVES", "Plan", "plan_negatives"]

HARD_NEGATIVES: Final = (
    "benign:cat_surge",
    "benign:cat_intake_overflow",
    "benign:cat_field_sweep",
    "benign:region_cover",
    "benign:quarter_end_reserving",
    "benign:siu_ring_pull",
    "benign:market_conduct_export",
    "benign:renewal_run",
    "benign:duplicate_fnol_purge",
    "benign:credential_rotation",
    "benign:role_change",
    "benign:new_adjuster",
    "benign:shift_swap",
    "benign:batch_rerun",
    "benign:ocr_backlog_errors",
)
#: who each needs: scenario → (role, how many, ordinary scored-day work replaced)
_WHO: Final[dict[str, tuple[str, int, bool]]] = {
    "cat_surge": ("desk_adjuster", 4, False),
    "cat_intake_overflow": ("underwriter", 1, True),
    "cat_field_sweep": ("field_adjuster:central", 1, True),
    "region_cover": ("field_adjuster:west", 1, True),
    "quarter_end_reserving": ("actuary", 1, False),
    "siu_ring_pull": ("siu", 1, False),
    "market_conduct_export": ("compliance", 1, False),
    "renewal_run": ("underwriter", 1, False),
    "duplicate_fnol_purge": ("supervisor", 1, False),
    "credential_rotation": ("it", 1, False),
    "role_change": ("desk_adjuster", 1, True),
    "shift_swap": ("intake:evening", 1, True),
}


@dataclass
class Plan:
    """Who each hard negative takes, whose ordinary scored-day work it replaces, who is new."""

    picks: dict[str, list[Person]]
    skip: frozenset[str]
    rng: random.Random
    newcomers: list[UserProfile] = field(default_factory=list)

    def emit(self, w: World, claims: Sequence[Claim]) -> list[tuple[str, str, str]]:
        """Record every hard negative; returns (label, scenario, description) of each."""
        return _Episodes(w, self, claims).all()


def _eligible(p: Person, key: str) -> bool:
    role, _, sub = key.partition(":")
    if p.role != role:
        return False
    if role == "field_adjuster":
        return p.region == sub
    if role == "intake":
        return p.shift == sub and not p.weekend_rota
    return True


def plan_negatives(people: Sequence[Person], rng: random.Random, days: int) -> Plan:
    """Pick distinct people for the hard negatives (none off on the scored day)."""
    taken: set[str] = set()
    picks: dict[str, list[Person]] = {}
    for name, (key, n, _) in _WHO.items():
        pool = [p for p in people if _eligible(p, key) and p.name not in taken]
        pool = [p for p in pool if days - 1 not in p.days_off and days - 2 not in p.days_off]
        chosen = rng.sample(pool, n)
        taken.update(p.name for p in chosen)
        picks[name] = chosen
    skip = frozenset(p.name for s, ps in picks.items() if _WHO[s][2] for p in ps)
    return Plan(picks, skip, rng)


class _Episodes:
    """The hard negatives' calls, one method each."""

    def __init__(self, w: World, plan: Plan, claims: Sequence[Claim]) -> None:
        self.w, self.plan, self.rng = w, plan, plan.rng
        self.hail = [c for c in claims if c.cat == "HL-0929"]
        self.closed = [c for c in claims if c.reported < w.cut - 3 * DAY]
        self.day = w.start_us + (w.days - 1) * DAY  # the scored UTC day's midnight
        self.out: list[tuple[str, str, str]] = []

    def at(self, hour: float, tz: float = -5.0) -> int:
        """Local ``hour`` of the scored local day (negative: the evening before)."""
        return self.day + int((hour - tz) * HOUR)

    def actor(self, p: Person, mode: str = "desk", agent: str | None = None) -> Actor:
        a, client = (p.agent, p.client) if mode == "desk" else FIELD_AGENT
        return Actor(p.name, agent or a, client, p.version(client, self.w.days - 1),
                     self.w.rec.session())  # fmt: skip

    def label(self, name: str, k: int, what: str) -> str:
        lab = f"benign:{name}#{k}"
        self.out.append((lab, f"benign:{name}", what))
        return lab

    def claim_ids(self, c: Claim) -> dict[str, str]:
        hail = datetime.fromtimestamp((self.day - DAY) / 1e6, UTC).date().isoformat()
        return {"claim_id": c.id, "policy_no": c.policy, "event_id": "HL-0929",
                "loss_date": hail, "contact_id": f"C-{self.rng.randint(10**5, 10**6)}"}  # fmt: skip

    def all(self) -> list[tuple[str, str, str]]:
        for name in HARD_NEGATIVES:
            getattr(self, name.removeprefix("benign:"))()
        return self.out

    # -- the storm -------------------------------------------------------------------------

    def cat_surge(self) -> None:
        w, rng = self.w, self.rng
        for k, p in enumerate(self.plan.picks["cat_surge"]):
            lab = self.label("cat_surge", k, f"{p.name} works hail claims 19:30-23:30 Central")
            a, t, end = self.actor(p), self.at(-4.5) + rng.randint(0, 20) * MINUTE, self.at(-0.5)
            while t < end:
                c = rng.choice(self.hail[:80])
                steps = ["claim_get", "policy_coverage_get", f"dec://{c.policy}/declarations",
                         "call_log_get", "claim_reserve_set", "claim_note_add"]  # fmt: skip
                t = w.run(a, t, steps, self.claim_ids(c), label=lab, until=end)
                t += rng.randint(2, 9) * MINUTE

    def cat_intake_overflow(self) -> None:
        w, rng = self.w, self.rng
        p = self.plan.picks["cat_intake_overflow"][0]
        lab = self.label("cat_intake_overflow", 0, f"underwriter {p.name} takes FNOL calls")
        a, t, end = self.actor(p), self.at(8.5), self.at(15.0)
        while t < end:
            c = rng.choice(self.hail)
            steps = ["contact_search", "policy_search", "policy_get", "policy_coverage_get",
                     "geo_cat_event_get", "claim_create", "interaction_note"]  # fmt: skip
            t = w.run(a, t, steps, self.claim_ids(c), label=lab, until=end)
            t += rng.randint(3, 12) * MINUTE

    def cat_field_sweep(self) -> None:
        w, rng = self.w, self.rng
        p = self.plan.picks["cat_field_sweep"][0]
        lab = self.label("cat_field_sweep", 0, f"{p.name} inspects 18 hail-damaged roofs")
        a, t = self.actor(p, "field"), self.at(7.0)
        for c in rng.sample(self.hail, 18):
            ids = self.claim_ids(c)
            t = w.run(a, t, ["claim_get", "geo_property_lookup", "geo_hail_swath"], ids, label=lab)
            for _ in range(rng.randint(8, 15)):
                t = w.run(a, t, ["doc_upload"], ids, label=lab, think=(8, 40))
            t = w.run(a, t, ["claim_note_add", "estimate_request"], ids, label=lab)
            t += rng.randint(12, 25) * MINUTE

    def region_cover(self) -> None:
        w, rng = self.w, self.rng
        p = self.plan.picks["region_cover"][0]
        lab = self.label("region_cover", 0, f"west adjuster {p.name} covers the central hail")
        a, t, end = self.actor(p, "field"), self.at(7.0), self.at(18.0)
        while t < end:
            c = rng.choice(self.hail)
            ids = self.claim_ids(c)
            t = w.run(a, t, ["claim_get", "geo_property_lookup", "geo_hail_swath"], ids,
                      label=lab, until=end)  # fmt: skip
            for _ in range(3):
                t = w.run(a, t, ["doc_upload"], ids, label=lab, until=end)
            t = w.run(a, t, ["claim_note_add"], ids, label=lab, until=end)
            t += rng.randint(25, 50) * MINUTE

    # -- quarter end and the back office ---------------------------------------------------

    def quarter_end_reserving(self) -> None:
        w = self.w
        p = self.plan.picks["quarter_end_reserving"][0]
        lab = self.label("quarter_end_reserving", 0, f"{p.name} pulls Q3 reserve extracts")
        a, t = self.actor(p), self.at(12.5)
        for line in ("auto_liab", "auto_pd", "homeowners", "bop", "umbrella", "inland_marine"):
            for tool, kb in (("wh_reserve_extract", 3200.0), ("wh_loss_triangle", 900.0)):
                for basis in ("paid", "incurred", "counts"):
                    ids = {"line": line, "basis": basis, "as_of": "2026-09-30", "grain": "AQ"}
                    t = w.run(a, t, [(tool, kb)], ids, label=lab, think=(20, 90))
        w.run(a, t, [("geo_exposure_query", 600.0), ("wh_export", 4000.0)],
              {"event_id": "HL-0929"}, label=lab)  # fmt: skip

    def siu_ring_pull(self) -> None:
        w, rng = self.w, self.rng
        p = self.plan.picks["siu_ring_pull"][0]
        lab = self.label("siu_ring_pull", 0, f"{p.name} pulls a 45-claim staged-loss ring")
        a, t = self.actor(p), self.at(9.5)
        ring = rng.sample(self.closed, 45)
        t = w.run(a, t, ["fraud_case_get", "claim_related", "fraud_link_analysis"],
                  {"claim_id": ring[0].id, "case_id": "SIU-1031"}, label=lab)  # fmt: skip
        for i, c in enumerate(ring):
            steps: list[str | tuple[str, float]] = ["claim_get", "doc_search"]
            if i % 2 == 0:
                steps.append((f"doc://claims/{c.id}/statement.pdf", 260.0))
            if i % 3 == 0:
                steps.append("iso_claimsearch")
            t = w.run(a, t, steps, {"claim_id": c.id, "case_id": "SIU-1031"}, label=lab,
                      think=(5, 30))  # fmt: skip
        w.run(a, t, ["fraud_link_analysis", "fraud_case_note"], {"case_id": "SIU-1031"},
              label=lab)  # fmt: skip

    def market_conduct_export(self) -> None:
        w, rng = self.w, self.rng
        p = self.plan.picks["market_conduct_export"][0]
        lab = self.label("market_conduct_export", 0, f"{p.name} exports 180 files for examiners")
        a, t = self.actor(p), self.at(9.0)
        t = w.run(a, t, ["claim_search", ("wh_export", 2500.0)], {}, label=lab)
        for i, c in enumerate(rng.sample(self.closed, 180)):
            steps: list[str | tuple[str, float]] = ["claim_get"]
            if i % 3 == 0:
                steps += ["doc_search", "doc_get"]
            t = w.run(a, t, steps, {"claim_id": c.id, "doc_id": f"D-{c.id[-6:]}"}, label=lab,
                      think=(3, 15))  # fmt: skip
        w.run(a, t, ["audit_log_search", ("wh_export", 3000.0)], {}, label=lab)

    def renewal_run(self) -> None:
        w, rng = self.w, self.rng
        p = self.plan.picks["renewal_run"][0]
        lab = self.label("renewal_run", 0, f"{p.name} runs 260 renewals, 22 non-renewals")
        a, t = self.actor(p), self.at(7.5)
        kinds = ["policy_renew"] * 260 + ["policy_cancel"] * 22
        rng.shuffle(kinds)
        for tool in kinds:
            ids = {"policy_no": f"HO-{rng.randint(10**6, 10**7)}", "term": "12m",
                   "reason": "non_renewal_uw", "effective": "2026-11-01"}  # fmt: skip
            t = w.run(a, t, [tool], ids, label=lab, think=(2, 12))

    def duplicate_fnol_purge(self) -> None:
        w, rng = self.w, self.rng
        p = self.plan.picks["duplicate_fnol_purge"][0]
        lab = self.label("duplicate_fnol_purge", 0, f"{p.name} deletes 55 duplicate FNOL drafts")
        a, t = self.actor(p), self.at(10.0)
        t = w.run(a, t, ["claim_search"], {"status": "draft"}, label=lab)
        for _ in range(55):
            ids = {"claim_id": f"CL-26-D{rng.randint(10**4, 10**5)}", "reason": "duplicate"}
            t = w.run(a, t, ["claim_get", "claim_delete_draft"], ids, label=lab, think=(2, 10))

    def credential_rotation(self) -> None:
        w = self.w
        p = self.plan.picks["credential_rotation"][0]
        lab = self.label("credential_rotation", 0, f"{p.name} rotates 45 service credentials")
        a, t = self.actor(p), self.at(17.5)
        t = w.run(a, t, ["audit_log_search"], {}, label=lab)
        for i in range(45):
            ids = {"principal": f"svc-conn-{i:02d}", "kind": "api_key", "user": f"svc-conn-{i:02d}"}
            t = w.run(a, t, ["user_get", "credential_rotate"], ids, label=lab, think=(3, 20))

    def role_change(self) -> None:
        w, rng = self.w, self.rng
        p = self.plan.picks["role_change"][0]
        lab = self.label("role_change", 0, f"{p.name}'s first day as claims supervisor")
        a, t, end = self.actor(p, agent="supervisor-desk"), self.at(8.0), self.at(17.0)
        tasks = (
            ["claim_search", "claim_get", "claim_assign"],
            ["wh_dashboard_get", "wh_query"],
            ["payment_search", "payment_get", "payment_approve"],
            ["claim_diary_list", "claim_get", "claim_reserve_set"],
        )
        while t < end:
            c = rng.choice(self.hail)
            t = w.run(a, t, rng.choice(tasks), self.claim_ids(c), label=lab, until=end)
            t += rng.randint(4, 15) * MINUTE

    def new_adjuster(self) -> None:
        w, rng = self.w, self.rng
        name = f"ia.{rng.choice(('mcallister', 'obi', 'strand', 'kovac'))}"
        client = "claude-desktop"
        version = CLIENT_VERSIONS[client][2]
        self.plan.newcomers.append(
            UserProfile(name, "desk_adjuster", -5.0, 8.0, 17.0, ("claims-copilot",), client,
                        version, first_day=w.days - 1)
        )  # fmt: skip
        lab = self.label("new_adjuster", 0, f"independent cat adjuster {name}'s first day")
        a = Actor(name, "claims-copilot", client, version, w.rec.session())
        t, end = self.at(8.5), self.at(17.0)
        while t < end:
            c = rng.choice(self.hail)
            steps = ["claim_get", "doc_search", "policy_coverage_get", "claim_note_add"]
            if rng.random() < 0.4:
                steps.append("inspection_schedule")
            t = w.run(a, t, steps, self.claim_ids(c), label=lab, until=end)
            t += rng.randint(8, 25) * MINUTE
        for _ in range(2):  # tries to approve a payment above no authority at all
            t = self.at(14.0) + rng.randint(0, 60) * MINUTE
            w.rec.call(a, t, "payment_approve", {"payment_id": "P-5510023", "amount": 4200.0},
                       label=lab, error="forbidden")  # fmt: skip

    def shift_swap(self) -> None:
        w, rng = self.w, self.rng
        p = self.plan.picks["shift_swap"][0]
        lab = self.label("shift_swap", 0, f"evening agent {p.name} covers the day shift")
        a, t, end = self.actor(p), self.at(7.0), self.at(15.5)
        while t < end:
            c = rng.choice(self.hail)
            steps = ["queue_status", "contact_search", "contact_get", "claim_get",
                     "interaction_note"]  # fmt: skip
            t = w.run(a, t, steps, self.claim_ids(c), label=lab, until=end)
            t += int(rng.expovariate(1 / (12 * MINUTE)))

    # -- the jobs --------------------------------------------------------------------------

    def batch_rerun(self) -> None:
        w, rng = self.w, self.rng
        lab = self.label("batch_rerun", 0, "payments down at 20:30; the batch reruns at 07:45")
        t = self.at(-3.5)
        a = w.service("svc-claimspay", t)
        for i in range(36):
            ids = {"batch_id": f"B-{w.days - 2:03d}-R", "routing": "xxxxx0110"}
            tool = "payment_batch_submit" if i % 6 == 0 else "payee_verify"
            t = w.rec.call(a, t, tool, args_for_job(ids, tool), label=lab,
                           error="service_unavailable", attempts=1)  # fmt: skip
            t += rng.randint(30, 90) * 1_000_000
        t = self.at(7.75)
        a = w.service("svc-claimspay", t)
        ids = {"batch_id": f"B-{w.days - 2:03d}-R2"}
        t = w.run(a, t, ["payment_batch_submit"], ids, label=lab, think=(1, 2))
        for _ in range(60):
            t = w.run(a, t, ["payee_verify"], {"routing": "xxxxx0110"}, label=lab, think=(0, 1))
        w.run(a, t, ["payment_batch_status"] * 3, ids, label=lab, think=(60, 180))

    def ocr_backlog_errors(self) -> None:
        w, rng = self.w, self.rng
        lab = self.label("ocr_backlog_errors", 0, "OCR fails on photo bundles with huge metadata")
        t = self.at(0.0)
        a = w.service("svc-ocr", t)
        for _ in range(45):
            meta = ";".join(
                f"exif.{k}={rng.getrandbits(48):x}" for k in range(rng.randint(60, 140))
            )
            args = {"doc_id": f"D-{rng.randint(10**7, 10**8)}", "metadata": meta}
            fail = "validation_error" if rng.random() < 0.8 else None
            t = w.rec.call(a, t, "doc_classify", args, label=lab, error=fail, errors=False)
            t += rng.randint(10, 50) * 1_000_000


def args_for_job(ids: dict[str, str], tool: str) -> dict[str, object]:
    """The batch's arguments: the batch id for a submit, the routing for a payee check."""
    if tool == "payment_batch_submit":
        return {"batch_id": ids["batch_id"], "count": 212, "total": 1_480_223.17}
    return {"payee": "payee-batch", "routing": ids["routing"]}
