"""Loop protection: the rules whose actions are running in this task.

A rule's actions go through the board services, whose after-commit listeners run in the
same task; the listener reads here which rules led to the change. A rule already in the
chain is not run again (its own changes never re-trigger it, nor does a cycle), and a
chain stops at `MAX_DEPTH` rules, the next one traced as skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

MAX_DEPTH = 3

_running: ContextVar[tuple[str, ...]] = ContextVar("automation_chain", default=())


def current() -> tuple[str, ...]:
    """The rules, first to last, whose actions made the change being handled."""
    return _running.get()


@contextmanager
def acting(chain: tuple[str, ...], rule_id: str) -> Iterator[None]:
    token = _running.set((*chain, rule_id))
    try:
        yield
    finally:
        _running.reset(token)
