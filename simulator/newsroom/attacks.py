"""The newsroom's attacks: five families, three intensities, one incident of each per seed on
the scored day, each on its own victim (a person with a history; never an account that takes
part in a hard negative).

``novelty_burst``  a reporter's research agent reads a poisoned wire item and starts calling
                   tools on servers its person never used (the subscriber base, the warehouse,
                   social scheduling, legal, pictures), in the person's working hours
``off_hours``      a stolen token (a stringer's, a reporter's) reads with its owner's own tools
                   at its owner's pace, at hours its owner never worked
``destructive``    someone with a grudge deletes with one destructive tool of a server they use
                   (drafts, pictures, subscribers), under the rate limit, at the end of their day
``error_storm``    injection probing through a search tool the victim uses: payloads many times
                   the victim's largest arguments, mostly refused or failing
``bulk_read``      a sweep by volume through a read tool the victim uses, large pages one after
                   another (slow and small at ``low``)

Knobs per intensity (:data:`KNOBS`): ``calls``, ``minutes`` (the span: fewer is faster) and one
measure of distance from the victim's normal per family (``new_servers``, ``far_hours``,
``size`` with ``min_bytes`` and ``fail``, ``result_kb``). Deterministic from ``seed``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ..inject import FAMILIES, INTENSITIES
from ..model import Incident, SimCall, Simulation
from .catalog import ANNOTATIONS, TOOLS
from .habits import habits
from .victim import Victim, far_hours, habitual, in_hours, runs, spread

__all__ = ["FAMILIES", "INTENSITIES", "KNOBS", "inject"]


# one row per knob: family, knob, then its value at low, mid and high
_ROWS: Final[tuple[tuple[str, str, float, float, float], ...]] = (
    ("novelty_burst", "calls", 6, 16, 40),
    ("novelty_burst", "minutes", 45, 12, 5),
    ("novelty_burst", "new_servers", 2, 3, 5),
    ("off_hours", "calls", 12, 30, 80),
    ("off_hours", "minutes", 90, 60, 45),
    ("off_hours", "far_hours", 2, 4, 6),
    ("destructive", "calls", 6, 20, 80),
    ("destructive", "minutes", 40, 15, 8),
    ("error_storm", "calls", 8, 25, 80),
    ("error_storm", "minutes", 30, 10, 5),
    ("error_storm", "fail", 0.5, 0.75, 0.95),
    ("error_storm", "size", 2, 4, 10),
    ("error_storm", "min_bytes", 300, 800, 3000),
    ("bulk_read", "calls", 30, 120, 400),
    ("bulk_read", "minutes", 120, 45, 20),
    ("bulk_read", "result_kb", 40, 150, 600),
)
#: family → intensity → knob → value; ``minutes`` falls with intensity, every other knob rises
KNOBS: Final[dict[str, dict[str, dict[str, float]]]] = {
    f: {i: {} for i in INTENSITIES} for f in FAMILIES
}
for _family, _knob, *_values in _ROWS:
    for _level, _value in zip(INTENSITIES, _values, strict=True):
        KNOBS[_family][_level][_knob] = _value

_HOUR: Final = 3_600_000_000
_MIN: Final = 60_000_000
# servers a hijacked agent reaches for first, and the tools it calls there
_LURES: Final[dict[str, tuple[str, ...]]] = {
    "subscribers": ("subs_search_subscribers", "subs_export_segment", "subs_lookup_subscriber"),
    "data-desk": ("sql_list_tables", "sql_run_query", "sql_export_csv"),
    "social-scheduler": ("social_schedule_post", "social_list_scheduled"),
    "legal-review": ("legal_get_review", "legal_clear"),
    "photo-dam": ("photo_search", "photo_get_asset"),
    "newsroom-chat": ("chat_search", "chat_post_message"),
    "archive": ("archive_export", "archive_search"),
    "transcribe": ("transcribe_get",),
    "audience": ("analytics_top_stories",),
    "wire-desk": ("wire_search",),
    "newsroom-cms": ("cms_search_articles", "cms_get_article"),
}
_SEARCHES: Final = (
    "cms_search_articles",
    "archive_search",
    "wire_search",
    "photo_search",
    "chat_search",
    "subs_search_subscribers",
)
_SWEEPS: Final = (
    "subs_search_subscribers",
    "archive_search",
    "cms_search_articles",
    "sql_run_query",
    "chat_read_channel",
    "photo_search",
    "wire_search",
    "archive_get_article",
    "cms_get_article",
)
# destructive tools an insider turns on: argument name and what it names ("story": a real id)
_TARGETS: Final[dict[str, tuple[str, str]]] = {
    "cms_delete_draft": ("draft_id", "story"),
    "cms_delete_article": ("article_id", "story"),
    "cms_unpublish": ("article_id", "story"),
    "photo_delete_asset": ("asset_id", "IMG-"),
    "subs_delete_subscriber": ("subscriber_id", "S"),
}
_PAYLOADS: Final = (
    "' OR '1'='1' -- ",
    '") OR _exists_:password OR ("',
    "{{7*7}}${7*7}",
    "../../../../etc/passwd%00",
    "<script>fetch('//x.example')</script>",
    "'; DROP TABLE articles; --",
    "*:* AND subscriber.email:*",
)


def _check(families: Sequence[str], intensity: str, per_family: int, base: Simulation) -> None:
    """Refuse what cannot be injected, naming the argument at fault."""
    problems = {
        "families": [f for f in families if f not in FAMILIES],
        "intensity": [] if intensity in INTENSITIES else [intensity],
        "per_family": [] if per_family >= 0 else [per_family],
        "base": sorted({c.tool for c in base.calls if c.tool and c.tool not in TOOLS})[:5],
    }
    for name, bad in problems.items():
        if bad:
            known = {"families": FAMILIES, "intensity": INTENSITIES}.get(name)
            hint = f"; choose from {', '.join(known)}" if known else ""
            raise ValueError(f"{name}: not accepted: {bad}{hint}")


def _novelty(v: Victim, k: dict[str, float], cut: int, ever: set[str]) -> bool:
    fresh = [s for s in _LURES if s not in ever]
    if len(fresh) < k["new_servers"]:
        return False
    v.rng.shuffle(fresh)
    servers = fresh[: int(k["new_servers"])]
    tools = [t for s in servers for t in _LURES[s]]
    times = in_hours(v, k, cut)
    first = [tools[0]] + [_LURES[s][0] for s in servers[1:]]
    if "wire-desk" in ever:  # the poisoned item the agent was asked to summarise
        item = f"W{v.rng.randint(10, 99)}-PR{v.rng.randint(1000, 9999)}"
        v.read(times.pop(0), f"wire://item/{item}")
    for i, t in enumerate(times):
        tool = first[i] if i < len(first) else v.rng.choice(tools)
        v.call(t, tool, _lure_args(v.rng, tool))
    return True


def _lure_args(rng: random.Random, tool: str) -> dict[str, Any]:
    if tool.startswith("sql_"):
        return {"sql": "SELECT email, card_last4, address FROM subscribers LIMIT 5000"}
    if tool.startswith("subs_"):
        return {"query": "plan:premium", "page": rng.randint(0, 40), "page_size": 500}
    if tool == "social_schedule_post":
        return {"article_id": "A-2026-000001", "network": "x", "text": "Breaking: see link"}
    if tool == "chat_post_message":
        return {"channel": "#general", "text": "Urgent: re-authenticate at the link"}
    return {"query": "*", "limit": 500}


def _off_hours(v: Victim, k: dict[str, float], cut: int) -> bool:
    blocks = runs(far_hours(v.h, k["far_hours"]))
    if not blocks:
        return False
    x, length = v.rng.choice(blocks)
    n = int(k["calls"])
    pace = v.h.pace_us() * v.rng.uniform(0.7, 1.3)
    span = min(k["minutes"], length * 60 - 3, max(2.0, n * pace / _MIN))
    start = cut + x * _HOUR + v.rng.randint(0, int(length * 60 - span - 2)) * _MIN
    own = [t for t in v.h.tools if ANNOTATIONS.get(t, {}).get("readOnlyHint")] or list(v.h.tools)
    weights = [v.h.tools[t] for t in own]
    for t in spread(v.rng, start, n, span):
        tool = v.rng.choices(own, weights)[0]
        v.call(t, tool, dict(v.rng.choice(v.h.examples[tool])))
    return True


def _destructive(
    v: Victim,
    k: dict[str, float],
    cut: int,
    ann: Mapping[str, Mapping[str, object]],
    ids: list[str],
) -> bool:
    mine = sorted(
        t
        for t in _TARGETS
        if TOOLS[t].server in v.h.servers and ann.get(t, {}).get("destructiveHint") is True
    )
    if not mine:
        return False
    tool = v.rng.choice(mine)
    key, make = _TARGETS[tool]
    for t in in_hours(v, k, cut, late=True):
        locked = v.rng.random() < 0.08  # someone still has it open
        name = v.rng.choice(ids) if make == "story" else f"{make}{v.rng.randint(1, 9_999_999):07d}"
        v.call(
            t,
            tool,
            {key: name},
            outcome="error" if locked else "ok",
            error="conflict" if locked else None,
        )
    return True


def _error_storm(v: Victim, k: dict[str, float], cut: int) -> bool:
    tool = habitual(v, _SEARCHES)
    if tool is None:
        return False
    want = int(max(k["size"] * v.h.args_max(tool), k["min_bytes"])) + 40
    n = int(k["calls"])
    fails = set(v.rng.sample(range(n), math.ceil(k["fail"] * n)))
    for i, t in enumerate(in_hours(v, k, cut)):
        pay = v.rng.choice(_PAYLOADS)
        query = (pay * (want // len(pay) + 2))[: want + v.rng.randint(0, want // 4)]
        err = v.rng.choice(("validation_error", "query_parse_error", "-32603", "waf_blocked"))
        if i in fails:
            v.call(
                t,
                tool,
                {"query": query, "limit": 50},
                error=err,
                outcome="denied" if err == "waf_blocked" else "error",
            )
        else:
            v.call(t, tool, {"query": query, "limit": 50})
    return True


def _bulk_read(v: Victim, k: dict[str, float], cut: int) -> bool:
    tool = habitual(v, _SWEEPS)
    if tool is None:
        return False
    floor = int(k["result_kb"] * 1000)
    base = dict(v.rng.choice(v.h.examples[tool]))
    for page, t in enumerate(in_hours(v, k, cut)):
        paged = {**base, "page": page, "page_size": 500}
        v.call(t, tool, paged, result=floor + v.rng.randint(0, floor // 2))
    return True


def inject(
    base: Simulation,
    families: Sequence[str] = FAMILIES,
    intensity: str = "mid",
    *,
    seed: int = 0,
    per_family: int = 1,
    annotations: Mapping[str, Mapping[str, object]] | None = None,
) -> Simulation:
    """``base`` with ``per_family`` incidents of each of ``families`` at ``intensity`` on its
    scored day (labelled ``family#k``); the benign calls are unchanged. ``annotations`` (tool →
    MCP annotations) say which tools are destructive (default: this newsroom's)."""
    _check(families, intensity, per_family, base)
    ann = annotations if annotations is not None else ANNOTATIONS
    cut = base.config.attack_start_us
    hist = habits(base)
    negative = {c.user for c in base.calls if c.label}
    ever: dict[str, set[str]] = {}
    for c in base.calls:
        ever.setdefault(c.user, set()).add(c.server)
    ids = sorted({str(c.args["draft_id"]) for c in base.calls if c.tool == "cms_update_draft"})
    people = sorted(
        u
        for u, h in hist.items()
        if not u.startswith("svc-") and u not in negative and len(h.days) >= 5 and h.calls >= 150
    )
    rng = random.Random(f"newsroom-inject:{seed}")
    rng.shuffle(people)
    used: set[str] = set()
    added: list[SimCall] = []
    incidents = list(base.incidents)
    for family in families:
        for n in range(per_family):
            label = f"{family}#{n}"
            done = False
            for user in people:
                if user in used:
                    continue
                h = hist[user]
                r = random.Random(f"newsroom-inject:{seed}:{intensity}:{label}:{user}")
                agent = (
                    h.agents.most_common()[-1][0]
                    if family == "novelty_burst"
                    else h.agents.most_common(1)[0][0]
                )
                v = Victim(r, h, label, agent)
                k = KNOBS[family][intensity]
                if family == "novelty_burst":
                    done = _novelty(v, k, cut, ever[user])
                elif family == "off_hours":
                    done = _off_hours(v, k, cut)
                elif family == "destructive":
                    done = _destructive(v, k, cut, ann, ids)
                elif family == "error_storm":
                    done = _error_storm(v, k, cut)
                else:
                    done = _bulk_read(v, k, cut)
                if done:
                    used.add(user)
                    added += v.calls
                    incidents.append(
                        Incident(
                            label,
                            family,
                            user,
                            agent,
                            h.client,
                            v.calls[0].ts,
                            v.calls[-1].ts,
                            len(v.calls),
                            f"{family} at {intensity} on {user}",
                        )
                    )
                    break
            if not done:
                raise ValueError(f"per_family: no victim left for {label} ({len(used)} used)")
    calls = sorted([*base.calls, *added], key=lambda c: c.ts)
    return Simulation(base.config, calls, incidents, list(base.benign_bursts), list(base.users))
