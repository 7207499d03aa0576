"""Websocket frames made once and written straight to each connection of a room.

A room message goes to every socket in the room as the same bytes: a server's frames
are not masked, so one frame serves every recipient. Written straight to the connection,
it skips the socket's queue, its writer task and the per-message work of the websocket
library. That is only done when it cannot change what a client receives, or in which
order: see `DirectWriter.write`; otherwise the message takes the ordinary path.

This knows uvicorn's websocket protocol (`ws="auto"` picks websockets' sans-I/O one) and
is pinned with it; with any other server or protocol nothing is written directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

_OPEN = State.OPEN


def frame(encoded: bytes | str) -> bytes:
    """An Engine.IO packet's websocket frame: binary for bytes, text for a string."""
    if isinstance(encoded, bytes):
        return Frame(Opcode.BINARY, encoded).serialize(mask=False)
    return Frame(Opcode.TEXT, encoded.encode()).serialize(mask=False)


class DirectWriter:
    """Writes ready frames to one websocket connection served by uvicorn."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol

    def write(self, data: bytes) -> bool:
        """Write `data` now, if the connection is open, has no extension that would
        change frames, and is not holding back writes for a slow reader; else False."""
        p = self._protocol
        conn = p.conn
        transport = p.transport
        if (
            p.close_sent
            or not p.handshake_complete
            or conn.state is not _OPEN
            or conn.extensions
            or not p.writable.is_set()
            or transport is None
            or transport.is_closing()
        ):
            return False
        transport.write(data)
        return True

    def held_back(self) -> bool:
        """Whether writes are held back: the client has stopped reading what was sent,
        and the connection's buffers are full."""
        return not self._protocol.writable.is_set()

    def abort(self) -> None:
        """Drop the connection at once, with whatever it still had to send: a close waits
        for a client that reads no more to take what is buffered, for ever."""
        transport = self._protocol.transport
        if transport is not None:
            transport.abort()


def direct_writer(asgi_send: Callable[..., Any] | None) -> DirectWriter | None:
    """The writer for the connection behind an ASGI `send`, when uvicorn serves it."""
    protocol = getattr(asgi_send, "__self__", None)
    if isinstance(protocol, WebSocketsSansIOProtocol):
        return DirectWriter(protocol)
    return None
