"""This platform's own attack injector: the five families of ``simulator.inject``, in its shapes.

``inject(sim, families, intensity, seed=...)`` reads each identity's history before the scored day
from the calls alone (``simulator/_history.py``; its servers are those of the tools it called, its
actor the latest client it used) and adds one labelled incident (``family#k``) per family, each on
its own victim: an identity (integration or operator) active on at least five days that started
at least five days before, not part of a hard negative. The benign calls are unchanged.

================  ===============================================================================
novelty_burst     a leaked integration token (or an operator's hijacked agent) enumerates
                  servers its identity never called: ``new_tools`` tools on ``new_servers``
                  servers, ``calls`` calls within ``minutes``, same client and agent
off_hours         the victim's own tool mix, ``calls`` calls spread over ``minutes`` at an hour
                  at least ``far_hours`` from every hour it was ever active
destructive       a sweep of one destructive tool on a server the victim uses, ``calls`` calls
                  spread over ``minutes`` (well under the platform's rate limit)
error_storm       injection probing through one tool the victim uses: ``calls`` calls in
                  ``minutes``, a share ``fail`` failing, arguments ``size`` times its largest
bulk_read         a compromised identity pulls the tenant's data: ``calls`` list / get / export
                  calls in ``minutes``, results ``result_x`` times the usual size
================  ===============================================================================

Shapes vary with ``seed`` (which victim, which tools, the pace, the error mix). Destructive tools
come from ``annotations`` (``destructiveHint``), else (no hint stated) from the tool names.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from typing import Final

from .._history import History, histories
from ..inject import FAMILIES, INTENSITIES
from ..model import DAY_US, Incident, Simulation
from ._calls import Actor, Gateway, hexid, make_args
from .catalog import SERVERS, TOOLS, tools_of

__all__ = ["FAMILIES", "INTENSITIES", "KNOBS", "inject"]

#: family → intensity → knob → value (documented in docs/tenants.md)
KNOBS: Final[dict[str, dict[str, dict[str, float]]]] = {
    "novelty_burst": {
        "low": {"new_tools": 3, "new_servers": 1, "calls": 6, "minutes": 25},
        "mid": {"new_tools": 7, "new_servers": 3, "calls": 20, "minutes": 10},
        "high": {"new_tools": 14, "new_servers": 5, "calls": 50, "minutes": 8},
    },
    "off_hours": {
        "low": {"calls": 10, "far_hours": 2, "minutes": 40},
        "mid": {"calls": 30, "far_hours": 4, "minutes": 45},
        "high": {"calls": 90, "far_hours": 6, "minutes": 60},
    },
    "destructive": {
        "low": {"calls": 12, "minutes": 30},
        "mid": {"calls": 50, "minutes": 20},
        "high": {"calls": 180, "minutes": 30},
    },
    "error_storm": {
        "low": {"calls": 12, "fail": 0.6, "size": 4, "minutes": 15},
        "mid": {"calls": 40, "fail": 0.85, "size": 12, "minutes": 10},
        "high": {"calls": 120, "fail": 0.95, "size": 40, "minutes": 10},
    },
    "bulk_read": {
        "low": {"calls": 30, "result_x": 3, "minutes": 40},
        "mid": {"calls": 120, "result_x": 8, "minutes": 30},
        "high": {"calls": 400, "result_x": 20, "minutes": 30},
    },
}
_S: Final = 1_000_000
_HOUR: Final = 3600 * _S
_NAME_DESTRUCTIVE: Final = ("delete", "void", "cancel", "revoke", "deactivate", "erase")


def _destructive(annotations: Mapping[str, Mapping[str, object]] | None) -> set[str]:
    named = {t for t in TOOLS if any(w in t for w in _NAME_DESTRUCTIVE)}
    if not annotations:
        return named
    stated = {t for t, a in annotations.items() if a.get("destructiveHint") is True}
    return stated | {t for t in named if "destructiveHint" not in annotations.get(t, {})}


def _check(families: Sequence[str], intensity: str, per_family: int) -> None:
    odd = [f for f in families if f not in FAMILIES]
    if isinstance(families, str) or odd:
        raise ValueError(
            f"families: unknown {odd or families!r}; choose from {', '.join(FAMILIES)}"
        )
    if intensity not in INTENSITIES:
        raise ValueError(f"intensity: {intensity!r} is not one of {', '.join(INTENSITIES)}")
    if not isinstance(per_family, int) or per_family < 0:
        raise ValueError(f"per_family must be a non-negative integer, not {per_family!r}")


def _eligible(family: str, h: History, knob: Mapping[str, float], scored: int) -> bool:
    if len(h.days) < 5 or min(h.days) > scored - 5 or not h.tools:
        return False
    if family == "novelty_burst":
        return len(set(SERVERS) - _servers(h)) >= knob["new_servers"]
    if family == "off_hours":
        return bool(_far_hours(h, int(knob["far_hours"])))
    return True


def _actor(h: History) -> Actor:
    """The identity's latest client: its first call since it last changed client version."""
    i = len(h.calls) - 1
    while i > 0 and h.calls[i - 1].client_version == h.calls[-1].client_version:
        i -= 1
    c = h.calls[i]
    tenant = "-".join(c.user.split("-")[1:3])  # svc-<tenant>-<app>, op-<tenant>-<name>
    return Actor(tenant, c.user, c.agent, c.client, c.client_version, c.user.startswith("op-"))


