"""``inject``: the five attack families of ``simulator.inject``, in shapes of tides's own.

Each incident lands on the scored day on its own victim: a person (never ``svc-*``, never one
playing a hard negative) active on at least five earlier days. Knobs per intensity in
:data:`KNOBS` (``calls``, ``minutes``, a family-specific third); shapes vary with the seed:

``novelty_burst``  recon across servers the victim never used (``third``: how many servers),
                   in the victim's usual hours; from the victim's own seat, or with a stolen
                   token from a client the victim never used
``off_hours``      the victim's own tools at an ordinary pace in a UTC hour-of-week they never
                   worked, at least ``third`` hours from any hour of day they ever worked
                   (deep night, or just far enough)
``destructive``    a burst of one delete tool: fully annotated ``destructiveHint``, annotated
                   only ``readOnlyHint: false`` (as GitHub's server), or destructive by name
``error_storm``    enumeration of ids/paths through one tool the victim uses, arguments
                   ``third`` times the victim's largest for it, mostly failing
``bulk_read``      exfiltration: slow-and-low (``calls`` reads over ``minutes``) or a
                   smash-and-grab (half as many in four minutes, twice as large); results
                   ``third`` times the tool's median
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Final

from ..inject import FAMILIES, check_choice
from ..model import Incident, SimCall, Simulation
from ._calls import CallMaker, Seat, args_size
from ._history import History, histories, slot
from .catalog import SERVERS, server_of, tool
from .org import DAY_US, HOUR_US

__all__ = ["DELETES", "KNOBS", "inject"]

_MIN: Final = 60_000_000
#: family → intensity → (calls, minutes, third knob)
KNOBS: Final[dict[str, dict[str, tuple[int, int, float]]]] = {
    "novelty_burst": {"low": (5, 25, 2), "mid": (16, 6, 5), "high": (36, 5, 8)},
    "off_hours": {"low": (8, 40, 1), "mid": (30, 45, 4), "high": (70, 60, 6)},
    "destructive": {"low": (6, 20, 0), "mid": (30, 6, 0), "high": (80, 8, 0)},
    "error_storm": {"low": (12, 15, 3), "mid": (50, 8, 10), "high": (150, 10, 25)},
    "bulk_read": {"low": (20, 90, 3), "mid": (60, 60, 10), "high": (120, 45, 25)},
}
#: delete tools by how their server describes them
DELETES: Final[dict[str, tuple[str, ...]]] = {
    "annotated": (
        "s3_delete_object",
        "delete_dns_record",
        "notion_delete_block",
        "delete_entities",
    ),
    "readonly_false": ("delete_file",),
    "name_only": (
        "delete_branch",
        "jira_delete_issue",
        "redis_delete",
        "kubectl_delete",
        "remove_container",
    ),
}
_STRANGERS: Final = (("python-httpx", "0.28.1"), ("mcp-remote", "0.1.29"), ("node", "22.11.0"))
_BIG_READS: Final = (
    "gdrive_read_file",
    "s3_get_object",
    "query",
    "mysql_query",
    "get_file_contents",
    "read_text_file",
    "notion_retrieve_page",
    "kubectl_logs",
    "slack_get_channel_history",
    "cloudwatch_get_logs",
)


def _times(rng: random.Random, t0: int, n: int, minutes: float) -> list[int]:
    span = int(minutes * _MIN)
    return sorted(t0 + rng.randrange(max(1, span)) for _ in range(n))


def _work_start(rng: random.Random, h: History, day_us: int, minutes: float) -> int:
    hour = rng.choice([x for x, _ in h.hours.most_common(4)])
    t = day_us + hour * HOUR_US + rng.randrange(30) * _MIN
    return min(t, day_us + DAY_US - int((minutes + 2) * _MIN))


def _novelty(mk: CallMaker, h: History, day_us: int, knob: tuple[int, int, float]) -> list[SimCall]:
    rng, (n, minutes, k) = mk.rng, knob
    fresh = [s for s in SERVERS if s.name not in h.servers]
    chosen = rng.sample(fresh, min(int(k), len(fresh)))
    tools = [t.name for s in chosen for t in s.tools if t.kind == "read"] or [
        t.name for s in chosen for t in s.tools
    ]
    seat = h.seat
    if rng.random() < 0.5:
        client, version = rng.choice([c for c in _STRANGERS if c[0] not in h.clients])
        seat = Seat(seat.user, "unknown", client, version)
    names = [chosen[i % len(chosen)].tools[0].name for i in range(len(chosen))]
    names += [rng.choice(tools) for _ in range(n - len(names))]
    t0, session = _work_start(rng, h, day_us, minutes), mk.hex()
    out: list[SimCall] = []
    for t, name in zip(_times(rng, t0, n, minutes), names, strict=False):
        server = server_of(name)
        if all(c.server != server for c in out):  # the client connects to each new server
            out.append(mk.control(t - 800_000, seat, session, server, "initialize"))
            out.append(mk.control(t - 400_000, seat, session, server, "tools/list"))
        out.append(mk.call(t, seat, session, name, outcome=("ok", None)))
    return out


def _off_hours(
    mk: CallMaker, h: History, day_us: int, knob: tuple[int, int, float]
) -> list[SimCall]:
    rng, (n, minutes, far) = mk.rng, knob

    def gap(hour: int) -> int:
        return min(min(abs(hour - x), 24 - abs(hour - x)) for x in h.hours)

    free = [x for x in range(24) if slot(day_us + x * HOUR_US) not in h.slots and gap(x) >= far]
    if not free:
        free = sorted(range(24), key=gap)[-1:]
    hour = max(free, key=gap) if rng.random() < 0.5 else min(free, key=gap)
    t0 = day_us + hour * HOUR_US + rng.randrange(5) * _MIN
    t0 = min(t0, day_us + (hour + 1) * HOUR_US - int(minutes * _MIN) - _MIN)
    t0 = max(t0, day_us + hour * HOUR_US)
    names = rng.choices(list(h.tools), weights=list(h.tools.values()), k=n)
    seat, session = h.seat, mk.hex()
    return [
        mk.call(t, seat, session, name, outcome=("ok", None))
        for t, name in zip(_times(rng, t0, n, minutes), names, strict=True)
    ]


def _destructive(
    mk: CallMaker, h: History, day_us: int, knob: tuple[int, int, float]
) -> list[SimCall]:
    rng, (n, minutes, _k) = mk.rng, knob
    kind = rng.choice(sorted(DELETES))
    pool = DELETES[kind]
    own = [t for t in pool if server_of(t) in h.servers]
    name = rng.choice(own or list(pool))
    t0, seat, session = _work_start(rng, h, day_us, minutes), h.seat, mk.hex()
    return [
        mk.call(t, seat, session, name, outcome=("ok", None)) for t in _times(rng, t0, n, minutes)
    ]


def _error_storm(
    mk: CallMaker, h: History, day_us: int, knob: tuple[int, int, float]
) -> list[SimCall]:
    rng, (n, minutes, factor) = mk.rng, knob
    enum = [t for t in h.tools if tool(t).args in ("path", "query", "key", "issue", "repo", "page")]
    reads = [t for t in enum if tool(t).kind == "read"]
    name = rng.choice(sorted(reads or enum or h.tools))
    need = int(factor * max(h.max_args.get(name, 1), 40)) + 1
    probes = ("../" * 8 + "etc/passwd", "' OR 1=1 --", "{{7*7}}", "$(id)", "%00", "*")
    t0, seat, session, out = _work_start(rng, h, day_us, minutes), h.seat, mk.hex(), []
    fail = {"low": 0.5, "mid": 0.85, "high": 0.9}
    rate = fail["low"] if factor <= 3 else fail["mid"] if factor <= 10 else fail["high"]
    for i, t in enumerate(_times(rng, t0, n, minutes)):
        args = mk.args(tool(name), seat.user)
        key = next((k for k, v in args.items() if isinstance(v, str)), "q")
        base = f"{args.get(key, '')}/{i:06d}/"
        args[key] = base + (rng.choice(probes) * (need // 4 + 1))[: max(0, need - len(base))]
        while args_size(args) < need:
            args["filter"] = str(args.get("filter", "")) + rng.choice(probes)
        bad = rng.random() < rate
        out.append(
            mk.call(
                t,
                seat,
                session,
                name,
                args=args,
                outcome=(
                    ("error", rng.choice(("not_found", "invalid_params"))) if bad else ("ok", None)
                ),
            )
        )
    return out


def _bulk_read(
    mk: CallMaker, h: History, day_us: int, knob: tuple[int, int, float]
) -> list[SimCall]:
    rng, (n, minutes, factor) = mk.rng, knob
    if rng.random() < 0.5:  # smash-and-grab
        n, minutes, factor = max(4, n // 2), 4, factor * 2
    own = [t for t in _BIG_READS if t in h.tools]
    names = own or [
        max(
            (t for t in h.tools if tool(t).kind == "read"),
            key=h.tools.__getitem__,
            default="gdrive_read_file",
        )
    ]
    t0, seat, session = _work_start(rng, h, day_us, minutes), h.seat, mk.hex()
    return [
        mk.call(
            t, seat, session, name, outcome=("ok", None), result=mk.result_bytes(tool(name), factor)
        )
        for t, name in zip(
            _times(rng, t0, n, minutes), (rng.choice(names) for _ in range(n)), strict=False
        )
    ]


_SHAPES: Final = {
    "novelty_burst": _novelty,
    "off_hours": _off_hours,
    "destructive": _destructive,
    "error_storm": _error_storm,
    "bulk_read": _bulk_read,
}


def inject(
    sim: Simulation,
    families: Sequence[str] = FAMILIES,
    intensity: str = "mid",
    *,
    seed: int = 0,
    per_family: int = 1,
    annotations: Mapping[str, Mapping[str, object]] | None = None,
) -> Simulation:
    """``sim`` plus ``per_family`` incidents of each family at ``intensity`` (labelled
    ``family#k``) on the scored day; the benign calls are unchanged. ``annotations`` is
    accepted for the shared signature; tides's own catalog (``catalog.ANNOTATIONS``) decides."""
    check_choice(families, intensity)
    del annotations
    rng = random.Random(f"tides-attacks:{seed}:{intensity}")
    cfg = sim.config
    mk = CallMaker(rng, cfg.days, cfg.start_us)
    past = histories(sim)
    busy = {b.user for b in sim.benign_bursts} | {i.user for i in sim.incidents}
    pool = sorted(
        u
        for u, h in past.items()
        if not u.startswith("svc-") and u not in busy and len(h.days) >= 5 and h.tools
    )
    rng.shuffle(pool)
    day_us, added, incidents = cfg.attack_start_us, [], list(sim.incidents)
    for k in range(per_family):
        for fam in families:
            if not pool:
                raise ValueError("not enough people with history for every incident")
            user = _victim(pool, past, fam)
            label = f"{fam}#{k}"
            calls = [
                _relabel(c, label)
                for c in _SHAPES[fam](mk, past[user], day_us, KNOBS[fam][intensity])
            ]
            calls = sorted((c for c in calls if day_us <= c.ts < cfg.end_us), key=lambda c: c.ts)
            added += calls
            c0 = calls[0]
            incidents.append(
                Incident(
                    label,
                    fam,
                    user,
                    c0.agent,
                    c0.client,
                    calls[0].ts,
                    calls[-1].ts,
                    len(calls),
                    f"{fam} ({intensity})",
                )
            )
    merged = sorted([*sim.calls, *added], key=lambda c: c.ts)
    return Simulation(cfg, merged, incidents, list(sim.benign_bursts), list(sim.users))


def _victim(pool: list[str], past: dict[str, History], family: str) -> str:
    """The next person in ``pool`` this family can land on (taken out of the pool)."""
    for i in range(len(pool) - 1, -1, -1):
        h = past[pool[i]]
        fresh = sum(s.name not in h.servers for s in SERVERS)
        if family != "novelty_burst" or fresh >= 3:
            return pool.pop(i)
    raise ValueError(f"no person with history left for {family}")


def _relabel(c: SimCall, label: str) -> SimCall:
    return replace(c, label=label)
