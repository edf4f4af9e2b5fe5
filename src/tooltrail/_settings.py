"""What every service's settings share."""

from __future__ import annotations

__all__ = ["PLACEHOLDER_SECRETS"]

#: values that mean "nobody set this yet"; refused outside development
PLACEHOLDER_SECRETS = frozenset(
    {"changethis", "changeme", "change-me", "change_me", "secret", "password", "placeholder", "xxx"}
)
