"""Arguments of the insurer's tools: the keys each tool takes and plausible values for them."""

from __future__ import annotations

import random
from typing import Any, Final

__all__ = ["Ids", "args_for"]

Ids = dict[str, Any]

_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "policy_search": ("query", "limit"),
    "policy_get": ("policy_no",),
    "policy_coverage_get": ("policy_no", "loss_date"),
    "policy_history": ("policy_no",),
    "policy_quote": ("policy_no", "changes"),
    "policy_endorse": ("policy_no", "changes", "effective"),
    "policy_renew": ("policy_no", "term"),
    "policy_cancel": ("policy_no", "reason", "effective"),
    "policy_note_add": ("policy_no", "note"),
    "policy_export_changes": ("since", "format"),
    "claim_search": ("query", "status", "limit"),
    "claim_get": ("claim_id",),
    "claim_create": ("policy_no", "loss_date", "loss_type", "description", "channel"),
    "claim_assign": ("claim_id", "adjuster"),
    "claim_note_add": ("claim_id", "note"),
    "claim_reserve_set": ("claim_id", "coverage", "amount"),
    "claim_status_update": ("claim_id", "status"),
    "claim_close": ("claim_id", "reason"),
    "claim_reopen": ("claim_id", "reason"),
    "claim_related": ("claim_id", "depth"),
    "claim_diary_list": ("adjuster", "due"),
    "claim_delete_draft": ("claim_id", "reason"),
    "claim_subro_flag": ("claim_id", "party"),
    "doc_search": ("claim_id", "doc_type"),
    "doc_get": ("doc_id",),
    "doc_upload": ("claim_id", "filename", "doc_type", "caption"),
    "doc_tag": ("doc_id", "tags"),
    "doc_ingest": ("doc_id", "source"),
    "doc_classify": ("doc_id",),
    "doc_extract_text": ("doc_id", "pages"),
    "doc_redact": ("doc_id", "fields"),
    "doc_purge": ("doc_id", "retention_rule"),
    "payment_create": ("claim_id", "payee", "amount", "method"),
    "payment_get": ("payment_id",),
    "payment_search": ("query", "status"),
    "payee_verify": ("payee", "routing"),
    "payment_approve": ("payment_id", "amount"),
    "payment_void": ("payment_id", "reason"),
    "payment_batch_submit": ("batch_id", "count", "total"),
    "payment_batch_status": ("batch_id",),
    "check_reissue": ("payment_id", "reason"),
    "fraud_score": ("claim_id", "features"),
    "fraud_alerts_list": ("queue", "min_score"),
    "fraud_case_open": ("claim_id", "reason"),
    "fraud_case_get": ("case_id",),
    "fraud_link_analysis": ("claim_id", "depth"),
    "fraud_case_note": ("case_id", "note"),
    "iso_claimsearch": ("claimant", "address", "vin"),
    "contact_search": ("query",),
    "contact_get": ("contact_id",),
    "call_log_get": ("contact_id", "days"),
    "interaction_note": ("contact_id", "note"),
    "callback_schedule": ("contact_id", "when"),
    "queue_status": ("queue",),
    "sms_send": ("contact_id", "template", "claim_id"),
    "mail_search": ("query", "folder"),
    "mail_read": ("message_id",),
    "mail_send": ("to", "subject", "body"),
    "mail_draft": ("to", "subject", "body"),
    "wh_table_list": ("schema",),
    "wh_query": ("sql",),
    "wh_export": ("sql", "format"),
    "wh_reserve_extract": ("line", "as_of", "grain"),
    "wh_loss_triangle": ("line", "basis", "as_of"),
    "wh_dashboard_get": ("dashboard",),
    "wh_load_table": ("table", "rows"),
    "wh_table_drop": ("table",),
    "geo_property_lookup": ("address",),
    "geo_flood_zone": ("address",),
    "geo_hail_swath": ("event_id", "min_size_in"),
    "geo_cat_event_get": ("event_id",),
    "geo_exposure_query": ("event_id", "lines"),
    "geo_feed_ingest": ("feed", "since"),
    "vendor_search": ("trade", "zip", "radius_mi"),
    "vendor_assign": ("claim_id", "vendor_id"),
    "estimate_request": ("claim_id", "vendor_id", "scope"),
    "estimate_get": ("claim_id", "vendor_id"),
    "inspection_schedule": ("claim_id", "address", "window"),
    "rental_authorize": ("claim_id", "days", "daily_limit"),
    "vendor_invoice_get": ("vendor_id", "invoice"),
    "user_get": ("user",),
    "user_create": ("user", "role", "manager"),
    "user_grant_role": ("user", "role"),
    "user_revoke_role": ("user", "role"),
    "user_disable": ("user", "reason"),
    "credential_rotate": ("principal", "kind"),
    "audit_log_search": ("query", "since"),
    "group_list": ("user",),
    "password_reset": ("user",),
    "uw_submission_get": ("submission_id",),
    "uw_risk_get": ("address", "line"),
    "uw_rate_calc": ("submission_id", "coverages"),
    "uw_inspection_order": ("submission_id", "address"),
    "uw_referral_decide": ("submission_id", "decision", "note"),
    "uw_decline": ("submission_id", "reason"),
    "uw_loss_runs": ("insured", "years"),
}

