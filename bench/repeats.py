"""Several runs of each server, folded into one figure per scenario (`--repeat N`).

On a shared machine one run can be a fifth off the next. With several passes, each
server runs once per pass, in an order that turns pass by pass so that no server
always runs first or last. For each room scenario the run with the median throughput
stands for the server, with every run's figures kept beside it (for the idle
connections, the run with the median storm; for REST, the one with the median CPU);
lost, duplicated and out-of-order events, and failures, count over every run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TypeVar

from bench.figures import Fanout, Server

T = TypeVar("T")

FANOUTS = ("poker", "rounds", "board")


def order(keys: Sequence[str], pass_: int) -> list[str]:
    """The servers of pass `pass_` (from 0): the list turned by one each pass."""
    if not keys:
        return []
    turn = pass_ % len(keys)
    return [*keys[turn:], *keys[:turn]]


def _median_of(items: list[T], key: Callable[[T], float]) -> T:
    """The item whose key is the median (the lower of the two middle ones)."""
    ranked = sorted(items, key=key)
    return ranked[(len(ranked) - 1) // 2]


def fold(runs: list[Server]) -> Server:
    """One server's runs, in pass order, as one `Server` (see the module)."""
    if len(runs) == 1:
        return runs[0]
    done = [r for r in runs if r.skipped is None]
    if not done:
        return runs[0]
    first = done[0]
    folded = Server(first.key, first.label, first.note, notes=list(first.notes))
    for i, run in enumerate(runs, start=1):
        if run.skipped is not None:
            folded.notes.append(f"pass {i} of {len(runs)}: {run.skipped}")
    for name in FANOUTS:
        setattr(folded, name, _fold_fanouts(runs, name))
    stormed = [r for r in done if r.idle]
    if stormed:
        chosen = _median_of(stormed, lambda r: r.storm_per_s or 0.0)
        folded.idle, folded.storm_per_s = chosen.idle, chosen.storm_per_s
    rests = [r.rest for r in done if r.rest is not None]
    if rests:
        folded.rest = _median_of(rests, lambda r: r.cpu_ms_per_pair)
    cards = [r.cards for r in done if r.cards is not None]
    if cards:
        folded.cards = _median_of(cards, lambda c: c.cpu_ms_per_card)
    return folded


def _fold_fanouts(runs: list[Server], name: str) -> Fanout | None:
    fans: list[Fanout | None] = [getattr(r, name) if r.skipped is None else None for r in runs]
    present = [f for f in fans if f is not None]
    if not present:
        return None
    chosen = _median_of(present, lambda f: f.deliveries_per_s)
    # A copy, so that the run it came from keeps its own counts.
    folded = dataclasses.replace(chosen, points=list(chosen.points))
    folded.errors = [e for f in present for e in f.errors][:5]
    for count in ("lost", "duplicated", "out_of_order", "failed", "connect_failed"):
        setattr(folded, count, sum(getattr(f, count) for f in present))
    # Pass by pass; 0 where a run failed, so that passes still line up.
    folded.runs = [f.deliveries_per_s if f else 0.0 for f in fans]
    folded.cpu_runs = [f.cpu_ms_per_command if f else 0.0 for f in fans]
    return folded


def ratios(ours: Fanout | None, theirs: Fanout | None) -> list[float]:
    """Throughput ratio pass by pass (each pair ran in the same pass), for the
    passes where both ran."""
    if ours is None or theirs is None:
        return []
    return [a / b for a, b in zip(ours.runs, theirs.runs, strict=False) if a > 0 and b > 0]


def spread(values: list[float], fmt: str) -> str:
    """`low-high` of the runs that ran (0 marks one that failed), or "" for one run."""
    ran = [v for v in values if v > 0]
    if len(ran) < 2:
        return ""
    return f"{fmt.format(min(ran))}-{fmt.format(max(ran))}"
