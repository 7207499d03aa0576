"""Creates the Socket.IO server with the in-process or Redis client manager, and wires
its namespaces to the publisher and to token revocation."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import socketio
import structlog

from realtime import redis_client
from realtime.board import BoardNamespace, user_room
from realtime.heartbeat import SeqWatch
from realtime.poker import PokerNamespace
from realtime.presence import LocalPresence, Presence
from realtime.presence_redis import RedisPresence
from realtime.publisher import RoomGate, RoomPublisher, namespace_of
from services import accounts, tokens
from services.boards import notify

log = structlog.get_logger("roundtable.socket")

# Engine.IO pings often enough that a vanished client leaves within seconds.
PING_INTERVAL = 10
PING_TIMEOUT = 5
MAX_PACKET_BYTES = 256 * 1024
# After losing Redis, the pub/sub listener tries again after these delays, doubling.
RESUBSCRIBE_FIRST_SECONDS = 0.5
RESUBSCRIBE_MAX_SECONDS = 2.0

# (event, data, namespace, room) of an emit this process has just delivered.
DeliveryHook = Callable[[str, Any, str, Any], Awaitable[None]]


class _DeliveryHooks(socketio.AsyncManager):  # type: ignore[misc]
    """Calls hooks after each emit is delivered to this process's own sockets.

    It sits directly above AsyncManager, whose `emit` is the local delivery: the Redis
    manager reaches it both for its own emits and for those from other workers, so a
    hook sees every event once per worker wherever it was published.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.delivery_hooks: list[DeliveryHook] = []

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
        await super().emit(
            event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to, **kwargs
        )
        for hook in list(self.delivery_hooks):
            try:
                await hook(event, data, namespace, to or room)
            except Exception:
                log.exception("delivery hook failed", socket_event=event, namespace=namespace)


class LocalManager(_DeliveryHooks):
    """One process: emits go straight to its sockets."""


class RedisManager(socketio.AsyncRedisManager, _DeliveryHooks):  # type: ignore[misc]
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


class _Server(socketio.AsyncServer):  # type: ignore[misc]
    """Closes a connection that sends a packet it cannot decode, as Socket.IO servers do.

    Handlers run as tasks of their own, so what fails here is only the decoding or the
    shape of an incoming packet: one warning line, and the client is disconnected.
    """

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            await super()._handle_eio_message(eio_sid, data)
        except Exception as exc:
            self._binary_packet.pop(eio_sid, None)
            log.warning("malformed packet; closing the connection", error=type(exc).__name__)
            await self.eio.disconnect(eio_sid)


def create_sio(
    *,
    redis_url: str | None,
    serializer: str,
    allowed_origins: list[str],
    transports: list[str] | None = None,
) -> Any:
    manager = RedisManager(redis_url) if redis_url else LocalManager()
    return _Server(
        async_mode="asgi",
        client_manager=manager,
        # python-socketio calls its JSON serializer "default".
        serializer="default" if serializer == "json" else serializer,
        cors_allowed_origins=allowed_origins,
        ping_interval=PING_INTERVAL,
        ping_timeout=PING_TIMEOUT,
        max_http_buffer_size=MAX_PACKET_BYTES,
        transports=transports or ["polling", "websocket"],
        logger=False,
        engineio_logger=False,
    )


@dataclass
class Realtime:
    """The namespaces and the publisher that feeds them; `start`/`stop` bracket the
    app's lifespan."""

    publisher: RoomPublisher
    poker: PokerNamespace
    board: BoardNamespace
    presence: Presence
    watch: SeqWatch

    def start(self) -> None:
        tokens.on_revoke.append(self.revoke_token)
        notify.on_notification.append(self.notify_user)
        accounts.on_password_changed.append(self.revoke_jwts)
        if isinstance(self.presence, RedisPresence):
            self.presence.start()
        self.watch.start()

    async def stop(self) -> None:
        await self.watch.stop()
        if isinstance(self.presence, RedisPresence):
            await self.presence.close()
        if self.notify_user in notify.on_notification:
            notify.on_notification.remove(self.notify_user)
        if self.revoke_token in tokens.on_revoke:
            tokens.on_revoke.remove(self.revoke_token)
        if self.revoke_jwts in accounts.on_password_changed:
            accounts.on_password_changed.remove(self.revoke_jwts)

    async def notify_user(self, user_id: uuid.UUID, notification: dict[str, Any]) -> None:
        await self.board.sockets.broadcast(user_room(user_id), "notification", notification)

    async def revoke_token(self, token_id: uuid.UUID) -> None:
        await self.poker.revoke_token(token_id)
        await self.board.revoke_token(token_id)

    async def revoke_jwts(self, user_id: uuid.UUID) -> None:
        await self.poker.revoke_jwts(user_id)
        await self.board.revoke_jwts(user_id)


def register_namespaces(sio: Any, *, redis_url: str | None = None) -> Realtime:
    gate = RoomGate()
    namespaces: dict[str, PokerNamespace | BoardNamespace] = {}

    def rooms_changed(rooms: list[str]) -> None:
        for room in rooms:
            ns = namespaces.get(namespace_of(room))
            if ns is not None:
                ns.presence_changed(room)

    presence: Presence = (
        RedisPresence(redis_url, on_rooms_changed=rooms_changed) if redis_url else LocalPresence()
    )
    poker = PokerNamespace("/poker", gate=gate, presence=presence)
    board = BoardNamespace("/board", gate=gate, presence=presence)
    manager: _DeliveryHooks = sio.manager
    for ns in (poker, board):
        namespaces[ns.namespace] = ns
        sio.register_namespace(ns)
        manager.delivery_hooks.append(ns.delivered)
    watch = SeqWatch(sio, rooms=lambda: poker.connections.rooms() | board.connections.rooms())
    manager.delivery_hooks.append(watch.delivered)
    return Realtime(
        publisher=RoomPublisher(sio, gate),
        poker=poker,
        board=board,
        presence=presence,
        watch=watch,
    )
