"""Emits committed room events to their Socket.IO room, in seq order."""

from __future__ import annotations

from typing import Any

from services.events import Event

NAMESPACES = {"poker": "/poker", "board": "/board"}


def namespace_of(room: str) -> str:
    return NAMESPACES[room.split(":", 1)[0]]


class RoomPublisher:
    def __init__(self, sio: Any) -> None:
        self.sio = sio

    async def __call__(self, events: list[Event]) -> None:
        for event in events:
            await self.sio.emit(
                "event", event.wire(), room=event.room, namespace=namespace_of(event.room)
            )
