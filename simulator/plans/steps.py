"""The steps a plan is made of (see ``htn.py`` for what each means to the executor)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Approve", "Call", "Res", "Step", "Sub"]


@dataclass(frozen=True, slots=True)
class Call:
    tool: str
    n: tuple[int, int] = (1, 1)
    p: float = 1.0
    par: int = 1


@dataclass(frozen=True, slots=True)
class Res:
    server: str
    n: tuple[int, int] = (1, 1)
    p: float = 1.0


@dataclass(frozen=True, slots=True)
class Sub:
    goal: str
    p: float = 1.0
    loop: float = 0.0
    delegate: bool = False


@dataclass(frozen=True, slots=True)
class Approve:
    p: float


Step = Call | Res | Sub | Approve

#: goal → [(weight, steps)]