def _servers(h: History) -> set[str]:
    """The servers of the tools the identity called."""
    return {TOOLS[t].server for t in h.tools}


def _far_hours(h: History, far: int) -> list[int]:
    return [x for x in range(24) if all(min((x - y) % 24, (y - x) % 24) >= far for y in h.hours)]


def inject(
    sim: Simulation,
    families: Sequence[str] = FAMILIES,
    intensity: str = "mid",
    *,
    seed: int = 0,
    per_family: int = 1,
    annotations: Mapping[str, Mapping[str, object]] | None = None,
) -> Simulation:
    """``sim`` with ``per_family`` incidents of each family at ``intensity`` (labelled
    ``family#k``) on the scored day; raises ``ValueError`` naming the argument that is wrong, or
    ``families`` when too few identities qualify as victims."""
    _check(families, intensity, per_family)
    rng = random.Random(f"tenants-attacks:{seed}:{intensity}")
    hist = histories(sim)
    busy = {c.user for c in sim.calls if c.label and c.ts >= sim.config.attack_start_us}
    scored = sim.config.days - 1
    day0 = sim.config.attack_start_us
    gw = Gateway(rng=rng, limit_per_min={})
    incidents: list[Incident] = []
    used: set[str] = set()
    destructive = _destructive(annotations)
    for family in families:
        knob = KNOBS[family][intensity]
        for k in range(per_family):
            cands = sorted(
                u for u, h in hist.items()
                if u not in used and u not in busy and _eligible(family, h, knob, scored)
            )  # fmt: skip
            if not cands:
                raise ValueError(f"families: no identity left to be the victim of {family}#{k}")
            user = rng.choice(cands)
            h, who = hist[user], _actor(hist[user])
            used.add(user)
            label = f"{family}#{k}"
            before = len(gw.calls)
            shape = _FAMILY[family](gw, rng, h, who, knob, day0, label, destructive)
            made = gw.calls[before:]
            incidents.append(
                Incident(
                    id=label,
                    scenario=family,
                    user=user,
                    agent=who.agent,
                    client=who.client,
                    start=min(c.ts for c in made),
                    end=max(c.ts for c in made),
                    calls=len(made),
                    description=shape,
                )
            )
    calls = sorted([*sim.calls, *gw.calls], key=lambda c: c.ts)
    return Simulation(
        config=sim.config, calls=calls, incidents=[*sim.incidents, *incidents],
        benign_bursts=sim.benign_bursts, users=sim.users,
    )  # fmt: skip


