"""Engine.IO sessions that answer undecodable input on either transport with one log
line and close only themselves, without waiting for a poll that may never come."""

from __future__ import annotations

import asyncio
import binascii
from typing import Any

import engineio
import structlog
from engineio import async_socket as eio_socket
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio import payload as eio_payload

from realtime.frames import DirectWriter, direct_writer

log = structlog.get_logger("roundtable.socket")

MAX_PACKET_BYTES = 256 * 1024

# What a client may send: close, ping (the upgrade's probe), pong, message and upgrade.
_CLIENT_PACKETS = frozenset(
    (eio_packet.CLOSE, eio_packet.PING, eio_packet.PONG, eio_packet.MESSAGE, eio_packet.UPGRADE)
)


def _decodable(frame: Any) -> bool:
    """Whether `frame` decodes as an Engine.IO packet a client may send."""
    if isinstance(frame, bytes):
        return len(frame) > 0
    if not isinstance(frame, str) or not frame:
        return False
    if frame[0] == "b":
        try:
            binascii.a2b_base64(frame[1:], strict_mode=True)
        except (binascii.Error, ValueError):
            return False
        return True
    return frame[0].isdigit() and int(frame[0]) in _CLIENT_PACKETS


class _CheckedFrames:
    """Engine.IO's websocket, handing its read loop only frames it can decode.

    Engine.IO decodes a frame outside its own error handling, so an empty frame or a
    `z` ended the connection with a traceback. Here it is one warning line: the session
    is closed (the client gets Engine.IO's close packet), and the OSError ends the read
    loop as a vanished client does.
    """

    def __init__(self, ws: Any, sock: Any) -> None:
        self._ws = ws
        self._sock = sock

    async def wait(self) -> Any:
        frame = await self._ws.wait()
        if _decodable(frame) and len(frame) <= MAX_PACKET_BYTES:
            return frame
        log.warning("malformed frame; closing the connection", transport="websocket")
        await self._sock.close(wait=False, reason=self._sock.server.reason.SERVER_DISCONNECT)
        raise OSError("malformed frame")

    async def send(self, message: Any) -> None:
        await self._ws.send(message)

    async def close(self) -> None:
        await self._ws.close()


class EngineSocket(eio_socket.AsyncSocket):  # type: ignore[misc]
    """An Engine.IO session that answers undecodable input on either transport with one
    log line, and closes only itself; on a websocket it takes ready frames directly."""

    # Set on a websocket served by uvicorn (see realtime/frames.py).
    _direct: DirectWriter | None = None
    # True while the websocket's writer waits on an empty queue: nothing is on its way
    # to the client, so a frame written directly cannot overtake anything.
    _writer_idle = False

    def write_now(self, data: bytes) -> bool:
        """Write a ready websocket frame straight to the client, when nothing queued or
        being sent can come before it; False when it must be queued instead."""
        if self._direct is None or not self._writer_idle or self.closed or self.closing:
            return False
        if not self.queue.empty():
            return False
        return self._direct.write(data)

    async def handle_post_request(self, environ: dict[str, Any]) -> None:
        # Engine.IO's own, with the decoding checked: a failure here logged a traceback
        # and left the session open. EngineIOError makes the server close the session
        # and answer 400.
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= self.server.max_http_buffer_size:
            log.warning("polling payload refused; closing the connection", bytes=length)
            raise eio_exceptions.ContentTooLongError()
        body = await environ["wsgi.input"].read(length)
        try:
            packets = eio_payload.Payload(encoded_payload=body.decode("utf-8")).packets
            known = all(p.packet_type in _CLIENT_PACKETS for p in packets)
        except (ValueError, IndexError, KeyError, TypeError):
            known = False
        if not known:
            log.warning("malformed polling payload; closing the connection")
            raise eio_exceptions.EngineIOError()
        for pkt in packets:
            await self.receive(pkt)

    async def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        was_open = not self.closed and not self.closing
        await super().close(wait=wait, abort=abort, reason=reason)
        if abort and was_open and not self.upgraded:
            # The client closed the session itself: answer the poll it still has pending
            # at once instead of at the ping timeout, 15 s later.
            self.queue.put_nowait(None)

    async def _websocket_handler(self, ws: Any) -> None:
        self._direct = direct_writer(getattr(ws, "asgi_send", None))
        try:
            await super()._websocket_handler(_CheckedFrames(ws, self))
        finally:
            self._direct = None
            self._writer_idle = False

    async def poll(self) -> list[Any]:
        """The packets to send next: Engine.IO's own, without a task and a timer per wait.

        A socket's writer polls once for every message it sends, and `asyncio.wait_for`
        starts a task for each call on Python 3.11. A websocket's writer waits with no
        timeout: its reader ends it (with None) when the connection goes. A long-poll
        still returns empty after the ping interval and timeout."""
        queue = self.queue
        if queue.empty():
            try:
                if self.upgraded:
                    self._writer_idle = True
                    try:
                        first = await queue.get()
                    finally:
                        self._writer_idle = False
                else:
                    async with asyncio.timeout(
                        self.server.ping_interval + self.server.ping_timeout
                    ):
                        first = await queue.get()
            except (TimeoutError, asyncio.CancelledError):
                raise eio_exceptions.QueueEmpty() from None
        else:
            first = queue.get_nowait()
        queue.task_done()
        if first is None:
            return []
        packets = [first]
        while not queue.empty():
            pkt = queue.get_nowait()
            queue.task_done()
            if pkt is None:
                queue.put_nowait(None)
                break
            packets.append(pkt)
        return packets


class EngineServer(engineio.AsyncServer):  # type: ignore[misc]
    """Engine.IO, with sessions that check their input and close without waiting.

    Engine.IO's `disconnect` waits until the client has collected the close packet. A
    polling client collects it only with its next GET, so a disconnect made while
    answering its POST (a packet it cannot decode, a body too large) held that POST,
    and the memory behind it, for good, and kept the server from shutting down.
    """

    async def disconnect(self, sid: str | None = None) -> None:
        for eio_sid in [sid] if sid is not None else list(self.sockets):
            sock = self.sockets.get(eio_sid)
            if sock is None:
                continue
            await sock.close(wait=False, reason=self.reason.SERVER_DISCONNECT)
            # Behind the close packet: a websocket's writer sends it, then ends and
            # closes the websocket; a pending poll returns it.
            sock.queue.put_nowait(None)
            self.sockets.pop(eio_sid, None)

    async def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "connect":
            # Engine.IO has no setting for its session class: a new session becomes one
            # of ours here, before it reads its first packet.
            sock = self.sockets.get(args[0])
            if type(sock) is eio_socket.AsyncSocket:
                sock.__class__ = EngineSocket
        return await super()._trigger_event(event, *args, **kwargs)
