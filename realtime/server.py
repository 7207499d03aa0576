"""Creates the Socket.IO server with the in-process or Redis client manager, and wires
its namespaces to the publisher and to token revocation."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import socketio
import structlog

from realtime.board import BoardNamespace, user_room
from realtime.poker import PokerNamespace
from realtime.publisher import RoomGate, RoomPublisher
from services import accounts, tokens
from services.boards import notify

log = structlog.get_logger("roundtable.socket")

# Engine.IO pings often enough that a vanished client leaves within seconds.
PING_INTERVAL = 10
PING_TIMEOUT = 5
MAX_PACKET_BYTES = 256 * 1024

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
    """Several workers: emits fan out through Redis pub/sub."""


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

    def start(self) -> None:
        tokens.on_revoke.append(self.revoke_token)
        notify.on_notification.append(self.notify_user)
        accounts.on_password_changed.append(self.revoke_jwts)

    def stop(self) -> None:
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


def register_namespaces(sio: Any) -> Realtime:
    gate = RoomGate()
    poker = PokerNamespace("/poker", gate=gate)
    sio.register_namespace(poker)
    manager: _DeliveryHooks = sio.manager
    manager.delivery_hooks.append(poker.delivered)
    board = BoardNamespace("/board", gate=gate)
    sio.register_namespace(board)
    manager.delivery_hooks.append(board.delivered)
    return Realtime(publisher=RoomPublisher(sio, gate), poker=poker, board=board)
