"""Who uses the platform: tenant organisations and the integrations and operators they run.

Tenant sizes are heavy-tailed (Pareto), spread over the world's time zones (a few keep a
Sunday-Thursday week). Each tenant installs apps from the platform's marketplace in proportion
to its size: pollers with fixed periods, webhook-driven connectors, nightly syncs in the
tenant's own night, LLM support agents, scheduled reports; each install is one service identity
(``svc-<tenant>-<app>``) keyed by its own OAuth client, unless an operator installed it with
their own OAuth grant (a third of agents and reports: it then calls as that operator). A minority
of human operators (``op-<tenant>-<name>``) use desktop MCP clients interactively in their working
hours. Some
installs are upgraded during the weeks (new client version, the deprecated tool dropped), some
tenants onboard late (a backfill on their first day), and business-to-consumer tenants hold
campaign days. Deterministic from the ``rng`` given.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Final

from ._calls import Actor

__all__ = ["APPS", "ROLES", "App", "Install", "Tenant", "build"]


@dataclass(frozen=True, slots=True)
class App:
    """A marketplace app: how it runs (``kind``) and the tools it calls, in order of use."""

    name: str
    kind: str  # poller | webhook | nightly | agent | report | operator
    tools: tuple[str, ...]
    upgrade_tools: tuple[str, ...] = ()  # its tool mix after an upgrade (else unchanged)


APPS: Final[tuple[App, ...]] = (
    App("salesbridge", "webhook", ("contacts_get", "deals_list", "contacts_update", "notes_add")),
    App("deskflow", "webhook",
        ("tickets_get", "search_kb", "tickets_comment", "tickets_update", "tickets_assign")),
    App("mailpilot", "webhook", ("contacts_get", "templates_render", "messages_send")),
    App("ledgerlink", "nightly",
        ("invoices_list", "payments_list", "subscriptions_list", "invoices_get")),
    App("warehouse-sync", "nightly",
        ("contacts_list", "accounts_list", "deals_list", "events_query"),
        ("contacts_list", "accounts_list", "deals_list", "query_sql")),
    App("pulse", "poller", ("events_list", "deliveries_list", "tickets_get")),
    App("docsync", "poller", ("files_list", "files_get", "files_put")),
    App("dashfeed", "poller", ("metrics_timeseries", "dashboards_get")),
    App("support-copilot", "agent",
        ("contacts_search_v1", "tickets_get", "search_kb", "articles_get", "tickets_comment"),
        ("search_records", "tickets_get", "search_kb", "articles_get", "tickets_comment",
         "tickets_close")),
    App("kb-writer", "agent", ("search_kb", "articles_get", "articles_update", "articles_publish")),
    App("finance-reports", "report", ("usage_report", "invoices_list", "reports_run")),
    App("growth-reports", "report", ("segments_list", "reports_run", "metrics_timeseries")),
)  # fmt: skip

# operator roles -> the tools they reach for (weighted by repetition)
ROLES: Final[dict[str, tuple[str, ...]]] = {
    "support": ("tickets_list", "tickets_get", "tickets_get", "tickets_comment", "search_kb",
                "contacts_get", "tickets_close", "articles_get", "macros_list"),
    "salesops": ("contacts_list", "contacts_get", "contacts_get", "deals_list", "deals_update",
                 "accounts_get", "contacts_update", "search_records", "reports_run"),
    "finance": ("invoices_list", "invoices_get", "invoices_get", "subscriptions_get",
                "refunds_create", "payments_list", "usage_report"),
    "admin": ("users_list", "users_get", "roles_list", "api_keys_list", "tenant_settings_get",
              "webhooks_list", "users_invite", "files_list"),
}  # fmt: skip
_NAMES: Final = ("ana", "bo", "chen", "dara", "eli", "femi", "gus", "hana", "ivo", "jun", "kai",
                 "lena", "mo", "nia", "omar", "pia", "raj", "sol", "tess", "uma")  # fmt: skip
_DESKTOP: Final = (("claude-desktop", "0.9.4"), ("cursor", "1.7.2"), ("goose", "1.2.0"),
                   ("vscode-copilot", "1.98.0"))  # fmt: skip
# UTC offsets tenants sit in, with weights
_TZ: Final = ((-8, 4), (-7, 2), (-6, 3), (-5, 5), (-3, 2), (0, 4), (1, 6), (2, 3), (3, 1),
              (4, 1), (5.5, 2), (8, 3), (9, 2), (10, 2), (12, 1))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Tenant:
    """A customer organisation: size (1 = a small one), time zone, week, plan, first day."""

    slug: str
    size: float
    tz: float
    weekend: tuple[int, ...]  # local weekdays off (Mon = 0)
    b2c: bool
    limit_per_min: int
    first_day: int
    campaign_days: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Install:
    """One app (or operator) of one tenant, as the identity that calls the platform."""

    tenant: Tenant
    app: App
    actor: Actor
    volume: float  # events, polls, tasks or sessions per active day, before daily variation
    period_s: float  # pollers: seconds between polls
    hour: float  # nightly / report: local hour it runs
    upgrade_day: int  # first day on the new version (a large number: never)
    upgraded: Actor | None
    role: str = ""  # operators: their role in ROLES


def _tenant(rng: random.Random, i: int, days: int) -> Tenant:
    size = min(80.0, rng.paretovariate(1.15))
    tz = rng.choices([z for z, _ in _TZ], [w for _, w in _TZ])[0]
    b2c = rng.random() < 0.35
    late = rng.random() < 0.08 and i > 3
    slug = f"t{i:02d}-{rng.choice(('acme', 'nova', 'orbit', 'lumen', 'kite', 'fjord', 'delta'))}"
    campaigns = tuple(sorted(rng.sample(range(1, days - 1), 2))) if b2c else ()
    return Tenant(
        slug=slug,
        size=size,
        tz=tz,
        weekend=(4, 5) if tz in (3, 4) and rng.random() < 0.6 else (5, 6),
        b2c=b2c,
        limit_per_min=60 if size < 3 else 120 if size < 20 else 300,
        first_day=rng.randint(2, days - 4) if late else 0,
        campaign_days=campaigns,
    )


def _install(rng: random.Random, t: Tenant, app: App, days: int) -> Install:
    vol = t.size**0.75
    period = rng.choice((900, 1800, 3600, 3600, 7200)) * (1 + rng.uniform(-0.02, 0.02))
    kind_volume = {"webhook": 3.0, "agent": 1.5, "poller": 1.0, "nightly": 1.0, "report": 1.0}
    version = f"{rng.randint(1, 4)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}"
    actor = Actor(t.slug, f"svc-{t.slug}-{app.name}", app.name, f"{app.name}-connector", version)
    upgrade, upgraded = 10_000, None
    if rng.random() < 0.3:
        upgrade = rng.randint(2, days - 3)
        major = int(version.split(".")[0]) + 1
        upgraded = Actor(
            t.slug, actor.user, app.name, actor.client, f"{major}.0.{rng.randint(0, 3)}"
        )
    return Install(
        tenant=t,
        app=app,
        actor=actor,
        volume=kind_volume[app.kind] * vol * rng.uniform(0.6, 1.6),
        period_s=period,
        hour=rng.uniform(0.5, 4.5) if app.kind == "nightly" else rng.uniform(5.5, 9.0),
        upgrade_day=upgrade,
        upgraded=upgraded,
    )


def _operator(rng: random.Random, t: Tenant, k: int) -> Install:
    name = _NAMES[(k * 7 + len(t.slug)) % len(_NAMES)] + str(k)
    client, version = rng.choice(_DESKTOP)
    who = Actor(t.slug, f"op-{t.slug}-{name}", "desktop-assistant", client, version, human=True)
    return Install(
        tenant=t,
        app=App("operator", "operator", ()),
        actor=who,
        volume=rng.uniform(0.6, 2.5),  # sessions per working day
        period_s=0.0,
        hour=rng.uniform(7.5, 10.5),  # local start of the working day
        upgrade_day=10_000,
        upgraded=None,
        role=rng.choice(tuple(ROLES)),
    )


def build(rng: random.Random, tenants: int, days: int) -> tuple[list[Tenant], list[Install]]:
    """``tenants`` organisations with their installs and operators."""
    orgs = [_tenant(rng, i, days) for i in range(tenants)]
    installs: list[Install] = []
    for t in orgs:
        n_apps = min(len(APPS), 1 + int(1.6 * t.size**0.35) + rng.randint(0, 2))
        for app in rng.sample(APPS, n_apps):
            installs.append(_install(rng, t, app, days))
        ops = [
            _operator(rng, t, k) for k in range(min(6, 1 + int(t.size**0.3) + (rng.random() < 0.4)))
        ]
        for k, ins in enumerate(installs):
            if ins.tenant is t and ins.app.kind in ("agent", "report") and rng.random() < 0.35:
                # installed with an operator's OAuth grant: it calls as that person
                user = rng.choice(ops).actor.user
                up = replace(ins.upgraded, user=user) if ins.upgraded else None
                installs[k] = replace(ins, actor=replace(ins.actor, user=user), upgraded=up)
        installs += ops
    return orgs, installs
