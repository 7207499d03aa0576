"""Python's cycle collector, set for a server that holds many long-lived objects.

The collector looks at every tracked object each time it collects the oldest generation,
and by default it collects the youngest after every 700 allocations net: with thousands
of open connections, each of them dozens of objects, that scanning was a large share of
what a connection storm cost (about a fifth of the CPU at 3,000 connections). What the
server made while starting (modules, models, the app) is frozen out of every collection,
and the youngest generation is collected after 10,000 allocations instead of 700; the
older ones keep Python's ratios. Cycles of garbage wait a little longer to be freed.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def settle() -> None:
    """Called once the server has started, before it takes connections."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
