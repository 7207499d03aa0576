"""Engine.IO sessions that answer undecodable input on either transport with one log
line and close only themselves, without waiting for a poll that may never come."""

from __future__ import annotations

import asyncio
import binascii
import time
from typing import Any

import engineio
import structlog
from engineio import async_socket as eio_socket
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio import payload as eio_payload

from realtime.frames import DirectWriter, direct_writer, frame
from realtime.handshake import read_request, slim
from realtime.pings import ANSWER_DUE, PING_DUE, Heartbeat, Silence
from realtime.queues import LeanQueue

log = structlog.get_logger("roundtable.socket")

MAX_PACKET_BYTES = 256 * 1024
# How often the server sends the pings due and closes the sessions of silent clients.
SWEEP_SECONDS = 1.0
# A websocket client this many messages behind has stopped reading, or reads far slower
# than its room talks: its connection is dropped, and it catches up with `sync` when it
# connects again. The messages themselves are shared by the room's queues; the bound is
# on how long one client can keep them alive.
MAX_QUEUED = 1000
_PING = eio_packet.Packet(eio_packet.PING)
_PING_FRAME = frame(_PING.encode())

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
    # True while the websocket's writer waits on an empty queue, or none is needed:
    # nothing is on its way to the client, so a frame written directly cannot overtake
    # anything.
    _writer_idle = False
    # A session opened on a websocket: the websocket, and the writer started only while
    # something is queued for it.
    _ws: _CheckedFrames | None = None
    _writer: asyncio.Task[None] | None = None
    # Set once the websocket was aborted because the client stopped reading.
    _dropped = False

    # When the last ping went out, while its answer is awaited (Engine.IO's).
    last_ping: float | None
    # The request that opened the session, until a websocket has been accepted on it.
    _opening: dict[str, Any] | None = None

    def schedule_ping(self) -> None:
        """Engine.IO starts a task per session that sleeps until the next ping; here the
        server's heartbeat sends it when it is due (see `Heartbeat`)."""
        if self.last_ping:
            self.last_ping = None
            self.server.heartbeat.due(time.time() + self.server.ping_interval, self, PING_DUE)

    async def ping(self, now: float) -> None:
        """Send the ping due now; its answer is awaited for the ping timeout."""
        if self.last_ping is not None or self.closing or self.closed:
            return
        self.last_ping = now
        self.server.heartbeat.due(now + self.server.ping_timeout, self, ANSWER_DUE)
        if not self.write_now(_PING_FRAME):
            await self.send(_PING)

    async def check_answer(self, now: float) -> None:
        """Close the session when the last ping has gone unanswered for the ping timeout:
        a half-open connection is found out this way."""
        if self.closing or self.closed or not self.last_ping:
            return
        if now - self.last_ping >= self.server.ping_timeout:
            await self.close(wait=False, abort=False, reason=self.server.reason.PING_TIMEOUT)
            # Behind the close packet: the writer ends, and closes the websocket.
            self.queue.put_nowait(None)
            # Unless the client reads nothing any more: then the close could never be
            # written, and the writer and the connection would wait for ever.
            self._drop_if_held_back("client stopped reading; connection dropped")

    async def send(self, pkt: Any) -> None:
        """Engine.IO's, written straight to the websocket when nothing queued or being sent
        can come before it (an ack, a message to one socket); queued otherwise. Queued,
        each costs a wake-up of the socket's writer and the websocket library's send."""
        if self._direct is not None and self._writer_idle and not self._ping_overdue():
            encoded = pkt.encode()
            if isinstance(encoded, bytes | str) and self.write_now(frame(encoded)):
                return
        await super().send(pkt)

    def _ping_overdue(self) -> bool:
        """Engine.IO's check before each send: the last ping went unanswered too long
        (then its own `send` closes the session)."""
        last = self.last_ping
        return last is not None and last > 0 and time.time() - last > self.server.ping_timeout

    def write_now(self, data: bytes) -> bool:
        """Write a ready websocket frame straight to the client, when nothing queued or
        being sent can come before it; False when it must be queued instead."""
        direct = self._direct
        if direct is None or not self._writer_idle or self.closed or self.closing:
            return False
        if not self.queue.empty():
            return False
        return direct.write(data)

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
        frames = _CheckedFrames(ws, self)
        try:
            if self.connected:
                # An upgrade from long-polling: Engine.IO's own handshake and loop, and
                # its writer; a client too far behind is let go here too.
                self.queue.on_put = self._let_go_if_behind
                try:
                    await super()._websocket_handler(frames)
                finally:
                    self.queue.on_put = None
                    if self._dropped:
                        # What its closing queued behind the abort can never be sent.
                        self._drop_queued()
            else:
                await self._serve_websocket(frames)
        finally:
            self._direct = None
            self._writer_idle = False

    async def _serve_websocket(self, ws: _CheckedFrames) -> None:
        """A session opened on a websocket: Engine.IO's read loop, reading each frame in
        the handler's own task. Engine.IO's starts a task and a timed wait for every
        read, so each idle socket held one more task, and each frame, a ping's answer
        included, started one. Nor does a writer task wait on each idle socket's queue
        (about 1.4 KB each): one runs only while something is queued. The heartbeat
        closes a client that stops answering; the `Silence` below only ends a connection
        that outlived its close."""
        if self._opening is not None:
            slim(self._opening)
            self._opening = None
        self.connected = True
        self.upgraded = True
        # No writer task waits on the queue: sends are written directly, and a writer
        # starts only when something had to be queued (see `_writer_needed`).
        self._ws = ws
        self._writer_idle = True
        self.queue.on_put = self._writer_needed
        if not self.queue.empty():
            self._writer_needed()
        silence = Silence(
            self.server.ping_interval + self.server.ping_timeout, self.server.heartbeat
        )
        try:
            while True:
                try:
                    frame = await ws.wait()
                except (OSError, ValueError):
                    break
                if frame is None:
                    break
                silence.heard()
                try:
                    if type(frame) is bytes:
                        # A binary frame is one whole message: to Socket.IO at once, as
                        # Engine.IO's `receive` hands it (its handlers run inline).
                        await self.server.handlers["message"](self.sid, frame)
                        continue
                    await self.receive(eio_packet.Packet(encoded_packet=frame))
                except eio_exceptions.UnknownPacketError:
                    pass
                except eio_exceptions.SocketIsClosedError:
                    break
                except Exception:
                    log.exception("websocket packet failed")
        except asyncio.CancelledError:
            if not silence.ended():
                raise
        finally:
            silence.stop()
            # The writer sends what is queued, then closes the websocket at the None;
            # to a client that reads no more, nothing can be sent: it is let go at once.
            self.queue.put_nowait(None)
            if self._writer is not None:
                self._drop_if_held_back("client left without reading; connection dropped")
                await self._writer
            self.queue.on_put = None
            self._ws = None
            await self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)

    def _writer_needed(self) -> None:
        """Something was queued: start the writer that sends it, unless one is running.
        A client too far behind is let go."""
        if self._writer is None and self._ws is not None:
            self._writer_idle = False
            self._writer = asyncio.get_running_loop().create_task(self._drain(self._ws))
        else:
            self._let_go_if_behind()

    def _let_go_if_behind(self) -> None:
        if self.queue.qsize() > MAX_QUEUED and not self._dropped:
            self._drop("client too slow; connection dropped")

    def _drop_if_held_back(self, why: str) -> None:
        if self._direct is not None and self._direct.held_back() and not self._dropped:
            self._drop(why)

    def _drop(self, why: str) -> None:
        """Abort the websocket, with what it still had to send, and drop what is queued:
        none of it can reach the client now. The writer, waiting for the client to
        read, wakes and finds the connection gone; the reader ends, and the session
        closes as for a vanished client."""
        if self._direct is None:
            return
        self._dropped = True
        log.warning(why, sid=self.sid, queued=self.queue.qsize())
        self._direct.abort()
        self._drop_queued()

    async def _drain(self, ws: _CheckedFrames) -> None:
        """Send what is queued, in order, and end once the queue is empty; at a None, or
        when a send fails, close the websocket and take nothing more."""
        queue = self.queue
        try:
            while not queue.empty():
                pkt = queue.get_nowait()
                queue.task_done()
                if pkt is None:
                    await self._finish(ws)
                    return
                try:
                    await ws.send(pkt.encode())
                except Exception:
                    await self._finish(ws)
                    return
        finally:
            self._writer = None
            self._writer_idle = self._ws is not None and queue.empty()

    async def _finish(self, ws: _CheckedFrames) -> None:
        """The websocket is done: what is queued, now or later, will never be sent, and
        is dropped at once, so that a close waiting for the queue to empty does not wait
        for ever."""
        self._ws = None
        self.queue.on_put = self._drop_queued
        self._drop_queued()
        await ws.close()

    def _drop_queued(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()
            self.queue.task_done()

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Its own copy of the driver's table, with websocket requests read leanly.
        driver: dict[str, Any] = self.__dict__["_async"]
        self._async = {**driver, "translate_request": read_request}

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

    def create_queue(self, *args: Any, **kwargs: Any) -> LeanQueue:
        """Each session's queue of what goes to the client (see realtime/queues.py)."""
        return LeanQueue()

    @property
    def heartbeat(self) -> Heartbeat:
        found: Heartbeat | None = self.__dict__.get("_heartbeat")
        if found is None:
            found = self.__dict__["_heartbeat"] = Heartbeat()
        return found

    async def _service_task(self) -> None:
        """Engine.IO's watch over its sessions: every SWEEP_SECONDS, the pings due go out
        and the sessions whose ping went unanswered close; closed sessions are forgotten
        once per ping timeout. Engine.IO's own watch waits on a timer and a task for each
        session in turn, and a task per session sleeps until its next ping: with 10,000
        idle sockets, that was most of the CPU they cost."""
        self.service_task_event = self.create_event()
        pause = min(SWEEP_SECONDS, self.ping_interval / 2, self.ping_timeout / 2)
        swept = time.monotonic()
        while not self.service_task_event.is_set():
            try:
                await asyncio.wait_for(self.service_task_event.wait(), timeout=pause)
                break
            except TimeoutError:
                pass
            try:
                await self.heartbeat.run(time.time())
                if time.monotonic() - swept >= self.ping_timeout:
                    swept = time.monotonic()
                    for sock in [s for s in self.sockets.values() if s.closed]:
                        self.sockets.pop(sock.sid, None)
            except Exception:
                log.exception("engine.io heartbeat failed")

    async def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "connect":
            # Engine.IO has no setting for its session class: a new session becomes one
            # of ours here, before it reads its first packet.
            sock = self.sockets.get(args[0])
            if type(sock) is eio_socket.AsyncSocket:
                sock.__class__ = EngineSocket
                sock._opening = args[1]
        return await super()._trigger_event(event, *args, **kwargs)
