"""This world's attacks, one incident per family (``per_family``) on the scored day.

``novelty_burst``  a dispute handler's or support agent's assistant reads a dispute's evidence
                   (a ``resources/read``, counted in the knob's calls) whose text injects
                   instructions, then calls tools on servers its person never used (treasury
                   transfers, ledger exports, bank files)
``off_hours``      a stolen session token replays its owner's own tools at their own pace, at
                   an hour of the day the owner never worked
``destructive``    an insider reverses ledger entries, paced like work (one destructive tool)
``error_storm``    injection probing of ``txn_search``: huge query arguments, mostly refused
``bulk_read``      a compromised token pages out cardholder transactions with large results

Knobs (:data:`KNOBS`): how many tool calls, within how many minutes, and how far from the
victim's normal. ``low`` is slow and small, ``high`` is fast and loud. Victims are people with
at least five days of history and no hard negative; each incident has its own victim; time,
victim and pacing vary with ``seed``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any, Final

from tooltrail.simulator import Incident, SimCall, Simulation
from tooltrail.simulator._history import History, histories
from tooltrail.simulator.inject import FAMILIES, INTENSITIES

from .catalog import ANNOTATIONS, SERVERS, TOOLS
from .trail import Actor, Trail

__all__ = ["FAMILIES", "INTENSITIES", "KNOBS", "inject"]

KNOBS: Final[dict[str, dict[str, dict[str, Any]]]] = {
    "novelty_burst": {
        "low": {"calls": 5, "minutes": 40, "new_servers": 1},
        "mid": {"calls": 14, "minutes": 15, "new_servers": 2},
        "high": {"calls": 40, "minutes": 6, "new_servers": 3},
    },
    "off_hours": {
        "low": {"calls": 6, "minutes": 50, "far_hours": 2},
        "mid": {"calls": 18, "minutes": 40, "far_hours": 4},
        "high": {"calls": 45, "minutes": 20, "far_hours": 6},
    },
    "destructive": {
        "low": {"calls": 6, "minutes": 70},
        "mid": {"calls": 20, "minutes": 25},
        "high": {"calls": 60, "minutes": 6},
    },
    "error_storm": {
        "low": {"calls": 8, "minutes": 45, "fail": 0.5, "size": 3, "min_bytes": 1_500},
        "mid": {"calls": 25, "minutes": 15, "fail": 0.7, "size": 10, "min_bytes": 6_000},
        "high": {"calls": 70, "minutes": 5, "fail": 0.9, "size": 40, "min_bytes": 30_000},
    },
    "bulk_read": {
        "low": {"calls": 12, "minutes": 240, "result_kb": 60},
        "mid": {"calls": 40, "minutes": 60, "result_kb": 200},
        "high": {"calls": 150, "minutes": 15, "result_kb": 800},
    },
}
_H = 3_600_000_000
_M = 60_000_000
_DAY = 24 * _H
#: servers a hijacked assistant reaches first (money and data), then the rest
#: tools a hijacked assistant has no use for (it reads, exports and moves money)
_QUIET: Final = ("_upload", "_ack", "_decide", "_request_docs", "_resolve", "_run", "_page")
_LURES: Final = ("treasury", "ledger", "bankfiles", "reports", "kyc", "recon", "settlement")


def inject(
    base: Simulation,
    families: Sequence[str] = FAMILIES,
    intensity: str = "mid",
    *,
    seed: int = 0,
    per_family: int = 1,
    annotations: Mapping[str, Mapping[str, bool]] | None = None,
) -> Simulation:
    """``base`` with ``per_family`` incidents of each of ``families`` at ``intensity`` on the
    scored day (labelled ``family#k``); no call of ``base`` changes."""
    odd = [f for f in families if f not in FAMILIES]
    if odd:
        raise ValueError(f"families: unknown {odd}; choose from {', '.join(FAMILIES)}")
    if intensity not in INTENSITIES:
        raise ValueError(f"intensity: {intensity!r}; choose from {', '.join(INTENSITIES)}")
    if per_family < 0:
        raise ValueError("per_family must not be negative")
    for c in base.calls:
        if c.tool is not None and c.tool not in _ALL_TOOLS:
            raise ValueError(f"base: tool {c.tool!r} is not one this world's servers offer")
    ann = ANNOTATIONS if annotations is None else annotations
    rng = random.Random(f"ledger-attack:{seed}")
    hist = histories(base)
    cut = base.config.attack_start_us
    negative = {c.user for c in base.calls if c.label}
    ever: dict[str, set[str]] = {}
    last: dict[str, SimCall] = {}
    for c in base.calls:
        ever.setdefault(c.user, set()).add(c.server)
        last[c.user] = c
    people = sorted(
        u for u, h in hist.items()
        if not u.startswith("svc-") and u not in negative and len(h.days) >= 5
    )  # fmt: skip
    rng.shuffle(people)
    used: set[str] = set()
    trail = Trail(rng)
    incidents = []
    for family in families:
        knob = KNOBS[family][intensity]
        for k in range(per_family):
            fits = [u for u in people if u not in used and _fits(family, knob, hist[u], ever[u])]
            if not fits:
                raise ValueError(f"per_family: {per_family} {family} incidents need more victims")
            user = fits[0]
            used.add(user)
            v = last[user]
            actor = Actor(user, v.agent, v.client, v.client_version, ())
            label = f"{family}#{k}"
            before = len(trail.calls)
            _MAKE[family](trail, rng, actor, hist[user], ever[user], knob, cut, label, ann)
            mine = trail.calls[before:]
            incidents.append(
                Incident(label, family, user, v.agent, v.client, mine[0].ts, mine[-1].ts,
                         len(mine), _STORY[family])
            )  # fmt: skip
    calls = sorted([*base.calls, *trail.calls], key=lambda c: c.ts)
    return Simulation(base.config, calls, [*base.incidents, *incidents], base.benign_bursts,
                      base.users)  # fmt: skip


_ALL_TOOLS: Final = frozenset(t for s in SERVERS for t in TOOLS[s])
_STORY: Final = {
    "novelty_burst": "assistant prompt-injected by a dispute's attached text calls new servers",
    "off_hours": "stolen session token used at an hour its owner never works",
    "destructive": "insider reverses ledger entries paced like work",
    "error_storm": "injection probing of transaction search with huge arguments",
    "bulk_read": "compromised token pages out cardholder transactions",
}


def _far_hours(h: History, far: int) -> list[int]:
    return [x for x in range(24) if all(min((x - y) % 24, (y - x) % 24) >= far for y in h.hours)]


def _fits(family: str, knob: Mapping[str, Any], h: History, ever: set[str]) -> bool:
    if family == "novelty_burst":
        return len(set(SERVERS) - ever) >= knob["new_servers"] and "disputes" in ever
    if family == "off_hours":
        need = -(-knob["minutes"] // 60) + 1
        free = set(_far_hours(h, knob["far_hours"]))
        return any(all((x + i) % 24 in free for i in range(need)) for x in free)
    if family in ("error_storm", "bulk_read"):
        return "txn_search" in h.tools
    if family == "destructive":
        return "ledger_get_entry" in h.tools
    return bool(h.hours)


def _times(rng: random.Random, start: int, n: int, minutes: int) -> list[int]:
    """``n`` call times from ``start`` spread over at most ``minutes`` (irregular, like work)."""
    span = int(minutes * _M * rng.uniform(0.8, 0.95))
    return [*sorted(start + int(rng.random() * span) for _ in range(n - 1)), start + span]


def _work_start(rng: random.Random, h: History, cut: int, minutes: int) -> int:
    hours = sorted(x for x in h.hours if x * _H + (minutes + 31) * _M < _DAY)
    return cut + rng.choice(hours) * _H + int(rng.random() * 30 * _M)


def _novelty(trail: Trail, rng: random.Random, who: Actor, h: History, ever: set[str],
             knob: Mapping[str, Any], cut: int, label: str, ann: Any) -> None:  # fmt: skip
    fresh = [s for s in _LURES if s not in ever] + [s for s in SERVERS if s not in ever]
    servers = list(dict.fromkeys(fresh))[: knob["new_servers"]]
    order = [servers[i % len(servers)] for i in range(knob["calls"] - 1)]
    start = _work_start(rng, h, cut, knob["minutes"])
    times = _times(rng, start, knob["calls"], knob["minutes"])
    case = f"dp_{rng.getrandbits(40):010x}"  # the cardholder's "evidence" carries the injection
    trail.read(times[0], who, f"disputes://{case}/evidence/1", 18_000, shift=-1, label=label)
    for t, server in zip(times[1:], order, strict=True):
        tools = [x for x in TOOLS[server] if not x.endswith(_QUIET)] or list(TOOLS[server])
        tool = rng.choice(tools)
        trail.call(t, who, tool, _lure_args(rng, tool), shift=-1, label=label)


def _lure_args(rng: random.Random, tool: str) -> dict[str, Any]:
    """What the injected text asks for: money out, ledgers and bank files, else a lookup."""
    if tool == "treasury_transfer":
        iban = f"LT{rng.randint(10, 99)}3250{rng.getrandbits(40):012d}"[:20]
        return {"from": "settlement", "to": iban, "amount": rng.randint(2, 9) * 4_950}
    if tool in ("ledger_export", "ledger_trial_balance", "report_export", "report_run"):
        return {"period": "2026-11", "format": "csv", "report": "merchant_payouts"}
    if tool.startswith("bankfile"):
        return {"bank": rng.choice(("northbank", "liberty")), "file": "*", "since": "30d"}
    return {"id": f"{tool.split('_')[0][:3]}_{rng.getrandbits(40):010x}"}


def _off_hours(trail: Trail, rng: random.Random, who: Actor, h: History, ever: set[str],
               knob: Mapping[str, Any], cut: int, label: str, ann: Any) -> None:  # fmt: skip
    need = -(-knob["minutes"] // 60) + 1
    free = set(_far_hours(h, knob["far_hours"]))
    starts = [x for x in sorted(free) if all((x + i) % 24 in free for i in range(need))]
    hour = rng.choice([x for x in starts if x + need <= 24] or starts)
    start = cut + hour * _H + int(rng.random() * 5 * _M)
    work = [c for c in h.calls if c.tool]
    for t in _times(rng, start, knob["calls"], knob["minutes"]):
        c = rng.choice(work)  # the owner's own work, replayed
        trail.call(t, who, str(c.tool), dict(c.args), shift=-2, label=label)


def _destructive(trail: Trail, rng: random.Random, who: Actor, h: History, ever: set[str],
                 knob: Mapping[str, Any], cut: int, label: str, ann: Any) -> None:  # fmt: skip
    tool = "ledger_reverse_entry"
    if not ann.get(tool, {}).get("destructiveHint"):
        tool = next(t for t in sorted(ann) if ann[t].get("destructiveHint") is True)
    start = _work_start(rng, h, cut, knob["minutes"])
    for t in _times(rng, start, knob["calls"], knob["minutes"]):
        trail.call(t, who, tool, {"entry": f"le_{rng.getrandbits(40):010x}",
                                  "memo": "duplicate posting"}, shift=-3, label=label)  # fmt: skip


def _error_storm(trail: Trail, rng: random.Random, who: Actor, h: History, ever: set[str],
                 knob: Mapping[str, Any], cut: int, label: str, ann: Any) -> None:  # fmt: skip
    floor = max(knob["size"] * h.args_max["txn_search"], knob["min_bytes"]) + 64
    start = _work_start(rng, h, cut, knob["minutes"])
    fails = set(rng.sample(range(knob["calls"]), round(knob["fail"] * knob["calls"])))
    probe = "' OR 1=1 UNION SELECT pan, cvv FROM cards -- "
    for i, t in enumerate(_times(rng, start, knob["calls"], knob["minutes"])):
        query = (probe * (floor // len(probe) + 1 + rng.randint(0, 3)))[
            : floor + rng.randint(0, 900)
        ]
        err = (
            rng.choice(("validation_error", "validation_error", "internal")) if i in fails else None
        )
        trail.call(t, who, "txn_search", {"query": query, "limit": 50}, shift=-4, err=err,
                   label=label)  # fmt: skip


def _bulk_read(trail: Trail, rng: random.Random, who: Actor, h: History, ever: set[str],
               knob: Mapping[str, Any], cut: int, label: str, ann: Any) -> None:  # fmt: skip
    start = _work_start(rng, h, cut, knob["minutes"])
    floor = knob["result_kb"] * 1000
    for i, t in enumerate(_times(rng, start, knob["calls"], knob["minutes"])):
        trail.call(t, who, "txn_search", {"merchant": "*", "page": i + 1, "limit": 1000,
                                          "fields": "pan_last4,name,address,email"},
                   shift=-5, nbytes=floor + rng.randint(0, floor // 2), label=label)  # fmt: skip


_MAKE: Final = {
    "novelty_burst": _novelty,
    "off_hours": _off_hours,
    "destructive": _destructive,
    "error_storm": _error_storm,
    "bulk_read": _bulk_read,
}
