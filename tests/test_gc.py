"""``tooltrail._gc.settle``: what a service built is frozen, the young generation is collected
less often, and garbage cycles made afterwards are still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from tooltrail._gc import YOUNG, settle


@pytest.fixture
def restored() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


class Node:
    def __init__(self) -> None:
        self.me = self


@pytest.mark.usefixtures("restored")
def test_settle_freezes_what_exists_and_later_cycles_are_still_collected() -> None:
    built = Node()  # part of the "start-up heap"
    settle()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == YOUNG
    assert all(o is not built for o in gc.get_objects())  # frozen: out of the collector's reach
    later = Node()
    gone = weakref.ref(later)
    del later
    gc.collect()
    assert gone() is None