def _usual_start(rng: random.Random, h: History, day0: int, minutes: float) -> int:
    hour = rng.choice(sorted(h.hours))
    start = day0 + hour * _HOUR + rng.randrange(_HOUR // 2)
    return min(start, day0 + DAY_US - int((minutes + 5) * 60 * _S))


def _spread(rng: random.Random, start: int, n: int, minutes: float) -> list[int]:
    span = int(minutes * 60 * _S)
    return sorted(start + rng.randrange(span) for _ in range(n))


def _own_tools(h: History) -> list[str]:
    return list(h.tools.elements())


def _novelty(gw: Gateway, rng: random.Random, h: History, who: Actor,
             knob: Mapping[str, float], day0: int, label: str, _d: set[str]) -> str:  # fmt: skip
    new_servers = rng.sample(sorted(set(SERVERS) - _servers(h)), int(knob["new_servers"]))
    enumerate_only = not who.human or rng.random() < 0.5
    kinds = ("list", "get", "search") if enumerate_only else ("list", "get", "search", "write")
    new = [rng.choice(tools_of(s, *kinds)) for s in new_servers]  # every new server touched
    pool = [t for s in new_servers for t in tools_of(s, *kinds) if t not in new]
    new += rng.sample(pool, max(0, min(len(pool), max(3, int(knob["new_tools"])) - len(new))))
    session = hexid(rng)
    n = max(int(knob["calls"]), len(new))
    start = _usual_start(rng, h, day0, knob["minutes"])
    for i, ts in enumerate(_spread(rng, start, n, knob["minutes"])):
        tool = new[i] if i < len(new) else rng.choice(new)
        gw.call(ts, who, tool, session=session, trace=hexid(rng, 128), label=label, retries=0)
    how = "token enumerating" if enumerate_only else "agent wandering into"
    return f"{how} {len(new)} new tools on {', '.join(new_servers)}"


def _off_hours(gw: Gateway, rng: random.Random, h: History, who: Actor,
               knob: Mapping[str, float], day0: int, label: str, _d: set[str]) -> str:  # fmt: skip
    hour = rng.choice(_far_hours(h, int(knob["far_hours"])))
    start = day0 + hour * _HOUR + rng.randrange(10 * 60 * _S)
    start = min(start, day0 + DAY_US - int((knob["minutes"] + 5) * 60 * _S))
    tools, session = _own_tools(h), hexid(rng)
    # its own mix at an ordinary pace: the window's calls spread over it, in its sessions' rhythm
    for ts in _spread(rng, start, int(knob["calls"]), knob["minutes"]):
        gw.call(ts, who, rng.choice(tools), session=session, trace=hexid(rng, 128),
                label=label, retries=0)  # fmt: skip
    return f"own tools at {hour:02d}:00 UTC, never active within {int(knob['far_hours'])} h"


def _destructive_sweep(gw: Gateway, rng: random.Random, h: History, who: Actor,
                       knob: Mapping[str, float], day0: int, label: str,
                       destructive: set[str]) -> str:  # fmt: skip
    own = sorted(t for t in destructive if TOOLS[t].server in _servers(h))
    tool = rng.choice(own or sorted(destructive))
    session = hexid(rng)
    start = _usual_start(rng, h, day0, knob["minutes"])
    n, span = int(knob["calls"]), int(knob["minutes"] * 60 * _S)
    scripted = rng.random() < 0.5  # a script sleeping between deletes, or a person clicking
    times = (
        [start + i * span // n + rng.randrange(2 * _S) for i in range(n)]
        if scripted
        else _spread(rng, start, n, knob["minutes"])
    )
    for ts in times:
        gw.call(ts, who, tool, session=session, trace=hexid(rng, 128), label=label, retries=0)
    how = "paced" if scripted else "irregular"
    return f"{n}× {tool} in {int(knob['minutes'])} min, {how}"


def _error_storm(gw: Gateway, rng: random.Random, h: History, who: Actor,
                 knob: Mapping[str, float], day0: int, label: str,
                 _d: set[str]) -> str:  # fmt: skip
    tool = rng.choice(sorted(h.tools))
    target = int(h.args_max.get(tool, 200) * knob["size"])
    session = hexid(rng)
    errors = rng.choice((("invalid_params", "internal"), ("invalid_params", "permission_denied")))
    for ts in _spread(rng, _usual_start(rng, h, day0, knob["minutes"]), int(knob["calls"]),
                      knob["minutes"]):  # fmt: skip
        args = make_args(tool, who.tenant, rng)
        args = make_args(tool, who.tenant, rng, pad=max(1, target - len(json.dumps(args))))
        err = rng.choice(errors) if rng.random() < knob["fail"] else None
        gw.call(ts, who, tool, session=session, trace=hexid(rng, 128), label=label, args=args,
                outcome=("denied" if err == "permission_denied" else "error") if err else "ok",
                error=err, retries=0)  # fmt: skip
    return f"probing {tool} with {knob['size']}× arguments"


def _bulk_read(gw: Gateway, rng: random.Random, h: History, who: Actor,
               knob: Mapping[str, float], day0: int, label: str, _d: set[str]) -> str:  # fmt: skip
    kinds = rng.choice((("list",), ("list", "export"), ("get", "list")))
    tools = [t for s in sorted(_servers(h)) for t in tools_of(s, *kinds)]
    own = [t for t in tools if t in h.tools] or tools
    session = hexid(rng)
    for ts in _spread(rng, _usual_start(rng, h, day0, knob["minutes"]), int(knob["calls"]),
                      knob["minutes"]):  # fmt: skip
        gw.call(ts, who, rng.choice(own), session=session, trace=hexid(rng, 128), label=label,
                result_scale=knob["result_x"], retries=0)  # fmt: skip
    return f"pulling data through {', '.join(sorted(set(own))[:4])} at {knob['result_x']}× size"


_FAMILY: Final = {
    "novelty_burst": _novelty,
    "off_hours": _off_hours,
    "destructive": _destructive_sweep,
    "error_storm": _error_storm,
    "bulk_read": _bulk_read,
}
