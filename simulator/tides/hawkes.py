"""Each person × seat is a self-exciting (Hawkes) point process over tool calls.

Immigrants (the starts of bursts) come from an inhomogeneous Poisson process whose rate follows
the person's own weekly rhythm (:func:`~.org.base_rate`); every call then begets a Poisson
number of follow-ups (mean: the person's branching ratio) after a delay drawn from a mixture
kernel: exponential on the person's time scale, or (one time in eight) a log-normal pause of
minutes to an hour. So bursts have very different lengths. A burst is one session: one topic
drawn from the person's drifting mixture, the tools from that topic (sticky: a call often repeats
the previous tool); each server is initialised and listed before its first call; some reads of
files and drive documents are ``resources/read``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

from ..model import SimCall
from ._calls import CallMaker, Seat
from .catalog import server_of
from .org import DAY_US, HOUR_US, Person, base_rate
from .topics import TOPICS

__all__ = ["burst", "person_calls", "pick", "poisson"]

_MAX_BURST = 400


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth below 30, a rounded normal above)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    """One key of ``weights`` in proportion to its weight."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def burst(rng: random.Random, t0: int, branching: float, tau_s: float) -> list[int]:
    """The times of one Hawkes cluster started at ``t0`` (sorted, µs, at most 400)."""
    times, frontier = [t0], [t0]
    while frontier and len(times) < _MAX_BURST:
        parent = frontier.pop()
        for _ in range(poisson(rng, branching)):
            if rng.random() < 0.125:
                delay = math.exp(rng.gauss(math.log(900), 0.8))
            else:
                delay = rng.expovariate(1.0 / tau_s)
            child = parent + int(delay * 1e6) + 1_000_000
            times.append(child)
            frontier.append(child)
    return sorted(times[:_MAX_BURST])


def theta_at(p: Person, day: int, days: int) -> dict[str, float]:
    """The person's topic mixture on ``day``: a slow drift from ``theta0`` to ``theta1``."""
    x = day / max(1, days - 1)
    out = {t: (1 - x) * w for t, w in p.theta0.items()}
    for t, w in p.theta1.items():
        out[t] = out.get(t, 0.0) + x * w
    return out


def session_calls(
    mk: CallMaker, seat: Seat, times: list[int], topics: dict[str, float], label: str = ""
) -> list[SimCall]:
    """One session's calls at ``times``: tools from one topic of ``topics``, sticky."""
    rng = mk.rng
    topic = TOPICS[pick(rng, topics)]
    session, seen, prev = mk.hex(), set(), ""
    out: list[SimCall] = []
    for ts in times:
        name = prev if prev and rng.random() < 0.3 else pick(rng, topic)
        prev = name
        server = server_of(name)
        if server not in seen:
            seen.add(server)
            out.append(mk.control(ts - 900_000, seat, session, server, "initialize", label))
            out.append(mk.control(ts - 600_000, seat, session, server, "tools/list", label))
        if name in ("read_text_file", "gdrive_read_file") and rng.random() < 0.1:
            uri = (
                f"file:///home/{seat.user}/src/notes/{mk.hex(24)}.md"
                if server == "filesystem"
                else f"gdrive:///{mk.hex(64)}"
            )
            out.append(mk.control(ts, seat, session, server, "resources/read", label, uri))
        else:
            out.append(mk.call(ts, seat, session, name, label=label))
    return out


def person_calls(
    mk: CallMaker,
    p: Person,
    start_us: int,
    days: int,
    until_day: int | None = None,
    label: str = "",
) -> Iterator[SimCall]:
    """Every call of ``p`` over the simulated days (before ``until_day`` when given)."""
    rng = mk.rng
    stop = days if until_day is None else until_day
    for hour in range(p.first_day * 24 if p.first_day < days else stop * 24, stop * 24):
        h_us = start_us + hour * HOUR_US
        lam = base_rate(p, h_us, start_us)
        if lam <= 0:
            continue
        day = hour // 24
        for _ in range(poisson(rng, lam)):
            t0 = h_us + rng.randrange(HOUR_US)
            seats = [s for s in p.seats]
            before, after, upgrade, _w = rng.choices(seats, weights=[s[3] for s in seats])[0]
            seat = after if day >= upgrade else before
            times = [
                t for t in burst(rng, t0, p.branching, p.tau_s) if t < start_us + days * DAY_US
            ]
            yield from session_calls(mk, seat, times, theta_at(p, day, days), label)
