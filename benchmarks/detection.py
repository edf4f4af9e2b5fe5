"""Detection frontier per generator: per family and intensity, next to two baselines.

    python benchmarks/detection.py
        [--generators NAME[,NAME...]]  (default: sim,markov)
        [--seeds 1,2]
        [--intensities low,mid,high] [--plot docs/detection-frontier.png] [--show-false]
        [--show-missed]
        [--announced release_spike,month_end,...]

For each generator (``GENERATORS`` below, listed by ``--help``: each a package of
``tooltrail.simulator``; all but the two defaults run only when named, and ``--help`` says which
are tuned on and which held out) and
seed, the benign traffic (with its labelled hard negatives) gets one incident of every attack
family of the generator's own ``inject`` where it has one, else of ``tooltrail.simulator.inject``
(``<name>-lib``: a generator's traffic with the library's attacks) at each intensity. The whole
default detector (features → baselines → model + rules + families → the alert store's dedupe and
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
import importlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
from tooltrail.simulator.inject import FAMILIES, INTENSITIES, inject
from tooltrail.simulator.model import HARD_NEGATIVES

DETECTORS = ("tooltrail", "3sigma", "rare+count")


Traffic = tuple[Simulation, dict[str, Any] | None]  # benign traffic, its servers' annotations
Injector = Callable[..., Simulation]  # as tooltrail.simulator.inject.inject


def _sim(seed: int) -> Traffic:
    """The library simulator's benign traffic with its hard negatives (no annotations declared)."""
    cfg = SimConfig(
        seed=seed, scenarios=(), incidents_per_scenario=0, hard_negatives=HARD_NEGATIVES
    )
    return simulate(cfg), None


@dataclass(frozen=True)
class Generator:
    """A traffic generator: ``module``'s ``generate(<config>(seed=seed))`` and the ``ANNOTATIONS``
    its servers declare (or ``traffic(seed)`` instead), attacked by ``module``'s own ``inject``
    when ``own_attacks`` (then ``<name>-lib`` runs its traffic with the library's attacks too),
    else by ``tooltrail.simulator.inject``'s. ``module`` is imported when the generator runs."""

    module: str
    config: str
    about: str  # one line for --help
    own_attacks: bool = True
    default: bool = False  # runs when --generators is not given (else only when named)
    tuned: int = 0  # the round from which detectors were tuned on it (0: never)
    traffic: Callable[[int], Traffic] | None = None

    def base(self, seed: int) -> Traffic:
        if self.traffic is not None:
            return self.traffic(seed)
        mod = importlib.import_module(self.module)
        sim: Simulation = mod.generate(getattr(mod, self.config)(seed=seed))
        return sim, dict(mod.ANNOTATIONS)

    def injector(self) -> Injector:
        if not self.own_attacks:
            return inject
        own: Injector = importlib.import_module(self.module).inject
        return own


def _blind(name: str, tuned: int = 0) -> Generator:
    """``tooltrail.simulator.<name>``, built blind (by a helper who read no detector; see
    ``docs/<name>.md``) with its own attacks, run only when named; tuned on from round
    ``tuned`` (``docs/alerts.md``), else held out."""
    return Generator(
        f"tooltrail.simulator.{name}",
        f"{name.capitalize()}Config",
        f"built blind (docs/{name}.md), its own attacks",
        tuned=tuned,
    )


#: Every generator, by name: adding one is one entry here (``--help`` lists them).
GENERATORS: dict[str, Generator] = {
    "sim": Generator(
        "tooltrail.simulator",
        "SimConfig",
        "the library's simulator",
        own_attacks=False,
        default=True,
        traffic=_sim,
    ),
    "markov": Generator(
        "tooltrail.simulator.markov",
        "MarkovConfig",
        "built apart",
        own_attacks=False,
        default=True,
    ),
    "sessions": Generator(
        "tooltrail.simulator.sessions",
        "SessionsConfig",
        "built apart from both",
        own_attacks=False,
        tuned=5,
    ),
    "fleet": _blind("fleet", tuned=6),
    "tides": _blind("tides", tuned=7),
    "plans": _blind("plans", tuned=9),
    "tenants": _blind("tenants", tuned=10),
    "forge": _blind("forge", tuned=10),
    "wards": _blind("wards", tuned=10),
    "depots": _blind("depots", tuned=11),
    "newsroom": _blind("newsroom", tuned=11),
    "ledger": _blind("ledger", tuned=12),
    "campus": _blind("campus", tuned=12),
    "grid": _blind("grid", tuned=18),
    "airline": _blind("airline", tuned=14),
    "counsel": _blind("counsel", tuned=15),
    "claims": _blind("claims", tuned=16),
    "civic": _blind("civic", tuned=17),
    "telco": _blind("telco", tuned=18),
    "trials": _blind("trials"),
}


def _accepted() -> dict[str, tuple[Generator, str]]:
    """Each name ``--generators`` accepts (a generator, then ``<name>-lib`` where it has its own
    attacks): what it runs and its line in ``--help``."""
    out: dict[str, tuple[Generator, str]] = {}
    for name, gen in GENERATORS.items():
        held = f" (tuned on since round {gen.tuned})" if gen.tuned else ""
        if not gen.tuned and not gen.default:
            held = " (held out)"
        out[name] = gen, f"{gen.module}: {gen.about}{held}"
        if gen.own_attacks:
            lib = replace(gen, own_attacks=False)
            out[f"{name}-lib"] = lib, f"{name}'s traffic, the library's attacks{held}"
    return out


ACCEPTED = _accepted()


def find_generator(name: str) -> Generator:
    if name not in ACCEPTED:
        raise SystemExit(f"--generators: unknown {name!r}; choose from {', '.join(ACCEPTED)}")
    return ACCEPTED[name][0]


def base_traffic(generator: str, seed: int) -> Traffic:
    return find_generator(generator).base(seed)


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
    injector = find_generator(generator).injector()
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
        default=",".join(name for name, gen in GENERATORS.items() if gen.default),
        help="\n".join(f"{name:<13} {line}" for name, (_gen, line) in ACCEPTED.items())
        + "\n(default: %(default)s)",
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
