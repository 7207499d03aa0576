"""Emits committed room events to their Socket.IO room, in seq order."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
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
    are exactly those after it."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def hold(self, room: str) -> AsyncIterator[None]:
        lock = self._locks.get(room)
        if lock is None:
            lock = self._locks[room] = asyncio.Lock()
        async with lock:
            yield


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
