"""Errors of the event contract.

::

    ContractError
    ├── EventInvalid            a value breaks the event schema (names the field and the rule)
    │   └── CanonicalizationError   a value has no canonical JSON form (NaN, lone surrogate, …)
    ├── SignatureError          a checkpoint signature is missing, malformed or does not verify
    └── IntegrityError          ``verify`` found breaks; carries the full report
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .verify import VerifyReport
    from .walk import Finding

__all__ = [
    "CanonicalizationError",
    "ContractError",
    "EventInvalid",
    "IntegrityError",
    "SignatureError",
]


class ContractError(Exception):
    """Root of every error raised by ``tooltrail.contract``."""


class EventInvalid(ContractError, ValueError):
    """A value breaks the contract. ``field`` is a dotted path, ``rule`` says what it broke."""

    def __init__(self, field: str, rule: str, *, index: int | None = None) -> None:
        self.field = field
        self.rule = rule
        self.index = index
        where = f"event[{index}]." if index is not None else ""
        super().__init__(f"{where}{field}: {rule}")

    def at(self, index: int) -> EventInvalid:
        """The same error, located at position ``index`` of a batch."""
        return type(self)(self.field, self.rule, index=index)


class CanonicalizationError(EventInvalid):
    """The value cannot be written as RFC 8785 canonical JSON."""


class SignatureError(ContractError):
    """A checkpoint signature is missing, malformed, from an unknown key, or wrong."""


class IntegrityError(ContractError):
    """``verify`` found at least one break; ``report`` has them all, ``first`` the earliest."""

    def __init__(self, report: VerifyReport) -> None:
        self.report = report
        self.first: Finding = report.findings[0]
        super().__init__(f"{len(report.findings)} integrity break(s); first: {self.first}")
