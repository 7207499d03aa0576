"""Who is in a room right now: ephemeral, never logged, one entry per person however
many tabs they have open. Broadcasts are coalesced so a burst of joins sends one list."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

log = structlog.get_logger("roundtable.presence")

# Joins and leaves within this window reach the room as one `presence` message.
COALESCE_SECONDS = 0.05


@dataclass(frozen=True)
class Member:
    participant_id: int
    name: str
    role: str

    def wire(self) -> dict[str, Any]:
        return {
            "participant_id": self.participant_id,
            "name": self.name,
            "role": self.role,
            "state": "online",
            "focus": None,
        }


class Presence(Protocol):
    """The store; in-process here, shared (Redis) when several workers serve a room."""

    async def add(self, room: str, sid: str, member: Member) -> None: ...

    async def remove(self, room: str, sid: str) -> None: ...

    async def members(self, room: str) -> list[Member]: ...

    async def update(self, room: str, member: Member) -> None:
        """New name or role for someone already here; nobody is added."""
        ...


class LocalPresence:
    def __init__(self) -> None:
        self._rooms: dict[str, dict[int, tuple[Member, set[str]]]] = defaultdict(dict)

    async def add(self, room: str, sid: str, member: Member) -> None:
        people = self._rooms[room]
        _, sids = people.get(member.participant_id, (member, set()))
        sids.add(sid)
        people[member.participant_id] = (member, sids)

    async def remove(self, room: str, sid: str) -> None:
        people = self._rooms.get(room)
        if people is None:
            return
        for pid, (_, sids) in list(people.items()):
            sids.discard(sid)
            if not sids:
                del people[pid]
        if not people:
            del self._rooms[room]

    async def members(self, room: str) -> list[Member]:
        people = self._rooms.get(room, {})
        return [people[pid][0] for pid in sorted(people)]

    async def update(self, room: str, member: Member) -> None:
        people = self._rooms.get(room, {})
        if member.participant_id in people:
            people[member.participant_id] = (member, people[member.participant_id][1])


def payload(members: list[Member]) -> dict[str, Any]:
    return {"participants": [m.wire() for m in members]}


class PresenceBroadcaster:
    """Sends a room its presence list shortly after it changes."""

    def __init__(
        self,
        presence: Presence | None,
        send: Callable[[str, dict[str, Any]], Awaitable[None]],
        delay: float = COALESCE_SECONDS,
        *,
        render: Callable[[str], Awaitable[dict[str, Any]]] | None = None,
    ) -> None:
        self._presence = presence
        self._send = send
        self._delay = delay
        # A namespace with its own presence shape renders the room's message itself.
        self._render = render
        self._pending: dict[str, asyncio.Task[None]] = {}
        # One render-and-send at a time per room, so the list sent last is the freshest:
        # a slow render must not overtake a later one. (lock, flushes using it)
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def changed(self, room: str) -> None:
        if room not in self._pending:
            self._pending[room] = asyncio.create_task(self._flush(room))

    async def _flush(self, room: str) -> None:
        try:
            await asyncio.sleep(self._delay)
        finally:
            self._pending.pop(room, None)
        lock, users = self._locks.get(room, (asyncio.Lock(), 0))
        self._locks[room] = (lock, users + 1)
        try:
            async with lock:
                if self._render is not None:
                    body = await self._render(room)
                else:
                    assert self._presence is not None
                    body = payload(await self._presence.members(room))
                await self._send(room, body)
        except Exception:
            log.exception("presence broadcast failed", room=room)
        finally:
            lock, users = self._locks[room]
            if users <= 1:
                del self._locks[room]
            else:
                self._locks[room] = (lock, users - 1)
