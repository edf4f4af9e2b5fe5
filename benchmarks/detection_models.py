"""Detection quality and speed on the simulator: per-scenario recall, precision, F1, delay.

    python benchmarks/detection_models.py [--seeds 1,2,3] [--users 20] [--days 8] [--incidents 1]
                                   [--variants ecod+iforest+hbos,ecod+iforest,ecod,iforest,hbos]

For every seed, the simulator makes ``--days`` days of traffic for ``--users`` users; the last day
holds one incident of each attack scenario (the earlier days are clean history) besides the
labelled benign bursts (nightly batch job, CI bot, weekly report, a new user). Each model variant
runs the whole detector (features → baselines → ensemble + rules → the alert store's dedupe and
cooldown) over the last day, with the model fit on the days before. Features are computed once
per seed and shared by the variants.

Baseline in the same run: a per-entity 3σ threshold on each feature (mean and standard deviation
of the entity's windows in the same history; the level's when the entity has none), through the
same alert store. Alerts count when they would page (severity ≥ medium).

Then: fit + score time of each variant on 100k entity-windows.

Targets: incident recall ≥ 0.9; ≤ 1 false alert per 10k benign entity-windows; F1 above the 3σ
baseline on every scenario; fit + score of 100k windows ≤ 2 s. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tooltrail.detectors.alert import Alert
from tooltrail.detectors.alertstore import AlertStore
from tooltrail.detectors.baseline import Baseline, relative
from tooltrail.detectors.engine import Engine
from tooltrail.detectors.evaluate import (
    Evaluation,
    Labelled,
    attack_windows,
    evaluate,
    labelled_events,
)
from tooltrail.detectors.features import FEATURES
from tooltrail.detectors.settings import DetectSettings
from tooltrail.detectors.source import FrameSource
from tooltrail.pipeline.store import Store, StoreConfig, open_store
from tooltrail.simulator import ATTACK_SCENARIOS, SimConfig, simulate, to_frame

BASELINE = "3sigma"


def gate(
    store: Store,
    settings: DetectSettings,
    candidates: list[Alert],
    announcements: Sequence[Mapping[str, Any]] = (),
) -> list[Alert]:
    """The candidates through a fresh alert store; the alerts it ends up holding.
    ``announcements``: the keyword arguments of ``AlertStore.announce`` (the change calendar
    ``tooltrail alerts announce`` files), filed first; none by default."""
    for table in ("alerts", "announcements"):
        store.command(f"TRUNCATE TABLE {store.database}.{table}")
    alerts = AlertStore(
        store,
        cooldown_us=settings.cooldown_us,
        group_window_us=settings.group_us,
        announce_max_us=settings.announce_max_us,
    )
    for announcement in announcements:
        alerts.announce(**announcement)
    alerts.offer_many(candidates)
    return alerts.list(limit=1_000_000)


def three_sigma(captured: dict[str, list[Any]], settings: DetectSettings) -> list[Alert]:
    """Per-entity mean + 3σ on each feature, fitted on the history windows."""
    out: list[Alert] = []
    for level, parts in captured.items():
        fit = [w.loc[~learn] for kind, w, learn in parts if kind == "fit"]
        score = [(w, learn) for kind, w, learn in parts if kind == "score"]
        if not fit or not score:
            continue
        train = pd.concat(fit, ignore_index=True)
        cols = list(FEATURES)
        mean = train.groupby("entity")[cols].mean()
        std = train.groupby("entity")[cols].std(ddof=0)
        for w, learn in score:
            w = w.loc[~learn].reset_index(drop=True)
            m = mean.reindex(w["entity"]).fillna(train[cols].mean()).to_numpy()
            s = std.reindex(w["entity"]).fillna(train[cols].std(ddof=0)).to_numpy()
            z = (w[cols].to_numpy() - m) / np.maximum(s, 1e-9)
            for i in np.flatnonzero((z > 3).any(axis=1)):
                row = w.iloc[i]
                j = int(np.argmax(z[i]))
                out.append(
                    Alert(
                        severity="medium",
                        detector=f"baseline:{BASELINE}",
                        entity_kind=level,
                        entity=str(row["entity"]),
                        window_start=int(row["window_start"]),
                        window_end=int(row["window_end"]),
                        score=float(min(z[i, j], 1e9)),
                        reason=f"{FEATURES[j]} above mean + 3σ",
                        dedupe_key=f"baseline:{BASELINE}|{level}|{row['entity']}",
                    )
                )
    out.sort(key=lambda a: (a.window_end, a.entity_kind, a.entity))
    return out


#: ablations: the ensemble alone (no univariate "extreme" path), the extreme path alone
ABLATIONS = {
    "ensemble-only": {"extreme": float("inf")},
    "extreme-only": {"min_excess": float("inf")},
}


def _variant(name: str) -> tuple[DetectSettings, dict[str, float]]:
    """``a+b`` (mean of normalized scores) or ``a+b/max``; or an ablation of the default."""
    if name in ABLATIONS:
        return DetectSettings(), ABLATIONS[name]
    members, _, combine = name.partition("/")
    return DetectSettings(
        ensemble=tuple(members.split("+")), ensemble_combine=combine or "mean"
    ), {}


def _covers_attack(alert: Alert, events: pd.DataFrame, incidents: list[Labelled]) -> bool:
    ev = evaluate([alert], events, incidents, benign_windows=1, step_us=1, min_severity="low")
    return ev.false_alerts == 0


def run_seed(
    seed: int, args: argparse.Namespace, variants: list[str], store: Store
) -> tuple[dict[str, Evaluation], dict[str, float], pd.DataFrame]:
    t0 = time.perf_counter()
    sim = simulate(
        SimConfig(
            seed=seed,
            users=args.users,
            days=args.days,
            incidents_per_scenario=args.incidents,
        )
    )
    frame = to_frame(sim)
    source = FrameSource(frame)
    events = labelled_events(source, frame)
    since, until = sim.config.attack_start_us, sim.config.end_us
    incidents = sim.incidents
    print(
        f"seed {seed}: {len(frame)} events, {len(incidents)} incidents "
        f"(simulated in {time.perf_counter() - t0:.1f}s)",
        flush=True,
    )
    cache: dict[tuple[Any, ...], Any] = {}
    captured: dict[str, list[Any]] = {}

    def capture(kind: str, level: str, windows: pd.DataFrame, learning: np.ndarray) -> None:
        captured.setdefault(level, []).append((kind, windows, learning))

    results: dict[str, Evaluation] = {}
    seconds: dict[str, float] = {}
    base = DetectSettings()
    hot = attack_windows(
        events,
        {i.id for i in incidents},
        since=since,
        until=until,
        window_us=base.window_us,
        step_us=base.step_us,
    )
    benign = 0
    for k, name in enumerate(variants):
        settings, knobs = _variant(name)
        engine = Engine(
            source,
            settings,
            feature_cache=cache,
            on_features=capture if k == 0 else None,
            **knobs,
        )
        started = time.perf_counter()
        candidates = engine.score(since, until)
        seconds[name] = time.perf_counter() - started
        if k == 0:
            scored = sum(
                len(w) for parts in captured.values() for kind, w, _ in parts if kind == "score"
            )
            benign = scored - sum(hot.values())
            print(
                f"  features and first fit: {seconds[name]:.1f}s; "
                f"{scored} entity-windows scored, {benign} benign",
                flush=True,
            )
        alerts = gate(store, settings, candidates)
        results[name] = evaluate(
            alerts, events, incidents, benign_windows=benign, step_us=settings.step_us
        )
        if args.show_false and k == 0:
            for a in alerts:
                if a.severity != "low" and not _covers_attack(a, events, incidents):
                    print(f"    false: {a.detector} {a.entity_kind} {a.entity}: {a.reason}")
    alerts = gate(store, base, three_sigma(captured, base))
    results[BASELINE] = evaluate(
        alerts, events, incidents, benign_windows=benign, step_us=base.step_us
    )
    fit_windows = pd.concat(
        [w.loc[~learn] for parts in captured.values() for kind, w, learn in parts if kind == "fit"],
        ignore_index=True,
    )
    return results, seconds, fit_windows


def time_100k(windows: pd.DataFrame, variants: list[str]) -> None:
    reps = -(-100_000 // max(len(windows), 1))
    w = pd.concat([windows] * reps, ignore_index=True).iloc[:100_000]
    base = Baseline.fit(w)
    p50, p99, _ = base.lookup(w["entity"])
    x = relative(w[list(FEATURES)].to_numpy(dtype=float), p50, p99)
    x = x + np.random.default_rng(0).normal(0, 1e-3, x.shape)  # repeated rows: break ties
    print("\nfit + score of 100k entity-windows (after one warm-up fit per variant):")
    from tooltrail.detectors.engine import build_ensemble

    for name in variants:
        if name in ABLATIONS:
            continue
        settings = _variant(name)[0]
        build_ensemble(settings).fit(x[:5000])  # JIT warm-up (numba for HBOS)
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            model = build_ensemble(settings).fit(x)
            model.decision_function(x)
            runs.append(time.perf_counter() - t)
        print(
            f"  {name:22s} median {statistics.median(runs):.2f}s "
            f"(runs {', '.join(f'{r:.2f}' for r in runs)})"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--days", type=int, default=8)
    ap.add_argument("--incidents", type=int, default=1, help="incidents per scenario and seed")
    ap.add_argument(
        "--variants",
        default="ecod+iforest+hbos,ecod+iforest,ecod,iforest,hbos,ensemble-only,extreme-only",
    )
    ap.add_argument(
        "--show-false", action="store_true", help="list the first variant's false alerts"
    )
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    variants = args.variants.split(",")
    d = DetectSettings()
    default = "+".join(d.ensemble) + ("/max" if d.ensemble_combine == "max" else "")
    total: dict[str, Evaluation] = {}
    seconds: dict[str, list[float]] = {}
    windows = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        open_store(StoreConfig(path=str(Path(tmp) / "s"))) as store,
    ):
        store.migrate()
        for seed in seeds:
            results, secs, fit_windows = run_seed(seed, args, variants, store)
            windows.append(fit_windows)
            for name, ev in results.items():
                total[name] = total[name].merge(ev) if name in total else ev
            for name, s in secs.items():
                seconds.setdefault(name, []).append(s)
    print(
        f"\n== variants over seeds {args.seeds} (incident recall, false alerts / 10k benign "
        "entity-windows, mean F1 over scenarios, min F1, seconds to score the attack day: the "
        "first variant's include building the features, which the others reuse) =="
    )
    for name, ev in total.items():
        rec = sum(s.detected for s in ev.scenarios.values()) / max(
            sum(s.incidents for s in ev.scenarios.values()), 1
        )
        f1s = [s.f1(ev.false_alerts) for s in ev.scenarios.values()]
        secs = f"{statistics.median(seconds[name]):.1f}s" if name in seconds else "-"
        mark = "  (default)" if name == default else ""
        print(
            f"  {name:22s} recall {rec:.2f}  false/10k {ev.false_per_10k():.2f} "
            f"({ev.false_alerts} false, {ev.false_on_bursts} on benign bursts)  "
            f"F1 mean {statistics.mean(f1s):.2f} min {min(f1s):.2f}  {secs}{mark}"
        )
        if ev.missed:
            print(f"  {'':22s} missed: {', '.join(ev.missed)}")
    chosen, base = total.get(default), total[BASELINE]
    if chosen is not None:
        print(f"\n== per scenario: default ({default}) vs per-entity 3σ, same run ==")
        print(
            f"  {'scenario':28s} {'recall':>7s} {'prec':>6s} {'F1':>6s} {'delay':>6s}   "
            f"{'3σ rec':>7s} {'3σ prec':>7s} {'3σ F1':>6s}"
        )
        for name in ATTACK_SCENARIOS:
            s, b = chosen.scenarios[name], base.scenarios[name]
            delay = statistics.median(s.delays) if s.delays else float("nan")
            print(
                f"  {name:28s} {s.recall():7.2f} {s.precision(chosen.false_alerts):6.2f} "
                f"{s.f1(chosen.false_alerts):6.2f} {delay:6.1f}   {b.recall():7.2f} "
                f"{b.precision(base.false_alerts):7.2f} {b.f1(base.false_alerts):6.2f}"
            )
        print(
            f"  benign entity-windows {chosen.benign_windows}; false alerts: default "
            f"{chosen.false_alerts} ({chosen.false_per_10k():.2f}/10k), 3σ {base.false_alerts} "
            f"({base.false_per_10k():.2f}/10k)"
        )
    time_100k(pd.concat(windows, ignore_index=True), variants)


if __name__ == "__main__":
    sys.exit(main())
