"""The interface every generator family promises, as checks its tests share.

A generator (``simulator/<name>``) gives ``generate(config)`` and its own ``inject``; its tests
call these with the generator's own names, numbers and simulations and keep the checks only that
generator makes. What is shared: deterministic from the seed (traffic, hard negatives, attacks),
recordable traffic in order inside the configured span, the three annotation styles, labelled
hard negatives on the scored day only, the shared attack library injecting on the traffic,
arguments refused naming the field, each attack family once on a victim with history in the
shape its knobs promise, and a slice of the scored day (incident + hard negative + ordinary
traffic) to drive through the real emitter → collector → store path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest

from tooltrail.simulator import Simulation
from tooltrail.simulator import inject as library

from ._recordable import assert_recordable

__all__ = [
    "assert_annotation_styles",
    "assert_attacks_in_shape",
    "assert_bad_inject_arguments_refused",
    "assert_deterministic",
    "assert_hard_negatives_labelled",
    "assert_incidents_in_shape",
    "assert_library_injects",
    "assert_recordable_traffic",
    "labelled",
    "scored_day_slice",
]

DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
MINUTE_US = 60_000_000

Generate = Callable[[Any], Simulation]
Inject = Callable[..., Simulation]


def assert_deterministic(
    generate: Generate,
    config: Any,
    other_seed: Any,
    *,
    first: Simulation | None = None,
    inject: Inject | None = None,
    seed: int = 3,
    **inject_kw: Any,
) -> Simulation:
    """Two runs of ``config`` give the same calls and hard negatives, ``other_seed`` other
    calls; with ``inject``, the same attacks (calls and incidents, ``seed``) on both. ``first``:
    an already generated run of ``config`` (a module's fixture) to compare against. Returns
    it."""
    a = first if first is not None else generate(config)
    b = generate(config)
    assert a.calls == b.calls
    assert a.benign_bursts == b.benign_bursts
    assert generate(other_seed).calls != a.calls
    if inject is not None:
        x = inject(a, intensity="mid", seed=seed, **inject_kw)
        y = inject(b, intensity="mid", seed=seed, **inject_kw)
        assert x.calls == y.calls
        assert x.incidents == y.incidents
    return a


def assert_recordable_traffic(
    sim: Simulation,
    server_of: Callable[[str], str],
    uri_schemes: tuple[str, ...],
    *,
    methods: Iterable[str] = ("tools/call", "resources/read", "tools/list"),
    errors: Iterable[str] = (),
    servers: Iterable[str] | None = None,
) -> None:
    """Every call recordable (:func:`assert_recordable`), in time order inside the configured
    span, exactly ``methods`` used, each error cause of ``errors`` present, every one of
    ``servers`` (when given) and no other called."""
    assert_recordable(sim.calls, server_of, uri_schemes)
    assert {c.method for c in sim.calls} == set(methods)
    assert [c.ts for c in sim.calls] == sorted(c.ts for c in sim.calls)
    assert sim.config.start_us <= sim.calls[0].ts
    assert sim.calls[-1].ts < sim.config.end_us
    seen = Counter(c.error_type for c in sim.calls if c.outcome != "ok")
    for cause in errors:
        assert seen[cause] > 0, cause
    if servers is not None:
        assert {c.server for c in sim.calls} == set(servers)


def assert_annotation_styles(
    sim: Simulation, annotations: Mapping[str, Mapping[str, object]]
) -> dict[str, set[str]]:
    """Called tools come fully annotated (a destructive hint), with a read-only hint alone (some
    of them ``false``: writes that state nothing else) and without annotations. Returns the
    tools by style: ``full``, ``readonly_only``, ``absent``."""
    used = {c.tool for c in sim.calls if c.tool}
    styles = {
        "full": {t for t in used if "destructiveHint" in annotations.get(t, {})},
        "readonly_only": {t for t in used if set(annotations.get(t, {})) == {"readOnlyHint"}},
        "absent": used - set(annotations),
    }
    assert styles["full"]
    assert styles["readonly_only"]
    assert styles["absent"]
    assert {t for t in styles["readonly_only"] if annotations[t]["readOnlyHint"] is False}
    return styles


def assert_hard_negatives_labelled(
    sim: Simulation, names: Sequence[str], *, at_least: int = 8
) -> list[Any]:
    """Every one of ``names`` (at least ``at_least`` of them) is a hard negative; its calls,
    and only its, carry its ``benign:`` label, all on the scored day; each burst counts its
    calls. Returns the labelled calls."""
    cut, end = sim.config.attack_start_us, sim.config.end_us
    assert {b.scenario for b in sim.benign_bursts} == set(names)
    assert len(names) >= at_least
    labelled = [c for c in sim.calls if c.label]
    assert labelled
    assert all(cut <= c.ts < end and c.label.startswith("benign:") for c in labelled)
    assert {b.id: b.calls for b in sim.benign_bursts} == dict(Counter(c.label for c in labelled))
    return labelled


def assert_library_injects(
    base: Simulation, annotations: Mapping[str, Mapping[str, Any]], *, seed: int = 1
) -> Simulation:
    """The shared attack library injects each of its families once on this traffic, on the
    scored day, adding calls and changing none. Returns the attacked simulation."""
    sim = library.inject(base, library.FAMILIES, "mid", seed=seed, annotations=annotations)
    assert sorted(i.scenario for i in sim.incidents) == sorted(library.FAMILIES)
    assert all(i.start >= base.config.attack_start_us for i in sim.incidents)
    assert [c for c in sim.calls if not c.label or c.label.startswith("benign:")] == base.calls
    return sim


def assert_bad_inject_arguments_refused(
    base: Simulation,
    inject: Inject,
    *,
    negative: bool = True,
    too_many: bool = True,
    alien: bool = True,
) -> None:
    """Unknown families, an unknown intensity, (``negative``) a negative count, (``too_many``)
    more incidents of a family than the scored day holds, and (``alien``) traffic with a tool
    the generator never made are refused naming the argument at fault."""
    with pytest.raises(ValueError, match="families"):
        inject(base, ("teleport",))
    with pytest.raises(ValueError, match="intensity"):
        inject(base, intensity="extreme")
    if negative:
        with pytest.raises(ValueError, match="per_family"):
            inject(base, per_family=-1)
    if too_many:
        with pytest.raises(ValueError, match="per_family"):
            inject(base, ("destructive",), per_family=200)
    if alien:
        stranger = replace(base.calls[0], tool="teleport", method="tools/call")
        with pytest.raises(ValueError, match="base"):
            inject(Simulation(base.config, [stranger], [], []))


def assert_attacks_in_shape(
    base: Simulation, attacked: Mapping[str, Simulation], **shape: Any
) -> None:
    """:func:`assert_incidents_in_shape` at every intensity of ``attacked`` (``base`` attacked
    with one seed at each intensity)."""
    for level, sim in attacked.items():
        assert_incidents_in_shape(base, sim, level, **shape)


def assert_incidents_in_shape(
    base: Simulation,
    sim: Simulation,
    intensity: str,
    *,
    families: Sequence[str],
    knobs: Mapping[str, Mapping[str, Mapping[str, Any]]],
    histories: Callable[[Simulation], Mapping[str, Any]],
    annotations: Mapping[str, Mapping[str, object]],
    args_size: Callable[[Any], int],
    lists: bool = False,
    reads: bool = False,
) -> None:
    """``sim`` (``base`` attacked at ``intensity``) holds each family once, in order, each on
    its own victim: a person or service with at least five days of history (``histories``) and
    no hard negative, on the scored day, with the victim's own client version, within the
    knob's minutes and with the knob's number of calls, shaped as the family promises. No call
    of ``base`` changed. ``lists``: an incident also lists the tools of the servers it calls
    (``tools/list``, beside the knob's number of tool calls). ``reads``: a novelty burst may also
    read resources, from servers its person already used (the item that hijacked the agent; the
    knob's calls count it), and only its tool calls reach new servers."""
    hist = histories(base)
    cut = base.config.attack_start_us
    negative = {c.user for c in base.calls if c.label}
    ever: dict[str, set[str]] = {}
    for c in base.calls:
        ever.setdefault(c.user, set()).add(c.server)
    assert [i.scenario for i in sim.incidents] == list(families)
    assert len({i.user for i in sim.incidents}) == len(families)
    assert [c for c in sim.calls if not c.label.startswith(tuple(families))] == base.calls
    for inc in sim.incidents:
        h, knob = hist[inc.user], knobs[inc.scenario][intensity]
        assert len(h.days) >= 5
        assert inc.user not in negative
        assert cut <= inc.start <= inc.end < base.config.end_us
        labelled = [c for c in sim.calls if c.label == inc.id]
        assert len(labelled) == inc.calls
        calls = [c for c in labelled if c.method == "tools/call"] if lists else labelled
        assert len(calls) == knob["calls"]
        if lists:
            opened = [c for c in labelled if c.method != "tools/call"]
            assert {c.method for c in opened} == {"tools/list"}
            assert {c.server for c in opened} == {c.server for c in calls}
        assert {c.user for c in labelled} == {inc.user}
        before = [c for c in base.calls if c.user == inc.user and c.agent == inc.agent]
        assert {c.client_version for c in calls} == {before[-1].client_version}
        assert (inc.end - inc.start) / 60e6 <= knob["minutes"]
        if inc.scenario == "novelty_burst":
            read = {c.server for c in calls if c.method == "resources/read"} if reads else set()
            assert read <= ever[inc.user]
            new = {c.server for c in calls if not reads or c.method != "resources/read"}
            assert len(new) == knob["new_servers"]
            assert not new & ever[inc.user]
        elif inc.scenario == "off_hours":
            hours = {c.ts % DAY_US // HOUR_US for c in labelled}
            assert all(
                min((x - y) % 24, (y - x) % 24) >= knob["far_hours"] for x in hours for y in h.hours
            )
            assert {c.tool for c in calls} <= set(h.tools)
        elif inc.scenario == "destructive":
            assert len({c.tool for c in calls}) == 1
            assert annotations[str(calls[0].tool)]["destructiveHint"] is True
            per_min = Counter(c.ts // MINUTE_US for c in calls)
            assert max(per_min.values()) <= 30  # under the rate limit
        elif inc.scenario == "error_storm":
            tool = str(calls[0].tool)
            assert {c.tool for c in calls} == {tool}
            assert tool in h.tools
            assert sum(c.outcome != "ok" for c in calls) >= knob["fail"] * len(calls) - 1
            assert all(args_size(c.args) > knob["size"] * h.args_max[tool] for c in calls)
            assert all(args_size(c.args) > knob["min_bytes"] for c in calls)
        else:
            assert all(c.result_bytes >= knob["result_kb"] * 1000 for c in calls)


def labelled(sim: Simulation, name: str) -> list[Any]:
    """The calls of the first hard negative or incident named ``name`` (its ``#0``)."""
    return [c for c in sim.calls if c.label == f"{name}#0"]


def scored_day_slice(
    sim: Simulation,
    incident: int,
    negative: str,
    *,
    hour: int = 12,
    minutes: int = 5,
    anchor: str | None = None,
) -> Simulation:
    """The ``incident``-th incident, the hard negative ``negative`` and ``minutes`` of the
    scored day's traffic from ``hour`` (from the first ``anchor`` call at or after it, when
    given): a small part of ``sim`` for the real path."""
    inc = sim.incidents[incident]
    neg = next(b for b in sim.benign_bursts if b.scenario == negative)
    keep = {inc.id, neg.id}
    lo = sim.config.attack_start_us + hour * HOUR_US
    if anchor is not None:
        lo = next(c.ts for c in sim.calls if c.ts >= lo and c.method == anchor)
    part = [c for c in sim.calls if c.label in keep or lo <= c.ts < lo + minutes * MINUTE_US]
    assert {c.label for c in part} >= keep
    return Simulation(sim.config, part, [inc], [neg])
