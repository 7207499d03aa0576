"""The server's cycle collector: what startup made is frozen, the young generation is
collected less often, and the older generations keep Python's ratios."""

from __future__ import annotations

import gc

from server import heap


def test_settle_freezes_the_startup_heap_and_spaces_young_collections() -> None:
    before = gc.get_threshold()
    try:
        heap.settle()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (heap.YOUNG_THRESHOLD, before[1], before[2])
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
