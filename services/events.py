"""The room event log and the publisher hook.

A service appends events inside its transaction; they reach the publisher only
after the commit, so a change is never broadcast (or acknowledged) before it is
durable.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from models import Room, RoomEvent
from services.actors import Actor
from services.timefmt import iso

log = logging.getLogger("roundtable.events")

# How far back `sync` replays before it answers with a snapshot instead.
REPLAY_LIMIT = 500


@dataclass(frozen=True)
class Event:
    room: str
    seq: int
    type: str
    data: dict[str, Any]
    actor: dict[str, Any] | None
    at: datetime

    def wire(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": self.type,
            "data": self.data,
            "actor": self.actor,
            "at": iso(self.at),
        }


Publisher = Callable[[list[Event]], Awaitable[None]]
_publishers: list[Publisher] = []


def add_publisher(publisher: Publisher) -> None:
    _publishers.append(publisher)


def remove_publisher(publisher: Publisher) -> None:
    if publisher in _publishers:
        _publishers.remove(publisher)


async def publish(events: list[Event]) -> None:
    """Hand committed events to every publisher; the log stays the truth if one fails."""
    if not events:
        return
    for publisher in list(_publishers):
        try:
            await publisher(events)
        except Exception:
            log.exception("publisher failed; clients will recover through sync")


class UnitOfWork:
    """The events a service appends inside one transaction."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def lock(self, room: str, *, create: bool = False) -> bool:
        """Serialize writers of a room (a row lock on PostgreSQL; SQLite transactions
        are serial already). False when the room does not exist and `create` is off."""
        row = await Room.filter(key=room).select_for_update().first()
        if row is None:
            if not create:
                return False
            await Room.create(key=room, seq=0)
        return True

    async def emit(self, room: str, type: str, data: dict[str, Any], actor: Actor | None) -> Event:
        seq = await _next_seq(room)
        if seq is None:
            await Room.create(key=room, seq=1)
            seq = 1
        at = datetime.now(UTC)
        wire_actor = actor.wire() if actor else None
        await RoomEvent.create(room=room, seq=seq, type=type, data=data, actor=wire_actor, at=at)
        event = Event(room=room, seq=seq, type=type, data=data, actor=wire_actor, at=at)
        self.events.append(event)
        return event


async def _next_seq(room: str) -> int | None:
    """Hand out the room's next seq in one statement (UPDATE … RETURNING, which SQLite
    3.35+ and PostgreSQL both speak); None when the room has no row yet."""
    conn = connections.get("default")  # the transaction's connection, inside one
    mark = "$1" if conn.capabilities.dialect == "postgres" else "?"
    # execute_query_dict always fetches; execute_query drops an UPDATE's rows on asyncpg.
    rows = await conn.execute_query_dict(
        f"UPDATE rooms SET seq = seq + 1 WHERE key = {mark} RETURNING seq", [room]
    )
    return int(rows[0]["seq"]) if rows else None


@asynccontextmanager
async def unit_of_work() -> AsyncIterator[UnitOfWork]:
    """One transaction; its events are published once it has committed."""
    uow = UnitOfWork()
    async with in_transaction():
        yield uow
    await publish(uow.events)


async def current_seq(room: str) -> int:
    row = await Room.filter(key=room).first()
    return int(row.seq) if row else 0


async def current_seqs(rooms: list[str]) -> dict[str, int]:
    """The last seq handed out in each of `rooms`, in one read; rooms with no events
    yet are left out."""
    if not rooms:
        return {}
    rows = await Room.filter(key__in=rooms).values_list("key", "seq")
    return {str(key): int(seq) for key, seq in rows}


async def events_since(room: str, since: int) -> list[Event] | None:
    """The events after `since`, in order, or None when they are no longer replayable."""
    head = await current_seq(room)
    if since < 0 or since > head or head - since > REPLAY_LIMIT:
        return None
    rows = await RoomEvent.filter(room=room, seq__gt=since, seq__lte=head).order_by("seq")
    if len(rows) != head - since:
        return None
    return [
        Event(room=r.room, seq=int(r.seq), type=r.type, data=r.data, actor=r.actor, at=r.at)
        for r in rows
    ]