_STREETS: Final = ("Oak St", "Prairie Rd", "County Rd 12", "Main St", "Elm Ave", "Cedar Ln",
                   "Highway 30", "Sunset Blvd", "Mill Rd", "3rd Ave NE")  # fmt: skip
_TOWNS: Final = ("Kearney NE", "Grand Island NE", "Hastings NE", "Salina KS", "Hays KS",
                 "Ames IA", "Fort Dodge IA", "North Platte NE", "Scottsbluff NE")  # fmt: skip
_NOTES: Final = (
    "Spoke with insured, confirmed loss location and time; photos requested.",
    "Inspected roof: hail bruising on north and west slopes, soft metal dents on vents.",
    "Body shop estimate received, supplement likely for hidden damage behind bumper.",
    "Coverage confirmed under Coverage A; deductible 1% applies for wind/hail.",
    "Claimant disputes liability; recorded statement scheduled.",
    "Rental extended two days pending parts.",
    "Mitigation vendor dispatched for water extraction.",
)
_COLUMNS: Final = ["claim_id", "line", "paid", "incurred", "zip", "peril", "report_lag",
                   "adjuster", "status"]  # fmt: skip
#: plausible values of the plain keys
_CHOICES: Final[dict[str, tuple[Any, ...]]] = {
    "coverage": (
        "coverage_a_dwelling",
        "coverage_c_contents",
        "collision",
        "comprehensive",
        "liability_bi",
        "liability_pd",
        "business_income",
    ),
    "status": ("open", "pending_estimate", "pending_payment", "in_review", "draft"),
    "reason": ("paid_in_full", "duplicate", "withdrawn", "below_deductible", "insured_request"),
    "channel": ("phone", "phone", "web", "agent"),
    "loss_type": ("hail", "wind", "water", "collision", "theft", "fire", "glass"),
    "trade": ("roofing", "auto_body", "water_mitigation", "glass", "general_contractor"),
    "zip": ("68847", "68801", "68901", "67401", "67601", "50010", "50501", "69101", "69361"),
    "radius_mi": (10, 25, 50),
    "scope": ("roof", "front_end", "interior", "full"),
    "window": ("am", "pm", "next_available"),
    "days": (3, 5, 7, 30),
    "daily_limit": (35, 45, 60),
    "role": ("claims_read", "claims_adjuster", "payments_read", "warehouse_analyst"),
    "manager": ("m.hale", "r.ostrander"),
    "kind": ("api_key", "oauth_client", "password"),
    "schema": ("claims", "policy", "finance", "cat"),
    "dashboard": ("open_inventory", "cycle_time", "cat_hl_0929", "reserve_adequacy"),
    "feed": ("spc-storm-reports", "nws-alerts"),
    "lines": ("home,bop", "auto,home"),
    "min_size_in": (1.0, 1.5, 2.0),
    "decision": ("approve", "approve_with_conditions", "refer_up"),
    "coverages": ("A,B,C,D", "BI,PD,COMP,COLL", "BPP,GL"),
    "line": ("homeowners", "auto_pd", "auto_liab", "bop"),
    "years": (3, 5),
    "tags": ("roof,hail", "estimate", "statement", "invoice"),
    "fields": ("ssn,dob", "bank_account", "dl_number"),
    "retention_rule": ("closed_7y",),
    "term": ("12m", "6m"),
    "changes": ("add_vehicle", "remove_driver", "raise_deductible", "add_endorsement_ho04"),
    "template": ("claim_received", "adjuster_assigned", "payment_sent"),
    "to": ("insured", "agent", "vendor", "supervisor"),
    "subject": ("Claim update", "Estimate attached", "Inspection scheduled", "Coverage question"),
    "body": (
        "Please see the attached estimate and let me know of any questions.",
        "Your inspection is confirmed for tomorrow afternoon.",
    ),
    "folder": ("inbox", "claims", "sent"),
    "queue": ("fnol", "status", "siu", "callback"),
    "min_score": (650, 700, 800),
    "features": ("v7",),
    "depth": (1, 2),
    "party": ("other_driver", "contractor", "manufacturer"),
    "payee": ("insured", "insured+mortgagee", "body_shop", "contractor"),
    "method": ("ach", "check", "virtual_card"),
    "format": ("parquet", "csv"),
    "grain": ("AQ", "AY"),
    "basis": ("paid", "incurred"),
    "source": ("field-app", "email", "scan"),
    "routing": ("xxxxx0110", "xxxxx2271"),
    "vin": ("1FTFW1E5XMF*****", "2T1BURHE0JC*****"),
    "invoice": ("INV-20931", "INV-20977", "INV-21004"),
    "table": ("stage.claim", "stage.policy"),
    "rows": (12000, 48000),
}
_STAFF: Final = ("hale", "ostrander", "pike", "lindgren", "mora", "achebe", "tanaka", "brandt",
                  "ferreira", "young", "haas", "ndiaye")  # fmt: skip
