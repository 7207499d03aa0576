"""Creates the Socket.IO server with the in-process or Redis client manager, and wires
its namespaces to the publisher and to token revocation."""

from __future__ import annotations

import asyncio
import binascii
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import engineio
import socketio
import structlog
from engineio import async_socket as eio_socket
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio import payload as eio_payload
from socketio import packet as sio_packet

from realtime import redis_client
from realtime.board import BoardNamespace, user_room
from realtime.heartbeat import SeqWatch
from realtime.poker import PokerNamespace
from realtime.presence import LocalPresence, Presence
from realtime.presence_redis import RedisPresence
from realtime.publisher import RoomGate, RoomPublisher, namespace_of
from realtime.rooms import refusal
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


class _EngineSocket(eio_socket.AsyncSocket):  # type: ignore[misc]
    """An Engine.IO session that answers undecodable input on either transport with one
    log line, and closes only itself."""

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

    async def _websocket_handler(self, ws: Any) -> None:
        await super()._websocket_handler(_CheckedFrames(ws, self))


class _EngineServer(engineio.AsyncServer):  # type: ignore[misc]
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
                sock.__class__ = _EngineSocket
        return await super()._trigger_event(event, *args, **kwargs)


class _Server(socketio.AsyncServer):  # type: ignore[misc]
    """Closes a connection that sends a packet it cannot decode, as Socket.IO servers do,
    and refuses every namespace but ours.

    Handlers run as tasks of their own, so what fails here is only the decoding or the
    shape of an incoming packet: one warning line, and the client is disconnected.
    """

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return _EngineServer

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            await super()._handle_eio_message(eio_sid, data)
        except Exception as exc:
            self._binary_packet.pop(eio_sid, None)
            log.warning("malformed packet; closing the connection", error=type(exc).__name__)
            await self.eio.disconnect(eio_sid)

    async def _handle_connect(self, eio_sid: str, namespace: Any, data: Any) -> None:
        namespace = namespace or "/"
        if namespace not in self.namespace_handlers:
            # The root namespace too: it would take a socket with no auth and no commands.
            log.info("socket_refused", namespace=str(namespace)[:64], code="not_found")
            reason = refusal("not_found", "Connect to the /poker or /board namespace")
            await self._send_packet(
                eio_sid,
                self.packet_class(
                    sio_packet.CONNECT_ERROR,
                    data=reason.error_args,  # type: ignore[attr-defined]
                    namespace=namespace,
                ),
            )
            return
        await super()._handle_connect(eio_sid, namespace, data)


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
    poker.on_state_sent = board.on_state_sent = watch.saw
    return Realtime(
        publisher=RoomPublisher(sio, gate),
        poker=poker,
        board=board,
        presence=presence,
        watch=watch,
    )
