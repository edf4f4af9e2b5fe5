"""Detection frontier per generator: per family and intensity, next to two baselines.

    python benchmarks/detection.py
        [--generators sim,markov,sessions,fleet,fleet-lib,tides,tides-lib,plans,plans-lib,
                      tenants,tenants-lib,forge,forge-lib,wards,wards-lib,depots,depots-lib,
                      newsroom,newsroom-lib,ledger,ledger-lib]
        [--seeds 1,2]
        [--intensities low,mid,high] [--plot docs/detection-frontier.png] [--show-false]
        [--show-missed]
        [--announced release_spike,month_end,...]

For each generator (``sim``: ``tooltrail.simulator``; ``markov``: ``tooltrail.simulator.markov``,
built apart; ``sessions``: ``tooltrail.simulator.sessions``, built apart from both and held out:
nothing is tuned on it, so it runs only when named; ``fleet``: ``tooltrail.simulator.fleet``,
built blind (see ``docs/fleet.md``) with its own attack injector, held out too, and
``fleet-lib``: the same traffic with the library's attacks; both run only when named; ``tides``:
``tooltrail.simulator.tides``, built blind the same way (see ``docs/tides.md``) with its own
attack injector, and ``tides-lib``: its traffic with the library's attacks; both run only when
named; ``plans``: ``tooltrail.simulator.plans``, built blind the same way (see ``docs/plans.md``)
with its own attack injector, and ``plans-lib``: its traffic with the library's attacks; both
run only when named; ``tenants``: ``tooltrail.simulator.tenants``, built blind the same way (see
``docs/tenants.md``) with its own attack injector, and ``tenants-lib``: its traffic with the
library's attacks; both run only when named; ``forge``: ``tooltrail.simulator.forge``, built
blind the same way (see ``docs/forge.md``) with its own attack injector, and ``forge-lib``: its
traffic with the library's attacks; both run only when named; ``wards``:
``tooltrail.simulator.wards``, built blind the same way (see ``docs/wards.md``) with its own
attack injector, and ``wards-lib``: its traffic with the library's attacks; both run only when
named; ``depots``: ``tooltrail.simulator.depots``, built blind the same way (see
``docs/depots.md``) with its own attack injector, and ``depots-lib``: its traffic with the
library's attacks; both run only when named; ``newsroom``: ``tooltrail.simulator.newsroom``,
built blind the same way (see ``docs/newsroom.md``) with its own attack injector, and
``newsroom-lib``: its traffic with the library's attacks; both run only when named; ``ledger``:
``tooltrail.simulator.ledger``, built blind the same way (see ``docs/ledger.md``) with its own
attack injector, and ``ledger-lib``: its traffic with the library's attacks; both run only when
named) and seed,
the benign traffic (with its labelled hard negatives) gets one incident of every attack family
of ``tooltrail.simulator.inject`` (for ``fleet``: of ``tooltrail.simulator.fleet.inject``; for
``tides``: of ``tooltrail.simulator.tides.inject``; for ``plans``: of
``tooltrail.simulator.plans.inject``; for ``tenants``: of ``tooltrail.simulator.tenants.inject``;
for ``forge``: of ``tooltrail.simulator.forge.inject``; for ``wards``: of
``tooltrail.simulator.wards.inject``; for ``depots``: of ``tooltrail.simulator.depots.inject``;
for ``newsroom``: of ``tooltrail.simulator.newsroom.inject``; for ``ledger``: of
``tooltrail.simulator.ledger.inject``) at
each intensity. The whole default
detector (features → baselines → model + rules + families → the alert store's dedupe and
cooldown) scores the last day with the fit on the days before. In the same run, on the same
entity-windows:

- ``3sigma``: per-entity mean + 3σ on any feature (the level's when the entity has no history);
- ``rare+count``: the classic UEBA pair: something never seen for the entity (tool, server,
  client, resource, or an hour it never worked) in a window whose calls exceed the entity's p99.

Per generator × family × intensity: recall, precision (true alerts / (true + every false alert of
the run)), false alerts per 10k benign entity-windows (hard negatives included), false *pages*
per 10k (the notifications a person on call gets about no incident: one per alert group, again
when more severe, ``detectors/paging.py``, as live detection sends them by default) and the
median delay in windows (steps) from the incident's first call. Alerts count when they are at
least ``medium``.
Prints tables (markdown) and draws recall vs intensity. Asserts nothing.

``--announced LABEL[,LABEL...]`` measures detection **with the change calendar a team would
keep** (``docs/alerts.md``, "Announced activity"): every hard negative whose label name (``<name>``
of a ``benign:<name>#k`` label; the ``benign:`` prefix may be given) is listed is announced
before scoring, through ``AlertStore.announce`` as ``tooltrail alerts announce`` files it: its
users, its first to last call plus 5 minutes each side (in parts of at most
``announce_max_hours``), filed at its first call, all families. Only ``tooltrail``'s gate gets
the announcements (the baselines have no calendar). This is never the default figure: by default
nothing is announced.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from detection_models import gate  # the same alert-store gate as the model benchmark

from tooltrail.detectors.alert import Alert
from tooltrail.detectors.engine import Engine
from tooltrail.detectors.evaluate import (
    attack_windows,
    covered_labels,
    evaluate,
    false_pages,
    labelled_events,
)
from tooltrail.detectors.features import FEATURES
from tooltrail.detectors.settings import DetectSettings
from tooltrail.detectors.source import FrameSource
from tooltrail.pipeline.store import Store, StoreConfig, open_store
from tooltrail.simulator import SimConfig, Simulation, simulate, to_frame
from tooltrail.simulator.depots import ANNOTATIONS as DEPOTS_ANNOTATIONS
from tooltrail.simulator.depots import DepotsConfig
from tooltrail.simulator.depots import generate as generate_depots
from tooltrail.simulator.depots import inject as depots_inject
from tooltrail.simulator.fleet import ANNOTATIONS as FLEET_ANNOTATIONS
from tooltrail.simulator.fleet import FleetConfig
from tooltrail.simulator.fleet import generate as generate_fleet
from tooltrail.simulator.fleet import inject as fleet_inject
from tooltrail.simulator.forge import ANNOTATIONS as FORGE_ANNOTATIONS
from tooltrail.simulator.forge import ForgeConfig
from tooltrail.simulator.forge import generate as generate_forge
from tooltrail.simulator.forge import inject as forge_inject
from tooltrail.simulator.inject import FAMILIES, INTENSITIES, inject
from tooltrail.simulator.ledger import ANNOTATIONS as LEDGER_ANNOTATIONS
from tooltrail.simulator.ledger import LedgerConfig
from tooltrail.simulator.ledger import generate as generate_ledger
from tooltrail.simulator.ledger import inject as ledger_inject
from tooltrail.simulator.markov import ANNOTATIONS, MarkovConfig, generate
from tooltrail.simulator.model import HARD_NEGATIVES
from tooltrail.simulator.newsroom import ANNOTATIONS as NEWSROOM_ANNOTATIONS
from tooltrail.simulator.newsroom import NewsroomConfig
from tooltrail.simulator.newsroom import generate as generate_newsroom
from tooltrail.simulator.newsroom import inject as newsroom_inject
from tooltrail.simulator.plans import ANNOTATIONS as PLANS_ANNOTATIONS
from tooltrail.simulator.plans import PlansConfig
from tooltrail.simulator.plans import generate as generate_plans
from tooltrail.simulator.plans import inject as plans_inject
from tooltrail.simulator.sessions import ANNOTATIONS as SESSIONS_ANNOTATIONS
from tooltrail.simulator.sessions import SessionsConfig
from tooltrail.simulator.sessions import generate as generate_sessions
from tooltrail.simulator.tenants import ANNOTATIONS as TENANTS_ANNOTATIONS
from tooltrail.simulator.tenants import TenantsConfig
from tooltrail.simulator.tenants import generate as generate_tenants
from tooltrail.simulator.tenants import inject as tenants_inject
from tooltrail.simulator.tides import ANNOTATIONS as TIDES_ANNOTATIONS
from tooltrail.simulator.tides import TidesConfig
from tooltrail.simulator.tides import generate as generate_tides
from tooltrail.simulator.tides import inject as tides_inject
from tooltrail.simulator.wards import ANNOTATIONS as WARDS_ANNOTATIONS
from tooltrail.simulator.wards import WardsConfig
from tooltrail.simulator.wards import generate as generate_wards
from tooltrail.simulator.wards import inject as wards_inject

DETECTORS = ("tooltrail", "3sigma", "rare+count")


def base_traffic(generator: str, seed: int) -> tuple[Simulation, dict[str, Any] | None]:
    if generator == "sim":
        cfg = SimConfig(
            seed=seed, scenarios=(), incidents_per_scenario=0, hard_negatives=HARD_NEGATIVES
        )
        return simulate(cfg), None
    if generator == "sessions":
        return generate_sessions(SessionsConfig(seed=seed)), dict(SESSIONS_ANNOTATIONS)
    if generator == "markov":
        return generate(MarkovConfig(seed=seed)), dict(ANNOTATIONS)
    if generator in ("fleet", "fleet-lib"):
        return generate_fleet(FleetConfig(seed=seed)), dict(FLEET_ANNOTATIONS)
    if generator in ("tides", "tides-lib"):
        return generate_tides(TidesConfig(seed=seed)), dict(TIDES_ANNOTATIONS)
    if generator in ("plans", "plans-lib"):
        return generate_plans(PlansConfig(seed=seed)), dict(PLANS_ANNOTATIONS)
    if generator in ("tenants", "tenants-lib"):
        return generate_tenants(TenantsConfig(seed=seed)), dict(TENANTS_ANNOTATIONS)
    if generator in ("forge", "forge-lib"):
        return generate_forge(ForgeConfig(seed=seed)), dict(FORGE_ANNOTATIONS)
    if generator in ("wards", "wards-lib"):
        return generate_wards(WardsConfig(seed=seed)), dict(WARDS_ANNOTATIONS)
    if generator in ("depots", "depots-lib"):
        return generate_depots(DepotsConfig(seed=seed)), dict(DEPOTS_ANNOTATIONS)
    if generator in ("newsroom", "newsroom-lib"):
        return generate_newsroom(NewsroomConfig(seed=seed)), dict(NEWSROOM_ANNOTATIONS)
    if generator in ("ledger", "ledger-lib"):
        return generate_ledger(LedgerConfig(seed=seed)), dict(LEDGER_ANNOTATIONS)
    raise SystemExit(
        f"--generators: unknown {generator!r}; choose from sim, markov, sessions, fleet, "
        "fleet-lib, tides, tides-lib, plans, plans-lib, tenants, tenants-lib, forge, forge-lib, "
        "wards, wards-lib, depots, depots-lib, newsroom, newsroom-lib, ledger, ledger-lib"
    )


def _alert(name: str, level: str, row: Any, score: float, reason: str) -> Alert:
    return Alert(
        severity="medium",
        detector=f"baseline:{name}",
        entity_kind=level,
        entity=str(row["entity"]),
        window_start=int(row["window_start"]),
        window_end=int(row["window_end"]),
        score=float(min(score, 1e9)),
        reason=reason,
        dedupe_key=f"baseline:{name}|{level}|{row['entity']}",
    )


def baselines(captured: dict[str, list[Any]]) -> dict[str, list[Alert]]:
    """The 3σ and rare + high-count baselines, fitted on the history windows."""
    out: dict[str, list[Alert]] = {"3sigma": [], "rare+count": []}
    cols = list(FEATURES)
    novelty = [c for c in ("new_tools", "new_servers", "new_clients", "new_resources") if c in cols]
    for level, parts in captured.items():
        fit = [w.loc[~learn] for kind, w, learn in parts if kind == "fit"]
        score = [(w, learn) for kind, w, learn in parts if kind == "score"]
        if not fit or not score:
            continue
        train = pd.concat(fit, ignore_index=True)
        g = train.groupby("entity")[cols]
        mean, std, p99 = g.mean(), g.std(ddof=0), g.quantile(0.99)
        for w, learn in score:
            w = w.loc[~learn].reset_index(drop=True)
            m = mean.reindex(w["entity"]).fillna(train[cols].mean()).to_numpy()
            s = std.reindex(w["entity"]).fillna(train[cols].std(ddof=0)).to_numpy()
            z = (w[cols].to_numpy() - m) / np.maximum(s, 1e-9)
            for i in np.flatnonzero((z > 3).any(axis=1)):
                j = int(np.argmax(z[i]))
                out["3sigma"].append(
                    _alert("3sigma", level, w.iloc[i], z[i, j], f"{cols[j]} above mean + 3σ")
                )
            calls99 = p99["calls"].reindex(w["entity"]).fillna(train["calls"].quantile(0.99))
            rare = (w[novelty].to_numpy() > 0).any(axis=1)
            if "rare_hour_calls" in w.columns:
                rare |= (w["rare_hour_calls"] > 0).to_numpy()
            else:
                rare |= (w["off_hours"] > 0.5).to_numpy()
            high = (w["calls"].to_numpy() > calls99.to_numpy()) & rare
            for i in np.flatnonzero(high):
                out["rare+count"].append(
                    _alert("rare+count", level, w.iloc[i], 1.0, "rare and above p99 calls")
                )
    for alerts in out.values():
        alerts.sort(key=lambda a: (a.window_end, a.entity_kind, a.entity))
    return out


@dataclass
class Cell:
    """One detector × generator × intensity, over seeds."""

    incidents: dict[str, int] = field(default_factory=dict)
    detected: dict[str, int] = field(default_factory=dict)
    true_alerts: dict[str, int] = field(default_factory=dict)
    delays: dict[str, list[float]] = field(default_factory=dict)
    false_alerts: int = 0
    false_pages: int = 0  # notifications about no incident (one per alert group: GroupPager)
    benign_windows: int = 0
    false_by_label: dict[str, int] = field(default_factory=dict)
    false_examples: list[str] = field(default_factory=list)
    missed_examples: list[str] = field(default_factory=list)

    def per_10k(self) -> float:
        return 1e4 * self.false_alerts / max(self.benign_windows, 1)

    def pages_10k(self) -> float:
        return 1e4 * self.false_pages / max(self.benign_windows, 1)


#: how far an announcement reaches before a hard negative's first and after its last call
ANNOUNCE_MARGIN_US = 5 * 60 * 10**6


def change_calendar(sim: Simulation, names: frozenset[str], max_us: int) -> list[dict[str, Any]]:
    """The announcements (``AlertStore.announce`` arguments) for the hard negatives named: one
    per ``benign:<name>#k`` episode, over its users and its first to last call ± 5 min, filed at
    its first call, all families; a longer span than ``max_us`` in consecutive parts."""
    spans: dict[str, tuple[int, int, set[str]]] = {}
    for c in sim.calls:
        name = c.label.partition("#")[0]
        if not name.startswith("benign:") or name.removeprefix("benign:") not in names:
            continue
        first, last, users = spans.get(c.label, (c.ts, c.ts, set()))
        if c.user:
            users.add(c.user)
        spans[c.label] = (min(first, c.ts), max(last, c.ts), users)
    out: list[dict[str, Any]] = []
    for label, (first, last, users) in sorted(spans.items()):
        start, end = first - ANNOUNCE_MARGIN_US, last + ANNOUNCE_MARGIN_US
        for part in range(start, end, max_us):
            out.append(
                {
                    "actors": sorted(users),
                    "start_us": part,
                    "end_us": min(part + max_us, end),
                    "reason": f"announced {label} (benchmark change calendar)",
                    "by": "benchmark",
                    "created_us": first,
                }
            )
    return [a for a in out if a["actors"]]


def run(
    generator: str,
    seed: int,
    intensity: str,
    store: Store,
    cache: dict[Any, Any],
    announced: frozenset[str] = frozenset(),
) -> dict[str, Cell]:
    base, annotations = base_traffic(generator, seed)
    # fleet, tides, plans, tenants, forge, wards, depots, newsroom, ledger: their own attacks
    injector = {
        "fleet": fleet_inject,
        "tides": tides_inject,
        "plans": plans_inject,
        "tenants": tenants_inject,
        "forge": forge_inject,
        "wards": wards_inject,
        "depots": depots_inject,
        "newsroom": newsroom_inject,
        "ledger": ledger_inject,
    }.get(generator, inject)
    sim = injector(base, FAMILIES, intensity, seed=seed, annotations=annotations)
    frame = to_frame(sim, annotations=annotations)  # the hints an emitter records
    source = FrameSource(frame)
    events = labelled_events(source, frame)
    settings = DetectSettings(family_rules=True)
    since, until = sim.config.attack_start_us, sim.config.end_us
    captured: dict[str, list[Any]] = {}

    def capture(kind: str, level: str, windows: pd.DataFrame, learning: np.ndarray) -> None:
        captured.setdefault(level, []).append((kind, windows, learning))

    for key in [k for k in cache if k[0] == "score"]:
        del cache[key]  # the history (fit) is the same for every intensity; the scored day not
    engine = Engine(source, settings, feature_cache=cache, on_features=capture)
    candidates = engine.score(since, until)
    if not any(kind == "fit" for parts in captured.values() for kind, *_ in parts):
        for key, (_ev, _prof, feats, learn) in cache.items():
            if key[0] == "fit":
                for level, w in feats.items():
                    captured.setdefault(level, []).append(("fit", w, learn[level]))
    hot = attack_windows(
        events,
        {i.id for i in sim.incidents},
        since=since,
        until=until,
        window_us=settings.window_us,
        step_us=settings.step_us,
    )
    scored = sum(len(w) for parts in captured.values() for kind, w, _ in parts if kind == "score")
    benign = scored - sum(hot.values())
    calendar = change_calendar(sim, announced, settings.announce_max_us) if announced else []
    if announced:
        print(f"  announced {len(calendar)} hard-negative span(s) of {sorted(announced)}")
    found = {"tooltrail": gate(store, settings, candidates, calendar)}
    found.update({k: gate(store, settings, v) for k, v in baselines(captured).items()})
    cells = {}
    for name, alerts in found.items():
        ev = evaluate(
            alerts, events, sim.incidents, benign_windows=benign, step_us=settings.step_us
        )
        cell = Cell(
            benign_windows=benign,
            false_alerts=ev.false_alerts,
            false_pages=false_pages(alerts, events, sim.incidents),
        )
        for fam, s in ev.scenarios.items():
            cell.incidents[fam] = s.incidents
            cell.detected[fam] = s.detected
            cell.true_alerts[fam] = s.true_alerts
            cell.delays[fam] = list(s.delays)
        by_id = {i.id: i for i in sim.incidents}
        labelled = [(a, covered_labels(a, events)) for a in alerts]  # once per alert
        for missed in ev.missed:
            near = [a for a, labels in labelled if missed in labels]
            inc = by_id[missed]
            cell.missed_examples.append(
                f"{missed} ({inc.user or inc.agent}: {inc.description}): "
                + ("; ".join(f"{a.severity} {a.detector} {a.reason}" for a in near) or "no alert")
            )
        for a, labels in labelled:
            if a.severity == "low" or labels & by_id.keys():
                continue
            for label in labels or {"(ordinary traffic)"}:
                key = label.partition("#")[0]
                cell.false_by_label[key] = cell.false_by_label.get(key, 0) + 1
            cell.false_examples.append(
                f"[{', '.join(sorted(labels)) or '-'}] {a.detector} {a.entity_kind} {a.entity}: "
                f"{a.reason}"
            )
        cells[name] = cell
    return cells


def merge(a: Cell, b: Cell) -> Cell:
    out = Cell(
        false_alerts=a.false_alerts + b.false_alerts,
        false_pages=a.false_pages + b.false_pages,
        benign_windows=a.benign_windows + b.benign_windows,
    )
    for attr in ("incidents", "detected", "true_alerts", "false_by_label"):
        d: dict[str, int] = {}
        for src in (getattr(a, attr), getattr(b, attr)):
            for k, v in src.items():
                d[k] = d.get(k, 0) + v
        setattr(out, attr, d)
    out.delays = {k: a.delays.get(k, []) + b.delays.get(k, []) for k in {*a.delays, *b.delays}}
    out.false_examples = a.false_examples + b.false_examples
    out.missed_examples = a.missed_examples + b.missed_examples
    return out


def table(
    results: dict[tuple[str, str, str], Cell], generators: list[str], levels: list[str]
) -> str:
    lines = [
        "| generator | family | intensity | "
        + " | ".join(f"{d} recall | {d} prec | {d} delay" for d in DETECTORS)
        + " |",
        "|---|---|---|" + "---|---|---|" * len(DETECTORS),
    ]
    for gen in generators:
        for fam in FAMILIES:
            for lvl in levels:
                row = [gen, fam, lvl]
                for det in DETECTORS:
                    c = results[(det, gen, lvl)]
                    n, k = c.incidents.get(fam, 0), c.detected.get(fam, 0)
                    t = c.true_alerts.get(fam, 0)
                    prec = t / (t + c.false_alerts) if t + c.false_alerts else 0.0
                    d = c.delays.get(fam, [])
                    delay = f"{statistics.median(d):.1f}" if d else "–"
                    row += [f"{k}/{n}", f"{prec:.2f}", delay]
                lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "| generator | intensity | "
        + " | ".join(f"{d} false alerts / pages per 10k" for d in DETECTORS)
        + " | benign entity-windows | tooltrail false alerts by label |",
        "|---|---|" + "---|" * len(DETECTORS) + "---|---|",
    ]
    for gen in generators:
        for lvl in levels:
            cells = [results[(d, gen, lvl)] for d in DETECTORS]
            by = ", ".join(f"{k} {v}" for k, v in sorted(cells[0].false_by_label.items())) or "–"
            lines.append(
                f"| {gen} | {lvl} | "
                + " | ".join(
                    f"{c.per_10k():.2f} ({c.false_alerts}) / {c.pages_10k():.2f} ({c.false_pages})"
                    for c in cells
                )
                + f" | {cells[0].benign_windows} | {by} |"
            )
    return "\n".join(lines)


def plot(
    results: dict[tuple[str, str, str], Cell], generators: list[str], levels: list[str], path: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1, len(generators), figsize=(5.2 * len(generators), 3.6), squeeze=False
    )
    styles = {"tooltrail": "-", "3sigma": ":", "rare+count": "--"}
    for ax, gen in zip(axes[0], generators, strict=True):
        for fam in FAMILIES:
            for det in DETECTORS:
                ys = []
                for lvl in levels:
                    c = results[(det, gen, lvl)]
                    ys.append(c.detected.get(fam, 0) / max(c.incidents.get(fam, 0), 1))
                color = f"C{FAMILIES.index(fam)}"
                label = fam if det == "tooltrail" else None
                shift = 0.02 * (FAMILIES.index(fam) - 2)  # lines at the same recall stay visible
                ys = [y + shift for y in ys]
                ax.plot(levels, ys, styles[det], color=color, label=label, marker="o", ms=3)
        fp = ", ".join(
            f"{d} {results[(d, gen, 'mid')].per_10k():.1f}"
            for d in DETECTORS
            if (d, gen, "mid") in results
        )
        ax.set_title(f"{gen}: recall vs intensity\nfalse/10k at mid: {fp}", fontsize=8)
        ax.set_ylim(-0.08, 1.08)
        ax.set_xlabel("intensity (solid tooltrail, dotted 3σ, dashed rare+count)", fontsize=7)
    axes[0][0].set_ylabel("recall (families offset by ±0.04 to stay apart)")
    axes[0][-1].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=80)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--generators",
        default="sim,markov",
        help="sim, markov, sessions, fleet, fleet-lib, tides, tides-lib, plans, plans-lib, "
        "tenants, tenants-lib, forge, forge-lib, wards, wards-lib, depots, depots-lib, newsroom, "
        "newsroom-lib, ledger, ledger-lib (held out)",
    )
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--intensities", default=",".join(INTENSITIES))
    ap.add_argument("--plot", default="", help="write the frontier PNG here")
    ap.add_argument("--show-false", action="store_true")
    ap.add_argument(
        "--show-missed",
        action="store_true",
        help="each incident missed, with the alerts (low included) that touched it; "
        "never on a held-out generator",
    )
    ap.add_argument(
        "--announced",
        default="",
        help="announce these hard negatives (label names, comma-separated) before scoring: "
        "with the change calendar a team would keep; never the default figure",
    )
    args = ap.parse_args()
    announced = frozenset(
        n.strip().removeprefix("benign:") for n in args.announced.split(",") if n.strip()
    )
    generators = args.generators.split(",")
    levels = args.intensities.split(",")
    results: dict[tuple[str, str, str], Cell] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        open_store(StoreConfig(path=str(Path(tmp) / "s"))) as store,
    ):
        store.migrate()
        for gen in generators:
            for seed in (int(s) for s in args.seeds.split(",")):
                cache: dict[Any, Any] = {}
                for lvl in levels:
                    t0 = time.perf_counter()
                    cells = run(gen, seed, lvl, store, cache, announced)
                    for det, cell in cells.items():
                        key = (det, gen, lvl)
                        results[key] = merge(results[key], cell) if key in results else cell
                    c = cells["tooltrail"]
                    print(
                        f"{gen} seed {seed} {lvl}: {sum(c.detected.values())}/"
                        f"{sum(c.incidents.values())} caught, {c.false_alerts} false "
                        f"({time.perf_counter() - t0:.0f}s)",
                        flush=True,
                    )
                    if args.show_false:
                        for line in c.false_examples:
                            print("    false:", line)
                    if args.show_missed:
                        for line in c.missed_examples:
                            print("    missed:", line)
    print()
    print(table(results, generators, levels))
    if args.plot:
        plot(results, generators, levels, Path(args.plot))
        print(f"\nwrote {args.plot}")


if __name__ == "__main__":
    sys.exit(main())