_TYPES: Final = ("photo", "estimate", "police_report", "invoice", "statement", "dec_page")


def _street(rng: random.Random) -> str:
    return f"{rng.randint(100, 9899)} {rng.choice(_STREETS)}, {rng.choice(_TOWNS)}"


def _value(key: str, ids: Ids, rng: random.Random, person: str) -> Any:
    if key in ids:
        return ids[key]
    r = rng
    match key:
        case "query" | "claimant" | "insured":
            return f"{r.choice(_STREETS).split()[0]} {r.randint(10, 99)}{r.choice('ABCDEFGH')}"
        case "limit":
            return r.choice((10, 25, 50))
        case "note" | "description":
            return " ".join(r.sample(_NOTES, r.randint(1, 3)))
        case "address":
            return _street(r)
        case "amount" | "total":
            return round(r.lognormvariate(8.2, 0.9), 2)
        case "sql":
            cols = ", ".join(r.sample(_COLUMNS, 4))
            month = f"2026-0{r.randint(1, 9)}"
            # the text an analyst's agent sends, never executed here
            return f"SELECT {cols} FROM claims.fact_claim WHERE loss_month >= '{month}'"  # noqa: S608
        case "adjuster" | "principal":
            return person
        case "user":  # someone else's account (an IT or HR ticket)
            return f"{r.choice('abcdehjklmnprstw')}.{r.choice(_STAFF)}"
        case "loss_date" | "as_of" | "effective" | "since" | "due" | "when":
            return f"2026-09-{r.randint(1, 30):02d}"
        case "doc_type":
            return r.choice(_TYPES)
        case "filename":
            return f"IMG_{r.randint(1000, 9999)}.jpg"
        case "caption":
            return r.choice(("roof north slope", "front bumper", "kitchen ceiling", "fence line"))
        case "pages":
            return r.randint(1, 24)
        case "vendor_id":
            return f"V-{r.randint(1000, 2999)}"
        case "payment_id":
            return f"P-{r.randint(10**6, 10**7)}"
        case "claim_id":
            return f"CL-26-{r.randint(30000, 40000):06d}"
        case "event_id":
            return r.choice(("HL-0811", "WF-0922", "HL-0929"))
        case "count":
            return r.randint(20, 240)
        case _ if key in _CHOICES:
            return r.choice(_CHOICES[key])
        case _:
            return f"{key}-{r.randint(100, 999)}"


def args_for(tool: str, ids: Ids, rng: random.Random, person: str = "") -> dict[str, Any]:
    """The arguments of a ``tool`` call: ``ids`` hold the case's identifiers (``claim_id``,
    ``policy_no``, …); the rest is drawn."""
    return {k: _value(k, ids, rng, person) for k in _KEYS[tool]}
