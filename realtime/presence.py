"""Who is in a room right now: ephemeral, never logged, one entry per person however
many tabs they have open, on whichever worker. Broadcasts are coalesced so a burst of
joins sends one list.

The store is in-process with one worker, and in Redis with several (`realtime/
presence_redis.py`); both keep this process's own tabs here, so a worker can always
answer with what it knows.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from realtime.publisher import RoomGate

log = structlog.get_logger("roundtable.presence")

# Joins and leaves within this window reach the room as one `presence` message.
COALESCE_SECONDS = 0.05
# And a worker sends a room at most one list per this interval: in a reconnect storm a
# room of N people would otherwise get N lists, each sent to N sockets.
MIN_INTERVAL_SECONDS = 0.5
# A room sent nothing for this many minimum intervals is forgotten: its next list goes
# out after the coalescing delay alone.
QUIET_INTERVALS = 10

_tick = itertools.count(1)


def stamp() -> float:
    """When a tab's focus was set; the person shows the focus of their latest tab. The
    counter breaks ties within one clock tick on one worker."""
    return time.time() + next(_tick) * 1e-9


@dataclass(frozen=True)
class Person:
    """Someone in a room: a participant id on /poker, a user id on /board."""

    key: str
    name: str
    role: str = ""


@dataclass(frozen=True)
class Tab:
    """One live socket of a person; `focus` is the card it looks at or edits."""

    person: Person
    focus: dict[str, Any] | None = None
    at: float = 0.0

    def wire(self) -> dict[str, Any]:
        return {
            "key": self.person.key,
            "name": self.person.name,
            "role": self.person.role,
            "focus": self.focus,
            "at": self.at,
        }

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> Tab:
        person = Person(str(raw["key"]), str(raw["name"]), str(raw.get("role", "")))
        return cls(person=person, focus=raw.get("focus"), at=float(raw.get("at", 0.0)))


@dataclass(frozen=True)
class Here:
    """A person in the room, with the focus of their most recently focused tab."""

    person: Person
    focus: dict[str, Any] | None
    tabs: int


def group(tabs: list[Tab]) -> list[Here]:
    """One entry per person, in the order of their keys' first appearance sorted by
    the caller; the latest focus wins."""
    people: dict[str, list[Tab]] = {}
    for tab in tabs:
        people.setdefault(tab.person.key, []).append(tab)
    out = []
    for same in people.values():
        latest = max(same, key=lambda t: t.at)
        out.append(Here(person=latest.person, focus=latest.focus, tabs=len(same)))
    return out


class Presence(Protocol):
    """The store of who is where; every call answers even when a shared store is down."""

    async def add(self, room: str, sid: str, person: Person) -> None: ...

    async def remove(self, room: str, sid: str) -> None: ...

    async def set_focus(self, room: str, sid: str, focus: dict[str, Any] | None) -> bool:
        """Set what this tab looks at; False when the tab is not in the room."""
        ...

    async def rename(self, room: str, person: Person) -> bool:
        """New name or role for this process's tabs of `person.key`; nobody is added."""
        ...

    async def people(self, room: str) -> list[Here]: ...

    def local_rooms(self) -> list[str]:
        """The rooms this process has sockets in."""
        ...


class LocalPresence:
    """This process's tabs; the whole truth when there is one worker."""

    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, Tab]] = {}

    async def add(self, room: str, sid: str, person: Person) -> None:
        self._rooms.setdefault(room, {})[sid] = Tab(person=person, at=stamp())

    async def remove(self, room: str, sid: str) -> None:
        tabs = self._rooms.get(room)
        if tabs is None:
            return
        tabs.pop(sid, None)
        if not tabs:
            del self._rooms[room]

    async def set_focus(self, room: str, sid: str, focus: dict[str, Any] | None) -> bool:
        tab = self._rooms.get(room, {}).get(sid)
        if tab is None:
            return False
        self._rooms[room][sid] = Tab(person=tab.person, focus=focus, at=stamp())
        return True

    async def rename(self, room: str, person: Person) -> bool:
        changed = False
        tabs = self._rooms.get(room, {})
        for sid, tab in list(tabs.items()):
            if tab.person.key == person.key and tab.person != person:
                tabs[sid] = Tab(person=person, focus=tab.focus, at=tab.at)
                changed = True
        return changed

    async def people(self, room: str) -> list[Here]:
        return group(list(self._rooms.get(room, {}).values()))

    def local_rooms(self) -> list[str]:
        return list(self._rooms)

    def tabs(self, room: str) -> dict[str, Tab]:
        return dict(self._rooms.get(room, {}))


class PresenceBroadcaster:
    """Sends a room its presence list shortly after it changes."""

    def __init__(
        self,
        send: Callable[[str, dict[str, Any]], Awaitable[None]],
        render: Callable[[str], Awaitable[dict[str, Any]]],
        delay: float = COALESCE_SECONDS,
        min_interval: float = MIN_INTERVAL_SECONDS,
    ) -> None:
        self._send = send
        self._delay = delay
        self._min_interval = min_interval
        # When each room last had its list sent, oldest first: a room sent again moves
        # to the end, so the rooms quiet long enough to forget are always at the start.
        self._last_sent: dict[str, float] = {}
        self._render = render
        self._pending: dict[str, asyncio.Task[None]] = {}
        # One render-and-send at a time per room, so the list sent last is the freshest:
        # a slow render must not overtake a later one.
        self._turns = RoomGate()

    def changed(self, room: str) -> None:
        if room not in self._pending:
            self._pending[room] = asyncio.create_task(self._flush(room))

    def _forget_quiet(self, now: float) -> None:
        """Forget the rooms sent nothing for a while: only those, from the start, so a
        flush costs the same with ten rooms or ten thousand (a storm of new rooms made
        each flush scan every room sent to in the last few seconds)."""
        quiet = []
        for room, at in self._last_sent.items():
            if now - at <= QUIET_INTERVALS * self._min_interval:
                break
            quiet.append(room)
        for room in quiet:
            del self._last_sent[room]

    async def _flush(self, room: str) -> None:
        try:
            since = time.monotonic() - self._last_sent.get(room, 0.0)
            await asyncio.sleep(max(self._delay, self._min_interval - since))
        finally:
            self._pending.pop(room, None)
        now = time.monotonic()
        self._last_sent.pop(room, None)
        self._last_sent[room] = now
        self._forget_quiet(now)
        try:
            async with self._turns.hold(room):
                await self._send(room, await self._render(room))
        except Exception:
            log.exception("presence broadcast failed", room=room)
