"""The Socket.IO client managers: in-process, or Redis pub/sub across workers; both
call hooks after each emit they deliver to this process's sockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import socketio
import structlog
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from realtime import frames as frames_of
from realtime import redis_client
from realtime.engine import EngineSocket

log = structlog.get_logger("roundtable.socket")

# After losing Redis, the pub/sub listener tries again after these delays, doubling.
RESUBSCRIBE_FIRST_SECONDS = 0.5
RESUBSCRIBE_MAX_SECONDS = 2.0

# (event, data, namespace, room) of an emit this process has just delivered.
DeliveryHook = Callable[[str, Any, str, Any], Awaitable[None]]


class DeliveryHooks(socketio.AsyncManager):  # type: ignore[misc]
    """Calls hooks after each emit is delivered to this process's own sockets.

    It sits directly above AsyncManager, whose `emit` is the local delivery: the Redis
    manager reaches it both for its own emits and for those from other workers, so a
    hook sees every event once per worker wherever it was published.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.delivery_hooks: list[DeliveryHook] = []
        # The rooms each socket is in, beside python-socketio's sockets of each room.
        # Its disconnect scans every room of the namespace for the socket, and every
        # socket has a room of its own: with 10,000 sockets connected, a disconnect made
        # 10,000 membership checks, and 10,000 sockets leaving at once a hundred million.
        self._joined: dict[tuple[str, str], set[Any]] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._joined.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        joined = self._joined.get((namespace, sid))
        if joined is not None:
            joined.discard(room)
            if not joined:
                del self._joined[(namespace, sid)]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        """python-socketio's, leaving only the socket's own rooms."""
        for room in list(self._joined.pop((namespace, sid), ())):
            super().basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        return [r for r in self._joined.get((namespace, sid), ()) if r is not None]

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        if callback is None:
            self._deliver(event, data, namespace, to or room, skip_sid)
        else:
            await super().emit(
                event,
                data,
                namespace,
                room=room,
                skip_sid=skip_sid,
                callback=callback,
                to=to,
                **kwargs,
            )
        for hook in list(self.delivery_hooks):
            try:
                await hook(event, data, namespace, to or room)
            except Exception:
                log.exception("delivery hook failed", socket_event=event, namespace=namespace)

    def _deliver(self, event: str, data: Any, namespace: str, room: Any, skip_sid: Any) -> None:
        """Encode the message once and hand the same bytes to each local socket of the
        room, in one pass with no task per recipient (python-socketio starts one task
        per recipient): written straight to a websocket with nothing on its way to the
        client, queued otherwise, so each socket's writer sends it after what it queued
        before (a socket still gets its `state` first)."""
        if namespace not in self.rooms:
            return
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        skipped = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        skip = None if skip_sid is None else set(skipped)
        # Our payloads never hold bytes: skip the scan for binary attachments.
        pkt = self.server.packet_class(
            sio_packet.EVENT, namespace=namespace, data=[event, *args], binary=False
        )
        encoded = pkt.encode()
        frames = [
            eio_packet.Packet(eio_packet.MESSAGE, e)
            for e in (encoded if isinstance(encoded, list) else [encoded])
        ]
        # One websocket frame for every socket that can take it directly, made from a
        # packet of its own: Engine.IO's packet keeps its first encoding whatever it is
        # asked next, so the queued one, encoded here for a websocket, would hand raw
        # bytes to a long-polling socket's base64 payload (a 500 on its next poll).
        ready = (
            frames_of.frame(eio_packet.Packet(eio_packet.MESSAGE, frames[0].data).encode())
            if len(frames) == 1
            else None
        )
        sockets = self.server.eio.sockets
        for sid, eio_sid in self._members(namespace, room):
            if skip is not None and sid in skip:
                continue
            socket = sockets.get(eio_sid)
            if socket is None or socket.closed:
                continue
            if ready is not None and isinstance(socket, EngineSocket) and socket.write_now(ready):
                continue
            for frame in frames:
                socket.queue.put_nowait(frame)

    def _members(self, namespace: str, room: Any) -> Any:
        """The (sid, eio_sid) pairs of a room's local sockets, as `get_participants` gives
        them, without its generator for the usual case of one room named by a string."""
        if room is not None and not isinstance(room, str):
            return self.get_participants(namespace, room)
        members = self.rooms[namespace].get(room)
        # A copy, read as python-socketio reads a room: a socket that leaves meanwhile
        # does not change what is iterated.
        return members._fwdm.copy().items() if members is not None else ()


class LocalManager(DeliveryHooks):
    """One process: emits go straight to its sockets."""


class RedisManager(socketio.AsyncRedisManager, DeliveryHooks):  # type: ignore[misc]
    """Several workers: emits fan out through Redis pub/sub.

    Redis is the fast path only. While it is down, publishes are dropped (the room log
    and `sync` make that safe) and the listener resubscribes every few seconds, so
    delivery resumes by itself soon after Redis returns; each outage logs one line.
    """

    def __init__(self, url: str) -> None:
        super().__init__(url, redis_options=redis_client.options(pubsub=True))
        self.connected: bool = False
        self._outage = False

    def _lost(self, exc: BaseException, doing: str) -> None:
        if not self._outage:
            self._outage = True
            log.warning(
                "redis unreachable; live delivery paused, clients catch up with sync",
                doing=doing,
                error=type(exc).__name__,
            )

    def _back(self) -> None:
        if self._outage:
            self._outage = False
            log.info("redis reachable again; live delivery resumed")

    async def _publish(self, data: Any) -> Any:
        for attempt in (1, 2):
            try:
                if not self.connected:
                    self._redis_connect()
                result = await self.redis.publish(self.channel, self.json.dumps(data))
                self._back()
                return result
            except Exception as exc:
                # A pooled connection Redis closed: reconnect once, then give up.
                self.connected = False
                if attempt == 2:
                    self._lost(exc, "publish")
        return None

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        delay = RESUBSCRIBE_FIRST_SECONDS
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    await self.pubsub.subscribe(self.channel)
                    subscribed = True
                    delay = RESUBSCRIBE_FIRST_SECONDS
                    self._back()
                async for message in self.pubsub.listen():
                    yield message
            except Exception as exc:
                self._lost(exc, "listen")
                subscribed = False
                self.connected = False
                await asyncio.sleep(delay)
                delay = min(delay * 2, RESUBSCRIBE_MAX_SECONDS)
