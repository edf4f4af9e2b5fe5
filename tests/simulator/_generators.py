"""The generator families the simulator tests share, as a table: name → what differs.

Each row holds the few values in which one generator's shared checks differ from another's: the
config of the traffic its tests share (``base``), the arguments its ``inject`` and its config
refuse, and the slice of its scored day that goes through the real path. Which shared checks a
generator takes part in is a row's field too, so that a check runs for exactly the generators it
ran for before it moved into ``test_generator_interface.py``.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import ModuleType, SimpleNamespace
from typing import Any

from tooltrail.simulator import Simulation
from tooltrail.simulator.inject import INTENSITIES

__all__ = ["GENERATORS", "Generator", "Slice", "Traffic", "names"]


@dataclass(frozen=True)
class Slice:
    """A slice of the attacked (``mid``) scored day for the real path: the ``incident``-th
    incident, the hard negative ``negative`` and ``minutes`` of traffic from ``hour`` (from the
    first ``anchor`` call, when given); its calls use at least ``methods``; ``check``: more the
    slice must hold."""

    incident: int
    negative: str
    hour: int = 12
    minutes: int = 5
    anchor: str | None = None
    methods: frozenset[str] = frozenset()
    check: Callable[[Simulation], None] | None = None


@dataclass(frozen=True)
class Generator:
    """One generator family (``tooltrail.simulator.<name>``) and what its shared checks take.

    ``base``: the config whose traffic the generator's tests share. ``bad_configs``: config
    arguments refused, each with the word the message names. ``refuse``: which of the optional
    inject refusals (:func:`_interface.assert_bad_inject_arguments_refused`) it makes.
    ``library_seed``: the shared attack library injects on its traffic with this seed (None: not
    checked). ``styles``: the three annotation styles occur. ``other_seed``: another inject seed
    picks other victims or times. ``knobs_grow``: every knob grows louder with intensity, the
    minutes shrink. ``negatives_at_least``: its hard negatives are labelled on the scored day
    only, at least this many (None: its file checks that, per seed). ``shape``: the keyword
    arguments of :func:`_interface.assert_attacks_in_shape` beside the family's own ``FAMILIES``,
    ``KNOBS`` and ``ANNOTATIONS`` (None: its file checks its attacks' shape). ``slice``: the
    stored-slice check (None: its file drives its own slice)."""

    name: str
    base: Callable[[ModuleType], Any]
    bad_configs: tuple[tuple[Mapping[str, Any], str], ...] = ()
    refuse: Mapping[str, bool] = field(default_factory=dict)
    library_seed: int | None = 1
    styles: bool = True
    other_seed: bool = False
    knobs_grow: bool = False
    negatives_at_least: int | None = 8
    shape: Callable[[], Mapping[str, Any]] | None = None
    slice: Slice | None = None

    @property
    def module(self) -> ModuleType:
        return importlib.import_module(f"tooltrail.simulator.{self.name}")

    @property
    def config(self) -> Any:
        return self.base(self.module)

    @property
    def annotations(self) -> Mapping[str, Mapping[str, object]]:
        annotations: Mapping[str, Mapping[str, object]] = self.module.ANNOTATIONS
        return annotations


def _election_night(part: Simulation) -> None:
    """Half an hour of the scored night (the live blog, the purge job, the wires), the whole
    election night and the mid error storm (huge arguments, failures, refusals)."""
    assert Counter(c.method for c in part.calls)["tools/call"] > 50
    assert {c.outcome for c in part.calls} == {"ok", "error", "denied"}


def _shape(module: str = "_history", **flags: bool) -> Callable[[], Mapping[str, Any]]:
    """The victim histories and argument sizes the family's attacks use (``module`` of
    ``tooltrail.simulator``: the shared ``_history``, or the family's own ``<name>.history``),
    with ``flags`` (``lists``, ``reads``) for :func:`_interface.assert_attacks_in_shape`."""

    def shape() -> Mapping[str, Any]:
        history = importlib.import_module(f"tooltrail.simulator.{module}")
        return {"histories": history.histories, "args_size": history.args_size, **flags}

    return shape


def _newsroom_shape() -> Mapping[str, Any]:
    """The newsroom's ``habits`` as ``_interface`` reads a history: ``args_max`` a mapping, not a
    method. ``reads``: the novelty burst's agent first reads the poisoned wire item, on wire-desk
    (a server its person uses); the knob's calls count that read, the new servers are its tool
    calls'."""
    from tooltrail.simulator.newsroom.habits import args_size, habits

    def histories(sim: Simulation) -> dict[str, SimpleNamespace]:
        return {
            u: SimpleNamespace(days=h.days, hours=h.hours, tools=h.tools,
                               args_max={t: h.args_max(t) for t in h.tools})
            for u, h in habits(sim).items()
        }  # fmt: skip

    return {"histories": histories, "args_size": args_size, "reads": True}


_READS = frozenset({"tools/call", "resources/read"})
_LISTS = _READS | {"tools/list"}
_NO_EXTRAS = {"too_many": False, "alien": False}

GENERATORS: dict[str, Generator] = {
    g.name: g
    for g in (
        Generator(
            "fleet",
            lambda m: m.FleetConfig(seed=3, people=24, days=7),
            (({"days": 8}, "Monday"), ({"people": 3}, "people"),
             ({"start": datetime(2026, 11, 3)}, "UTC")),
            _NO_EXTRAS, library_seed=None, styles=False,
        ),
        Generator(
            "tides",
            lambda m: m.TidesConfig(seed=3, people=40),
            (({"start": datetime(2026, 11, 2, tzinfo=UTC)}, "Wednesday"),
             ({"people": 3}, "people"), ({"start": datetime(2026, 11, 4)}, "UTC")),
            # tides' inject takes per_family=-1 without a word (it checks families and intensity)
            {"negative": False, **_NO_EXTRAS}, library_seed=None, styles=False,
        ),
        Generator(
            "plans", lambda m: m.PlansConfig(seed=3), library_seed=3, negatives_at_least=None,
            # its refusals and its hard negatives (both seeds): its file
        ),
        Generator(
            "tenants",
            lambda m: m.TenantsConfig(seed=1),
            (({"tenants": 3}, "tenants"), ({"days": 2}, "days")),
            _NO_EXTRAS,
            slice=Slice(2, "benign:gdpr_deletion", hour=10, minutes=10),
        ),
        Generator(
            "forge",
            lambda m: m.ForgeConfig(seed=1),
            (({"users": 3}, "users"), ({"days": 2}, "days")),
            negatives_at_least=9,
            shape=_shape("forge.history"),
            slice=Slice(2, "benign:repo_migration", anchor="resources/read", methods=_READS),
        ),
        Generator(
            "wards",
            lambda m: m.WardsConfig(seed=1),
            (({"days": 2}, "days"), ({"arrivals_per_day": 1}, "arrivals_per_day")),
            shape=_shape(lists=True),
            slice=Slice(3, "benign:ehr_downtime", anchor="tools/list", methods=_LISTS),
        ),
        Generator(
            "depots",
            lambda m: m.DepotsConfig(seed=1),
            (({"users": 3}, "users"), ({"days": 2}, "days")),
            shape=_shape(),
            slice=Slice(3, "benign:key_rotation", anchor="resources/read", methods=_READS),
        ),
        Generator(
            "newsroom",
            lambda m: m.NewsroomConfig(seed=1),
            (({"reporters": 3}, "reporters"), ({"days": 2}, "days"),
             ({"stringers": 0}, "stringers")),
            negatives_at_least=6,
            shape=_newsroom_shape,
            slice=Slice(3, "benign:election_night", hour=4, minutes=30, check=_election_night),
            # incident 3: the error storm (FAMILIES' order)
        ),
        Generator(
            "ledger",
            lambda m: m.LedgerConfig(seed=1),
            (({"days": 5}, "days"),),
            other_seed=True, knobs_grow=True,
            shape=_shape(reads=True),
            slice=Slice(0, "benign:oncall_night", anchor="resources/read", methods=_READS),
        ),
        Generator(
            "campus",
            lambda m: m.CampusConfig(seed=1),
            (({"days": 5}, "days"), ({"students": 10}, "students")),
            other_seed=True, knobs_grow=True,
            shape=_shape(lists=True),
            slice=Slice(2, "benign:expired_purge", hour=11, anchor="resources/read",
                        methods=_LISTS),
        ),
        Generator(
            "grid",
            lambda m: m.GridConfig(seed=1),
            (({"days": 5}, "days"),),
            other_seed=True, knobs_grow=True,
            shape=_shape(reads=True),
            slice=Slice(0, "benign:vendor_remote_support", anchor="resources/read",
                        methods=_READS),
        ),
        Generator(
            "airline",
            lambda m: m.AirlineConfig(seed=1),
            (({"days": 5}, "days"),),
            other_seed=True, knobs_grow=True,
            shape=_shape(),
            slice=Slice(0, "benign:aog_night", anchor="resources/read", methods=_READS),
        ),
        Generator(
            "counsel",
            lambda m: m.CounselConfig(seed=1),
            (({"days": 5}, "days"), ({"matters": 5}, "matters"),
             ({"start": datetime(2026, 11, 17, 9, tzinfo=UTC)}, "midnight")),
            other_seed=True, knobs_grow=True, negatives_at_least=10,
            shape=_shape(lists=True),
            slice=Slice(0, "benign:efiling_outage", hour=19, anchor="resources/read",
                        methods=_LISTS),
        ),
        Generator(
            "claims",
            lambda m: m.ClaimsConfig(seed=1),
            (({"days": 5}, "days"),
             ({"start": datetime(2026, 9, 17, 9, tzinfo=UTC)}, "midnight")),
            other_seed=True, knobs_grow=True, negatives_at_least=10,
            shape=_shape(lists=True),
            slice=Slice(0, "benign:shift_swap", hour=15, anchor="resources/read",
                        methods=_LISTS),
        ),
        Generator(
            "civic",
            lambda m: m.CivicConfig(seed=1),
            (({"days": 5}, "days"),
             ({"start": datetime(2027, 1, 20, 9, tzinfo=UTC)}, "midnight"),
             ({"start": datetime(2027, 1, 20)}, "UTC")),
            other_seed=True, knobs_grow=True, negatives_at_least=10,
            shape=_shape("civic.history", lists=True),
            slice=Slice(0, "benign:foia_release", hour=15, anchor="resources/read",
                        methods=_LISTS),
        ),
        Generator(
            "telco",
            lambda m: m.TelcoConfig(seed=1),
            (({"days": 5}, "days"), ({"care_agents": 3}, "care_agents"),
             ({"field_techs": 2}, "field_techs"),
             ({"start": datetime(2026, 9, 23, 9, tzinfo=UTC)}, "midnight"),
             ({"start": datetime(2026, 9, 23)}, "UTC")),
            other_seed=True, knobs_grow=True, negatives_at_least=10,
            shape=_shape("telco.history", lists=True),
            slice=Slice(2, "benign:number_block_reclaim", hour=11, anchor="resources/read",
                        methods=_LISTS),
        ),
        Generator(
            "trials",
            lambda m: m.TrialsConfig(seed=1),
            (({"days": 5}, "days"), ({"visit_rate": 0.0}, "visit_rate"),
             ({"start": datetime(2027, 2, 4, 9, tzinfo=UTC)}, "midnight"),
             ({"start": datetime(2027, 2, 4)}, "UTC")),
            other_seed=True, knobs_grow=True, negatives_at_least=12,
            shape=_shape("trials.history", lists=True),
            slice=Slice(0, "benign:susar_night_rota", hour=9, anchor="resources/read",
                        methods=_LISTS),
        ),
    )
}  # fmt: skip


def names(when: Callable[[Generator], object] = lambda g: True) -> list[str]:
    """The generators a check runs for: those whose row ``when`` holds for."""
    return [name for name, g in GENERATORS.items() if when(g)]


class Traffic:
    """Each family's base traffic and attacked runs, generated once, on first use."""

    def __init__(self) -> None:
        self._base: dict[str, Simulation] = {}
        self._attacked: dict[tuple[str, int], dict[str, Simulation]] = {}

    def base(self, name: str) -> Simulation:
        if name not in self._base:
            g = GENERATORS[name]
            self._base[name] = g.module.generate(g.config)
        return self._base[name]

    def attacked(self, name: str, seed: int = 1) -> dict[str, Simulation]:
        """``base`` attacked by the family's own ``inject`` at each intensity: with ``seed`` 1
        told the annotations (as the real path gets them), with another seed as ``inject``'s
        defaults have it."""
        if (name, seed) not in self._attacked:
            g, base = GENERATORS[name], self.base(name)
            told = {"annotations": g.annotations} if seed == 1 else {}
            self._attacked[name, seed] = {
                i: g.module.inject(base, intensity=i, seed=seed, **told) for i in INTENSITIES
            }
        return self._attacked[name, seed]
