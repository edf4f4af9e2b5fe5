"""Which alerts page a person: one notification per alert group, and again only when a later
alert of the group is more severe than what was sent.

The alert store groups an actor's alerts that follow each other within ``group_minutes``
(``alertstore.py``: the user behind a user, user × tool, agent or server alert); every level
that notices one incident (the person, the person's tool, the server's tool, the server) raises
its own alert, and all of them are stored, but the person on call is paged once per incident.
A more severe alert in an open group pages again (an escalation is news); one as severe or
less does not (``alerts_suppressed{reason="grouped"}``). Live detection (``runner.py``, with
``notify_per_group``, the default) and the detection benchmark (false *pages*, beside false
alerts: ``evaluate.false_pages``) decide with the same :class:`GroupPager`.

An adversary who knows this can hide a second finding behind a first of the same severity on
the same actor within the group's window: it is stored in the group the page links to (and in
Grafana), not paged on its own. A higher severity always pages.
"""

from __future__ import annotations

from typing import Final

from .alert import SEVERITIES, Alert

__all__ = ["GroupPager"]

_REMEMBERED: Final = 10_000  # groups are short-lived: past this, the older half is forgotten


class GroupPager:
    """Remembers the highest severity paged per group; not thread-safe (the caller locks)."""

    __slots__ = ("_rank",)

    def __init__(self) -> None:
        self._rank: dict[str, int] = {}  # group -> highest severity rank paged

    def pages(self, alert: Alert) -> bool:
        """Whether ``alert`` pages (and note it as paged when it does)."""
        rank = SEVERITIES.index(alert.severity)
        group = alert.group or alert.id
        if rank <= self._rank.get(group, -1):
            return False
        if len(self._rank) > _REMEMBERED:
            for key in list(self._rank)[: _REMEMBERED // 2]:
                del self._rank[key]
        self._rank[group] = rank
        return True
