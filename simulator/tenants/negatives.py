"""The scored day's hard negatives: benign episodes a platform sees that look like trouble.

Each is planned before traffic is made (:func:`plan`) and labelled ``benign:<name>#k``. An
episode that replaces an install's own day names its ``(user, agent)`` in ``takes`` (that day is
then made by the episode, labelled). :data:`HARD_NEGATIVES` lists them:

=======================  ===========================================================================
onboarding_backfill      a tenant that signed up today: its connector imports its history
                         (hundreds of creates, 429s and retries), then runs as usual
campaign_surge           a tenant's marketing campaign: its webhook connector sees 5-10× the events
version_rollout          an app vendor ships a new major version to several tenants: new client
                         version, ``tools/list``, a new tool mix
platform_incident        two or three of the platform's servers fail half their calls for 25-45 min,
                         for every tenant; clients retry with backoff
resync_after_outage      after the incident, several tenants' sync connectors run a full sync
gdpr_deletion            a tenant's operator executes a data-subject erasure: searches, a subject
                         export, then dozens of deletes across objects, each citing the DSR ticket
month_end_billing        month-end runs: tenants' finance connectors create and export invoices
security_scan            a tenant's own security team (a new scanner identity) enumerates its
                         tenant: lists and gets on every server, denials on admin tools
night_operator           an operator working late in their own time zone, from a new client
=======================  ===========================================================================
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Final

from ._calls import Actor, Gateway, Outage, hexid, make_args
from .catalog import SERVERS, tools_of
from .tenancy import APPS, Install, Tenant
from .traffic import operator_day, run_day, sync_run

__all__ = ["HARD_NEGATIVES", "Negative", "plan"]

HARD_NEGATIVES: Final[tuple[str, ...]] = tuple(
    f"benign:{n}"
    for n in (
        "onboarding_backfill", "campaign_surge", "version_rollout", "platform_incident",
        "resync_after_outage", "gdpr_deletion", "month_end_billing", "security_scan",
        "night_operator",
    )
)  # fmt: skip
_S: Final = 1_000_000
_MIN: Final = 60 * _S
_HOUR: Final = 3600 * _S


@dataclass
class Negative:
    """One planned episode: its label, the identities whose day it makes, and how to run it."""

    label: str
    description: str
    run: Callable[[Gateway, random.Random], None]
    takes: set[tuple[str, str]] = field(default_factory=set)  # (user, agent) whose day it makes


def _key(ins: Install) -> tuple[str, str]:
    return ins.actor.user, ins.actor.agent


def _some(rng: random.Random, items: list[Install], k: int) -> list[Install]:
    return rng.sample(items, min(k, len(items)))


def plan(
    rng: random.Random, orgs: list[Tenant], installs: list[Install], day: int, day0: int
) -> tuple[list[Negative], list[Outage]]:
    """The scored day's episodes, and the outage among them (the gateway applies it)."""
    old = [i for i in installs if i.tenant.first_day <= day - 6]
    out: list[Negative] = []
    used: set[str] = set()

    def pick(pred: Callable[[Install], bool]) -> Install:
        cands = [i for i in old if pred(i) and i.actor.user not in used]
        ins = rng.choice(cands) if cands else rng.choice(old)
        used.add(ins.actor.user)
        return ins

    # onboarding backfill: a new tenant, its connector importing history
    size = rng.uniform(4, 20)
    t = Tenant(f"t{len(orgs):02d}-newco", size, rng.choice((-5, 1, 8)), (5, 6), False, 120, day, ())
    app = next(a for a in APPS if a.name == "salesbridge")
    new = Install(t, app, Actor(t.slug, f"svc-{t.slug}-salesbridge", app.name,
                                "salesbridge-connector", "4.2.0"),
                  4.0 * size**0.75, 0.0, 2.0, 10_000, None)  # fmt: skip

    def backfill(gw: Gateway, r: random.Random) -> None:
        run_day(gw, r, new, day, day0)  # its first day: the import, then webhooks

    out.append(Negative("benign:onboarding_backfill#0", "a new tenant's import", backfill))

    camp = pick(lambda i: i.app.name in ("mailpilot", "salesbridge") and i.tenant.size > 2.5)
    camp_i = replace(camp, tenant=replace(camp.tenant, campaign_days=(day,)))
    out.append(
        Negative("benign:campaign_surge#0", f"campaign day of {camp.tenant.slug}",
                 lambda gw, r: run_day(gw, r, camp_i, day, day0), {_key(camp)})
    )  # fmt: skip

    roll_app = rng.choice([a for a in APPS if a.upgrade_tools])
    rolled = _some(rng, [i for i in old if i.app is roll_app and i.upgraded is None], 4)
    upgraded = [
        replace(i, upgrade_day=day, upgraded=replace(i.actor, version="9.0.0")) for i in rolled
    ]

    def rollout(gw: Gateway, r: random.Random) -> None:
        for i in upgraded:
            run_day(gw, r, i, day, day0)

    takes = {_key(i) for i in rolled}
    out.append(Negative("benign:version_rollout#0", f"{roll_app.name} 9.0.0", rollout, takes))
    used |= {i.actor.user for i in rolled}

    start = day0 + rng.randint(13, 17) * _HOUR + rng.randrange(_HOUR)
    end = start + rng.randint(25, 45) * _MIN
    down = frozenset(
        rng.sample(("crm", "helpdesk", "search", "files", "mailer"), rng.randint(2, 3))
    )
    outage = Outage(start, end, down, 0.5, "benign:platform_incident#0")
    out.append(Negative(outage.label, f"{', '.join(sorted(down))} failing", lambda gw, r: None))

    syncs = _some(rng, [i for i in old if i.app.kind == "nightly"], 5)

    def resync(gw: Gateway, r: random.Random) -> None:
        for i in syncs:
            at = end + r.randint(5, 40) * _MIN
            sync_run(gw, r, i, i.upgraded or i.actor, i.app.tools, day0, at=at)

    out.append(Negative("benign:resync_after_outage#0", "full re-syncs after the incident", resync))

    op = pick(lambda i: i.app.kind == "operator")

    def gdpr(gw: Gateway, r: random.Random) -> None:
        operator_day(gw, r, op, day0, sessions=1)
        ts = day0 + int((op.hour + 2.5 - op.tenant.tz) % 24 * _HOUR)
        session, ticket = hexid(r), f"DSR-{r.randint(1000, 9999)}"
        for tool in ("search_records", "search_records", "contacts_get", "data_export_request"):
            ts = gw.call(ts, op.actor, tool, session=session, trace=hexid(r, 128)) + 20 * _S
        deletes = ("contacts_delete", "deals_delete", "tickets_delete", "files_delete")
        for _ in range(r.randint(40, 120)):
            tool = r.choice(deletes)
            args = make_args(tool, op.tenant.slug, r) | {"ticket": ticket, "reason": "gdpr_erasure"}
            ts = gw.call(ts, op.actor, tool, session=session, trace=hexid(r, 128), args=args)
            ts += r.randint(2 * _S, 7 * _S)
        gw.call(ts, op.actor, "gdpr_erase_subject", session=session, trace=hexid(r, 128))

    out.append(Negative("benign:gdpr_deletion#0", "a data-subject erasure", gdpr, {_key(op)}))

    finance = _some(rng, [i for i in old if i.app.name in ("finance-reports", "ledgerlink")], 4)
    for k, fin in enumerate(finance):

        def billing(gw: Gateway, r: random.Random, fin: Install = fin) -> None:
            ts = day0 + int((18.0 - fin.tenant.tz) % 24 * _HOUR) + r.randrange(_HOUR)
            ts = min(ts, day0 + 22 * _HOUR)
            session, trace = hexid(r), hexid(r, 128)
            for _ in range(int(8 * fin.tenant.size**0.7) + 5):
                ts = gw.call(ts, fin.actor, "invoices_create", session=session, trace=trace)
                ts += r.randint(100_000, 800_000)
            for tool in ("invoices_export", "usage_report", "invoices_export"):
                ts = gw.call(ts, fin.actor, tool, session=session, trace=trace, result_scale=8.0)

        out.append(Negative(f"benign:month_end_billing#{k}", "month-end invoicing", billing))

    sec_t = rng.choice([t for t in orgs if t.first_day == 0 and t.size > 2])
    scanner = Actor(sec_t.slug, f"svc-{sec_t.slug}-secscan", "tenant-scanner", "scanwise", "2.3.1")

    def scan(gw: Gateway, r: random.Random) -> None:
        ts = day0 + int((10.0 - sec_t.tz) % 24 * _HOUR)
        session = hexid(r)
        ts = gw.call(ts, scanner, None, session=session, trace=hexid(r, 128))
        for server in SERVERS:
            for tool in tools_of(server, "list", "get", "search"):
                for _ in range(r.randint(2, 6)):
                    denied = server == "admin" and r.random() < 0.6
                    ts = gw.call(ts, scanner, tool, session=session, trace=hexid(r, 128),
                                 outcome="denied" if denied else "",
                                 error="permission_denied" if denied else None)  # fmt: skip
                    ts += r.randint(300_000, 3 * _S)

    out.append(Negative("benign:security_scan#0", f"{sec_t.slug}'s authorised scan", scan))

    night = pick(lambda i: i.app.kind == "operator")
    other = next(c for c in ("cursor", "claude-desktop", "goose") if c != night.actor.client)
    late = replace(night.actor, client=other, version="1.0.0")
    out.append(
        Negative("benign:night_operator#0", "late work from a new client",
                 lambda gw, r: operator_day(gw, r, night, day0, who=late, start_hour=22.5,
                                            sessions=2), {_key(night)})
    )  # fmt: skip
    return out, [outage]
