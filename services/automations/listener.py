"""From committed board events to queued rule runs: an after-commit listener on the bus.

The listener drops at once every event no trigger reads, and, while its brief cache says
no enabled rule lives in the event's project, every other one. Otherwise a task of its
own reads the project's enabled rules, matches each event's triggers and options against
them, and queues one job per rule and card in one transaction (plus the due-date jobs of
a card whose due date was set). The change and its acknowledgement never wait for it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

from tortoise.transactions import in_transaction

from models import AutomationRule
from services import events, jobs
from services.automations import chain, due
from services.automations.triggers import (
    DUE_DATE_REACHED,
    EVENT_TYPES,
    Occurrence,
    last_column,
    matches,
    occurrences,
)
from services.availability import is_outage
from services.boards.cards import parse_date
from services.events import Event, Fact
from services.timefmt import iso

log = logging.getLogger("roundtable.automations")

RUN_KIND = "automation_run"
BOARD_PREFIX = "board:"
# How long a worker trusts its list of projects with enabled rules. A rule saved in this
# worker is seen at once; one saved in another worker within this time.
CACHE_SECONDS = 2.0


class _Cache:
    projects: frozenset[str] = frozenset()
    until = 0.0


_tasks: set[asyncio.Task[None]] = set()
_installed = False


def forget() -> None:
    """Drop the cached list: a rule of this worker changed."""
    _Cache.until = 0.0


_refreshing: asyncio.Lock | None = None


async def _with_rules() -> frozenset[str]:
    """The projects with an enabled rule; tasks that find the list stale together read
    it once (a busy board would otherwise send one query per change)."""
    global _refreshing
    if time.monotonic() < _Cache.until:
        return _Cache.projects
    if _refreshing is None:
        _refreshing = asyncio.Lock()
    async with _refreshing:
        if time.monotonic() >= _Cache.until:
            rows = await AutomationRule.filter(enabled=True).values_list("project_id", flat=True)
            _Cache.projects = frozenset(str(p) for p in rows)
            _Cache.until = time.monotonic() + CACHE_SECONDS
    return _Cache.projects


def _project(event: Event) -> str:
    return event.room.removeprefix(BOARD_PREFIX)


async def committed(facts: list[Fact]) -> None:
    """The bus listener."""
    wanted = [
        f
        for f in facts
        if isinstance(f, Event) and f.room.startswith(BOARD_PREFIX) and f.type in EVENT_TYPES
    ]
    if not wanted:
        return
    if time.monotonic() < _Cache.until:
        wanted = [e for e in wanted if _project(e) in _Cache.projects]
        if not wanted:
            return
    # The rules whose actions made this change: read now, in the change's own task.
    running = chain.current()
    task = asyncio.create_task(_queue_all(wanted, running), name="automations:queue")
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def install() -> None:
    """Listen on the after-commit bus (once per process)."""
    global _installed
    if not _installed:
        events.subscribe(committed)
        _installed = True


async def drain() -> None:
    """Wait for runs still being queued (at shutdown, and in tests)."""
    while _tasks:
        await asyncio.wait(list(_tasks))


async def _queue_all(wanted: list[Event], running: tuple[str, ...]) -> None:
    try:
        projects = await _with_rules()
        planned: list[tuple[AutomationRule, Occurrence, Event]] = []
        dues: list[tuple[str, str, Any]] = []
        by_project: dict[str, list[AutomationRule]] = {}
        done_columns: dict[str, str | None] = {}
        for event in wanted:
            pid = _project(event)
            if pid not in projects:
                continue
            if pid not in by_project:
                by_project[pid] = list(
                    await AutomationRule.filter(project_id=uuid.UUID(pid), enabled=True)
                )
                done_columns[pid] = await last_column(pid)
            rules = by_project[pid]
            dues += _due_changes(event, rules)
            for occurrence in occurrences(event, done_columns[pid]):
                for rule in rules:
                    if rule.trigger != occurrence.trigger or str(rule.id) in running:
                        continue
                    if _own(event, rule) or not matches(rule.trigger_options, occurrence):
                        continue
                    planned.append((rule, occurrence, event))
        if not planned and not dues:
            return
        async with in_transaction():
            for rule, occurrence, event in planned:
                await queue_run(rule, occurrence, event, running)
            for pid, card_id, when in dues:
                await due.plan(pid, card_id, when)
    except Exception as exc:
        if is_outage(exc):
            name = type(exc).__name__
            log.warning("could not queue automations (%s): database unreachable", name)
        else:
            log.exception("could not queue automations; the change stands")


def _own(event: Event, rule: AutomationRule) -> bool:
    actor = event.actor or {}
    return actor.get("kind") == "automation" and actor.get("id") == str(rule.id)


def _due_changes(event: Event, rules: list[AutomationRule]) -> list[tuple[str, str, Any]]:
    """A card whose due date was set, in a project with a due-date rule: plan it."""
    if not any(r.trigger == DUE_DATE_REACHED for r in rules):
        return []
    card = event.data.get("card")
    if not isinstance(card, dict) or not card.get("dueDate") or card.get("archived"):
        return []
    if event.type == "card_updated" and "dueDate" not in event.data.get("fields", ()):
        return []
    if event.type not in ("card_created", "card_updated", "card_restored"):
        return []
    return [(_project(event), str(card["id"]), parse_date(card["dueDate"]))]


async def queue_run(
    rule: AutomationRule,
    occurrence: Occurrence,
    event: Event | None,
    running: tuple[str, ...],
    *,
    by: dict[str, Any] | None = None,
) -> None:
    """One run of `rule` on the occurrence's card; call inside a transaction."""
    described: dict[str, Any] = {"trigger": occurrence.trigger, **occurrence.details}
    if event is not None:
        described |= {"type": event.type, "seq": event.seq, "at": iso(event.at)}
        by = event.actor
    payload = {
        "rule": str(rule.id),
        "card": occurrence.card_id,
        "event": described,
        "by": by,
        "chain": list(running),
    }
    await jobs.enqueue(
        RUN_KIND, payload, subject=f"automation:{rule.id}", ref=occurrence.card_id, max_attempts=1
    )
