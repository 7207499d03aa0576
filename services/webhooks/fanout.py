"""From committed facts to queued deliveries: an after-commit listener on the bus.

The listener itself never touches the database: it drops a change no webhook can want
(a vote, a presence change) and, while its brief cache says no active webhook picked
the event, every other; otherwise it hands the facts to a task of its own, which reads
the webhooks that should hear them and queues a delivery and a job for each, in one
transaction of its own. The change's transaction and its acknowledgement never wait for any of it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

from tortoise.transactions import in_transaction

from models import PokerSession, Webhook, WebhookDelivery
from services import events, jobs, sql
from services.availability import is_outage
from services.events import Event, Fact, SessionCreated
from services.timefmt import iso
from services.webhooks import access
from services.webhooks.catalog import BOARD_PREFIX, POKER_PREFIX, event_name

log = logging.getLogger("roundtable.webhooks")

JOB_KIND = "webhook_delivery"
# Tries per delivery: the first and four retries (2 s, 4 s, 8 s, 16 s by default).
MAX_ATTEMPTS = 5

# How long a worker trusts its list of the events some active webhook picked. A webhook
# saved in this worker is seen at once; one saved in another worker within this time.
CACHE_SECONDS = 2.0


class _Cache:
    picked: frozenset[str] = frozenset()
    until = 0.0


_tasks: set[asyncio.Task[None]] = set()
_installed = False


def forget() -> None:
    """Drop the cached list: a webhook of this worker changed."""
    _Cache.until = 0.0


async def _picked() -> frozenset[str]:
    if time.monotonic() >= _Cache.until:
        chosen: set[str] = set()
        for row in await Webhook.filter(active=True).values_list("events", flat=True):
            chosen.update(row)
        _Cache.picked = frozenset(chosen)
        _Cache.until = time.monotonic() + CACHE_SECONDS
    return _Cache.picked


async def committed(facts: list[Fact]) -> None:
    """The bus listener."""
    wanted = [(name, fact) for fact in facts if (name := event_name(fact)) is not None]
    if not wanted:
        return
    if time.monotonic() < _Cache.until:
        wanted = [(name, fact) for name, fact in wanted if name in _Cache.picked]
        if not wanted:
            return
    # Past this point the work is the task's: not even the cache is read here.
    task = asyncio.create_task(_queue_all(wanted), name="webhooks:fanout")
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def install() -> None:
    """Listen on the after-commit bus (once per process)."""
    global _installed
    if not _installed:
        events.subscribe(committed)
        _installed = True


async def drain() -> None:
    """Wait for deliveries still being queued (at shutdown, and in tests)."""
    while _tasks:
        await asyncio.wait(list(_tasks))


async def _queue_all(wanted: list[tuple[str, Fact]]) -> None:
    try:
        picked = await _picked()
        known: dict[Any, list[Webhook]] = {}
        planned = []
        for name, fact in wanted:
            if name not in picked:
                continue
            recipients = await _recipients(name, fact, known)
            if recipients:
                payload = await _payload(name, fact)
                event_id = uuid.UUID(payload["id"])
                planned += [(hook_id, event_id, name, payload) for hook_id in recipients]
        if not planned:
            return
        async with in_transaction():
            for hook_id, event_id, name, payload in planned:
                await queue(hook_id, event_id, name, payload)
    except Exception as exc:
        if is_outage(exc):
            # One line, not a traceback: the database is down, not the code wrong.
            log.warning(
                "could not queue webhook deliveries (%s): database unreachable", type(exc).__name__
            )
        else:
            log.exception("could not queue webhook deliveries; the change stands")


_ORG_WEBHOOKS = (
    "SELECT w.id FROM webhooks w"
    " JOIN org_members om ON om.user_id = w.owner_id"
    " JOIN workspaces ws ON ws.org_id = om.org_id"
    " JOIN projects p ON p.workspace_id = ws.id"
    " WHERE p.id = ? AND w.active"
)


async def _active(**where: Any) -> list[Webhook]:
    return list(await Webhook.filter(active=True, **where).order_by("id"))


async def _hearers(fact: Fact) -> list[Webhook]:
    """The active webhooks that may hear `fact`'s room: those of the poker session's
    owner, or of the people who may read the board's project."""
    if isinstance(fact, SessionCreated):
        return await _active(owner_id=fact.owner_id)
    assert isinstance(fact, Event)
    if fact.room.startswith(POKER_PREFIX):
        code = fact.room.removeprefix(POKER_PREFIX)
        owner = await PokerSession.filter(code=code).values_list("owner_id", flat=True)
        return await _active(owner_id=owner[0]) if owner else []
    project_id = fact.room.removeprefix(BOARD_PREFIX)
    # Whoever may read a project is a member of its organization: the webhooks of those
    # members are the candidates, and the board's own rule decides among them.
    found = await sql.rows(_ORG_WEBHOOKS, project_id)
    hooks = await _active(id__in=[r["id"] for r in found]) if found else []
    readers: dict[uuid.UUID, bool] = {}
    for hook in hooks:
        if hook.owner_id not in readers:
            readers[hook.owner_id] = await access.reads_project(hook.owner_id, project_id)
    return [h for h in hooks if readers[h.owner_id]]


async def _recipients(name: str, fact: Fact, known: dict[Any, list[Webhook]]) -> list[int]:
    """The ids of the webhooks that picked `name` and may hear `fact`; `known` keeps
    each room's answer for the rest of the batch (an import adds many stories at once)."""
    key: Any
    if isinstance(fact, SessionCreated):
        key = ("created", fact.owner_id)
    else:
        assert isinstance(fact, Event)
        key = fact.room
    if key not in known:
        known[key] = await _hearers(fact)
    return [h.id for h in known[key] if name in h.events]


async def _payload(name: str, fact: Fact) -> dict[str, Any]:
    """The JSON body every webhook that hears `fact` receives."""
    event_id = str(uuid.uuid4())
    if isinstance(fact, SessionCreated):
        return {
            "id": event_id,
            "event": name,
            "created_at": fact.session.get("created_at"),
            "session": {"code": fact.code},
            "actor": fact.actor.wire() if fact.actor else None,
            "data": {"session": fact.session},
        }
    assert isinstance(fact, Event)
    body: dict[str, Any] = {"id": event_id, "event": name, "created_at": iso(fact.at)}
    if fact.room.startswith(POKER_PREFIX):
        body["session"] = {"code": fact.room.removeprefix(POKER_PREFIX)}
    else:
        body["project"] = {"id": fact.room.removeprefix(BOARD_PREFIX)}
    body.update(seq=fact.seq, actor=fact.actor, data=fact.data)
    return body


async def queue(
    webhook_id: int,
    event_id: uuid.UUID,
    event: str,
    payload: dict[str, Any],
    *,
    redelivery_of: int | None = None,
) -> WebhookDelivery:
    """A delivery and the job that sends it; call inside a transaction."""
    row = await WebhookDelivery.create(
        webhook_id=webhook_id,
        event_id=event_id,
        event=event,
        payload=payload,
        redelivery_of=redelivery_of,
    )
    await jobs.enqueue(
        JOB_KIND,
        {"delivery": row.id},
        subject=f"webhook:{webhook_id}",
        ref=str(row.id),
        max_attempts=MAX_ATTEMPTS,
    )
    return row
