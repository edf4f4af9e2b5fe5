"""Desk work between events: each role's usual tasks at its own pace, and the jobs' schedules.

A person works a shift as a run of tasks with exponential gaps (the role's pace) and a lunch or
meal break mid-shift. A task is a few steps on the role's servers, about a claim, a policy, a
caller, a submission or a report. The jobs: the weather feed every 30 minutes (every 10 and
with swaths in a storm), the nightly policy sync into the warehouse at 01:30, the
claims-to-payments batch at 20:30 (payee checks for some new payees), and the OCR pipeline on
every uploaded document.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from typing import Final

from ._args import Ids
from .claimflow import Claim, Ledger
from .world import DAY, HOUR, MINUTE, Shift, Step, World

__all__ = ["PACE", "TASKS", "jobs", "shift_work"]

#: role → mean minutes between tasks (``field`` is the phone block of a field adjuster)
PACE: Final = {
    "desk_adjuster": 16, "field_adjuster": 18, "field": 35, "supervisor": 15, "intake": 15,
    "underwriter": 17, "siu": 20, "actuary": 22, "finance": 16, "it": 22, "compliance": 30,
    "hr": 38,
}  # fmt: skip

_ADJ: Final[tuple[tuple[float, tuple[Step, ...]], ...]] = (
    (4, ("claim_diary_list", "claim_get", "claim_note_add")),
    (4, ("claim_get", "doc_search", "doc://claim/photo", "claim_note_add")),
    (3, ("call_log_get", "claim_get", "interaction_note", "callback_schedule")),
    (3, ("mail_search", "mail_read", "mail_send")),
    (1, ("manual://claims/guidelines/property",)),
    (2, ("claim_get", "payment_search", "claim_close")),
    (2, ("claim_get", "claim_reserve_set", "claim_note_add")),
    (1, ("claim_get", "estimate_get", "vendor_invoice_get")),
    (0.4, ("claim_get", "claim_subro_flag", "claim_note_add")),
    (0.3, ("claim_search", "claim_reopen", "claim_note_add")),
)
TASKS: Final[dict[str, tuple[tuple[float, tuple[Step, ...]], ...]]] = {
    "desk_adjuster": _ADJ,
    "field_adjuster": _ADJ,
    "field": (
        (3, ("claim_get", "geo_property_lookup", "doc_upload", "claim_note_add")),
        (2, ("claim_get", "estimate_get")),
        (1, ("call_log_get", "sms_send")),
    ),
    "supervisor": (
        (3, ("claim_search", "claim_get", "claim_assign")),
        (3, ("claim_get", "claim_reserve_set", "claim_note_add")),
        (2, ("wh_dashboard_get",)),
        (2, ("claim_diary_list", "claim_get")),
        (1, ("payment_search", "payment_get")),
        (1, ("mail_search", "mail_read", "mail_send")),
    ),
    "intake": (
        (5, ("queue_status", "contact_search", "contact_get", "claim_get", "interaction_note")),
        (3, ("contact_search", "call_log_get", "policy_get", "interaction_note")),
        (2, ("contact_get", "claim_get", "callback_schedule")),
        (1, ("contact_get", "sms_send")),
        (1, ("manual://intake/scripts/fnol",)),
    ),
    "underwriter": (
        (4, ("uw_submission_get", "uw_risk_get", "geo_property_lookup", "uw_rate_calc")),
        (2, ("uw_submission_get", "geo_flood_zone", "uw_loss_runs", "uw_referral_decide")),
        (2, ("policy_get", "dec://policy/declarations", "policy_quote", "policy_endorse")),
        (1, ("uw_submission_get", "uw_inspection_order")),
        (2, ("mail_search", "mail_read", "mail_draft", "mail_send")),
        (0.15, ("uw_submission_get", "uw_loss_runs", "uw_decline")),
        (0.5, ("policy_get", "policy_history", "policy_note_add")),
    ),
    "siu": (
        (3, ("fraud_alerts_list", "fraud_case_get", "claim_get")),
        (3, ("fraud_case_get", "claim_related", "iso_claimsearch", "fraud_case_note")),
        (2, ("claim_get", "doc_search", "doc_get", "doc://claim/statement")),
        (1, ("fraud_link_analysis", "call_log_get", "fraud_case_note")),
        (0.6, ("claim_get", "fraud_score", "fraud_case_open")),
        (1, ("wh_query",)),
    ),
    "actuary": (
        (4, ("wh_query", "wh_query")),
        (2, ("wh_table_list", "wh_query")),
        (2, ("wh_dashboard_get",)),
        (0.5, (("wh_loss_triangle", 300.0),)),
        (0.4, ("geo_exposure_query",)),
        (0.3, (("wh_export", 900.0),)),
        (1, ("mail_search", "mail_read")),
    ),
    "finance": (
        (2, ("payment_search", "payment_get")),
        (2, ("vendor_invoice_get", "payment_search", "payee_verify")),
        (1, ("payment_get", "check_reissue")),
        (2, ("wh_query",)),
        (1, ("mail_search", "mail_read", "mail_send")),
        (0.08, ("payment_get", "payment_void")),
    ),
    "it": (
        (3, ("user_get", "group_list", "user_grant_role")),
        (2, ("user_get", "password_reset")),
        (2, ("audit_log_search",)),
        (1, ("wh_table_list",)),
        (1, ("mail_search", "mail_read", "mail_send")),
        (0.25, ("user_get", "group_list", "user_revoke_role")),
    ),
    "compliance": (
        (2, ("claim_search", "claim_get", "doc_search")),
        (2, ("audit_log_search",)),
        (1, ("wh_query",)),
        (2, ("mail_search", "mail_read", "mail_send")),
    ),
    "hr": (
        (3, ("user_get", "group_list")),
        (2, ("mail_search", "mail_read", "mail_send")),
        (0.3, ("user_create", "user_grant_role")),
    ),
}


def _ids(rng: random.Random, claims: Sequence[Claim]) -> Ids:
    c = claims[rng.randrange(len(claims))] if claims else None
    return {
        "claim_id": c.id if c else f"CL-26-{rng.randint(30000, 40000):06d}",
        "policy_no": c.policy if c else f"HO-{rng.randint(10**6, 10**7)}",
        "contact_id": f"C-{rng.randint(10**5, 10**6)}",
        "case_id": f"SIU-{rng.randint(800, 990)}",
        "submission_id": f"SUB-{rng.randint(10**4, 10**5)}",
        "payment_id": f"P-{rng.randint(10**6, 10**7)}",
        "doc_id": f"D-{rng.randint(10**7, 10**8)}",
        "message_id": f"<{rng.getrandbits(40):x}@plainsward.example>",
    }


def _uri(step: Step, ids: Ids) -> Step:
    if isinstance(step, str) and step.startswith("doc://claim/"):
        return (f"doc://claims/{ids['claim_id']}/{step.rsplit('/', 1)[1]}.jpg", 180.0)
    if isinstance(step, str) and step.startswith("dec://"):
        return (f"dec://{ids['policy_no']}/declarations", 60.0)
    if isinstance(step, str) and step.startswith("manual://"):
        return (step, 90.0)
    return step


def shift_work(
    w: World, s: Shift, rng: random.Random, claims: Sequence[Claim], reported: Sequence[int]
) -> None:
    """The tasks of one shift, from its start to its end, with a break in the middle;
    ``claims`` in the order reported (``reported``: their times)."""
    role = "field" if s.mode == "field" else s.person.role
    pace, tasks = PACE[role] * MINUTE, TASKS[role]
    weights = [x for x, _ in tasks]
    brk = s.start + (s.end - s.start) // 2 + rng.randint(-40, 40) * MINUTE
    t = s.start + rng.randint(1, 15) * MINUTE
    while t < s.end:
        if brk <= t < brk + 40 * MINUTE:
            t = brk + rng.randint(30, 55) * MINUTE
            continue
        # a claim filed by now (reported half a day ago), one of the last few hundred
        i = bisect.bisect_left(reported, t - 12 * HOUR)
        ids = _ids(rng, claims[max(0, i - 400) : i])
        steps = [_uri(x, ids) for x in rng.choices(tasks, weights)[0][1]]
        t = w.run(s.actor, t, steps, ids, until=s.end)
        t += int(rng.expovariate(1 / pace))


def jobs(w: World, rng: random.Random, ledger: Ledger, *, no_batch: int = -1) -> None:
    """The jobs over the whole span: feed, sync, payment batch (not on day ``no_batch``), OCR."""
    hail = w.start_us + (w.days - 2) * DAY + 21 * HOUR
    flood = w.start_us + 5 * DAY + 18 * HOUR
    end = w.start_us + w.days * DAY
    t = w.start_us + rng.randint(0, 29) * MINUTE
    while t < end:
        storm = hail <= t < hail + 30 * HOUR or flood <= t < flood + 20 * HOUR
        a = w.service("svc-catfeed", t)
        ids = {"feed": "spc-storm-reports", "event_id": "HL-0929" if t >= hail else "WF-0922"}
        steps: list[Step] = ["geo_feed_ingest"]
        if storm:
            steps += ["geo_cat_event_get", "geo_hail_swath" if t >= hail else "geo_flood_zone"]
        w.run(a, t, steps, ids, think=(1, 3))
        t += (10 if storm else 30) * MINUTE + rng.randint(-40, 40) * 1_000_000
    for d in range(w.days):
        # nightly policy sync, 01:30 Central
        t = w.start_us + d * DAY + 6 * HOUR + 30 * MINUTE + rng.randint(0, 300) * 1_000_000
        a = w.service("svc-policysync", t)
        t = w.run(a, t, ["policy_export_changes"], {"format": "parquet"}, think=(2, 5))
        for table in ("policy", "claim", "payment", "doc_index"):
            t = w.run(a, t, ["wh_load_table"], {"table": f"stage.{table}"}, think=(2, 5))
        # claims-to-payments batch, 20:30 Central (day d's evening: UTC day d+1 01:30)
        t = w.start_us + (d + 1) * DAY + HOUR + 30 * MINUTE
        due = [p for p in ledger.payments if t - DAY <= p.ts < t]
        if due and d != no_batch:
            a = w.service("svc-claimspay", t)
            bid = {"batch_id": f"B-{d:03d}-{len(due):03d}"}
            t = w.run(a, t, ["payment_batch_submit"], bid, think=(1, 3))
            for _ in due:
                if rng.random() < 0.3:
                    t = w.run(a, t, ["payee_verify"], {"routing": "xxxxx0110"}, think=(0, 1))
            w.run(a, t + 5 * MINUTE, ["payment_batch_status", "payment_batch_status"], bid,
                  think=(120, 300))  # fmt: skip
    uploads = [(c.ts, c.args) for c in w.rec.calls if c.tool == "doc_upload" and c.outcome == "ok"]
    for ts, args in uploads:
        doc = f"D-{rng.randint(10**7, 10**8)}"
        t = ts + rng.randint(40, 400) * 1_000_000
        a = w.service("svc-ocr", t)
        ids = {"doc_id": doc, "source": "field-app", "claim_id": args["claim_id"]}
        w.run(a, t, ["doc_ingest", "doc_classify", "doc_extract_text"], ids, think=(1, 8))
