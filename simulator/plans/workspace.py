"""A person's workspace (repositories, files, tables, channels …) and heavy-tailed sizes.

The pools a person's tool arguments are drawn from (earlier entries hotter: Zipf-like picks),
plus :func:`text` (filler prose of a given length, a slice of one fixed corpus) and
:func:`heavy` (a lognormal size with an occasional Pareto tail). Pure functions of the random
stream handed in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final

__all__ = ["Workspace", "arg_len", "heavy", "text"]

_WORDS: Final = (
    "the",
    "request",
    "handler",
    "returns",
    "a",
    "value",
    "when",
    "the",
    "cache",
    "is",
    "warm",
    "and",
    "the",
    "retry",
    "budget",
    "allows",
    "another",
    "attempt",
    "otherwise",
    "it",
    "falls",
    "back",
    "to",
    "the",
    "slower",
    "path",
    "that",
    "reads",
    "from",
    "the",
    "primary",
    "store",
    "this",
    "keeps",
    "latency",
    "low",
    "for",
    "the",
    "common",
    "case",
    "and",
    "bounds",
    "the",
    "work",
    "done",
    "under",
    "load",
    "tests",
    "cover",
    "the",
    "edge",
    "cases",
    "such",
    "as",
    "an",
    "empty",
    "page",
    "a",
    "missing",
    "key",
    "and",
    "a",
    "timeout",
    "from",
    "upstream",
)
_CORPUS: Final = " ".join(_WORDS[i * 7 % len(_WORDS)] for i in range(60_000))


def text(rng: random.Random, n: int) -> str:
    """``n`` characters of plausible prose (a slice of a fixed corpus)."""
    n = max(1, min(n, len(_CORPUS) - 1))
    at = rng.randrange(0, len(_CORPUS) - n)
    return _CORPUS[at : at + n]


def heavy(rng: random.Random, median: float, sigma: float = 1.0, cap: float = 2e6) -> int:
    """A lognormal size with an occasional Pareto tail (1 in 50 draws ×2-40)."""
    v = rng.lognormvariate(0.0, sigma) * median
    if rng.random() < 0.02:
        v *= 1 + rng.paretovariate(1.2)
    return max(1, int(min(v, cap)))


@dataclass
class Workspace:
    """What one person's agents touch: the pools their arguments are drawn from."""

    user: str
    home: str
    repos: list[str]  # "org/name"
    files: dict[str, list[str]]  # repo → relative paths (earlier ones are hotter)
    tables: list[str]
    datasets: list[str]
    channels: list[str]
    namespaces: list[str]
    projects: list[str]  # sentry projects / jira keys / linear teams
    docs: list[str]  # drive file ids / confluence page ids
    urls: list[str]
    entities: list[str] = field(default_factory=list)

    def repo(self, rng: random.Random) -> str:
        return self.repos[min(int(rng.expovariate(1.2)), len(self.repos) - 1)]

    def file(self, rng: random.Random, repo: str | None = None) -> tuple[str, str]:
        r = repo or self.repo(rng)
        paths = self.files[r]
        return r, paths[min(int(rng.paretovariate(1.1)) - 1, len(paths) - 1)]

    def local(self, rng: random.Random) -> str:
        r, p = self.file(rng)
        return f"{self.home}/src/{r.split('/')[1]}/{p}"

    def pick(self, rng: random.Random, pool: list[str]) -> str:
        return pool[min(int(rng.expovariate(0.9)), len(pool) - 1)]


def arg_len(rng: random.Random, median: float, sigma: float = 1.0, cap: float = 5e4) -> int:
    """An argument's text length: heavy-tailed, at most ``cap`` characters."""
    return heavy(rng, median, sigma, cap)
