"""Emits committed room events to their Socket.IO room, in seq order."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from services.events import Event, Fact

NAMESPACES = {"poker": "/poker", "board": "/board"}
NAMESPACES["document"] = "/document"
NAMESPACES["workspace"] = "/workspace"

# The seqs published by the current command, for its log line.
_published: ContextVar[list[int] | None] = ContextVar("published", default=None)


def namespace_of(room: str) -> str:
    return NAMESPACES[room.split(":", 1)[0]]


@contextmanager
def published_seqs() -> Iterator[list[int]]:
    """Collect the seqs this task publishes (the publisher runs in the caller's task)."""
    seqs: list[int] = []
    reset = _published.set(seqs)
    try:
        yield seqs
    finally:
        _published.reset(reset)


class RoomGate:
    """One lock per room, held while events go out and while a socket receives its
    first `state`, so in this process `state` comes first and the events that follow
    are exactly those after it. Presence has a gate of its own, so that one room's
    lists are read and sent one at a time (realtime/presence.py).

    A room's lock is kept while someone holds it or waits for it, and dropped after:
    every event goes through here, and a generator-based context manager and a weak
    dictionary cost it 3 µs, against 1 µs for this."""

    def __init__(self) -> None:
        # Each room's lock, with how many hold it or wait for it.
        self._locks: dict[str, _Entry] = {}

    def hold(self, room: str) -> _Hold:
        return _Hold(self._locks, room)

    def rooms_held(self) -> int:
        """How many rooms have a lock now (for tests: none once everyone let go)."""
        return len(self._locks)


class _Entry:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class _Hold:
    """`async with gate.hold(room)`: the room's lock, held for the block."""

    __slots__ = ("_entry", "_locks", "_room")

    def __init__(self, locks: dict[str, _Entry], room: str) -> None:
        self._locks = locks
        self._room = room
        self._entry: _Entry | None = None

    async def __aenter__(self) -> None:
        entry = self._locks.get(self._room)
        if entry is None:
            entry = self._locks[self._room] = _Entry()
        entry.users += 1
        self._entry = entry
        try:
            await entry.lock.acquire()
        except BaseException:
            self._leave(entry)
            raise

    async def __aexit__(self, *exc: object) -> None:
        entry = self._entry
        assert entry is not None
        entry.lock.release()
        self._leave(entry)

    def _leave(self, entry: _Entry) -> None:
        entry.users -= 1
        if entry.users == 0 and self._locks.get(self._room) is entry:
            del self._locks[self._room]


class RoomPublisher:
    """Takes anything with python-socketio's `emit(event, data, room=, namespace=)`: the
    server, or a write-only Redis manager in a process that only publishes."""

    def __init__(self, sio: Any, gate: RoomGate | None = None) -> None:
        self.sio = sio
        self.gate = gate or RoomGate()

    async def __call__(self, facts: Sequence[Fact]) -> None:
        """An after-commit listener: emits the room events among `facts`, in order."""
        seqs = _published.get()
        for event in facts:
            if not isinstance(event, Event):
                continue
            async with self.gate.hold(event.room):
                await self.sio.emit(
                    "event", event.wire(), room=event.room, namespace=namespace_of(event.room)
                )
            if seqs is not None:
                seqs.append(event.seq)
