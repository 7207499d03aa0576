"""Creates the Socket.IO server with the in-process or Redis client manager, and wires
its namespaces to the publisher and to token revocation."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import engineio
import socketio
import structlog
from socketio import packet as sio_packet

from realtime.board import BoardNamespace, user_room
from realtime.document import DocumentNamespace
from realtime.engine import MAX_PACKET_BYTES, EngineServer
from realtime.heartbeat import SeqWatch
from realtime.managers import DeliveryHooks, LocalManager, RedisManager
from realtime.poker import PokerNamespace
from realtime.presence import LocalPresence, Presence
from realtime.presence_redis import WORKER_TTL_SECONDS, RedisPresence
from realtime.publisher import RoomGate, RoomPublisher, namespace_of
from realtime.rooms import refusal
from realtime.workspace import WorkspaceNamespace
from services import events

log = structlog.get_logger("roundtable.socket")

# A closed tab closes its websocket, and leaves presence, at once; pings only find
# clients that vanished without a word (a dropped network), within 45 s. Socket.IO's
# defaults: each ping wakes tasks on every socket, so idle sockets cost CPU in
# proportion to how often they are pinged.
PING_INTERVAL = 25
PING_TIMEOUT = 20

# The tasks of clients' events still running: the event loop keeps only a weak reference.
_running: set[asyncio.Task[None]] = set()


class _Server(socketio.AsyncServer):  # type: ignore[misc]
    """Closes a connection that sends a packet it cannot decode, as Socket.IO servers do,
    and refuses every namespace but ours.

    Handlers run as tasks of their own, so what fails here is only the decoding or the
    shape of an incoming packet: one warning line, and the client is disconnected.
    """

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return EngineServer

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            if type(data) is not bytes or not self._command(eio_sid, data):
                await super()._handle_eio_message(eio_sid, data)
        except Exception as exc:
            self._binary_packet.pop(eio_sid, None)
            log.warning("malformed packet; closing the connection", error=type(exc).__name__)
            await self.eio.disconnect(eio_sid)

    def _command(self, eio_sid: str, data: bytes) -> bool:
        """A binary (msgpack) event for one of our namespaces, started as its own task as
        Socket.IO's `_handle_event` would, without the layers in between; False for every
        other packet, which Socket.IO handles itself. Raises what Socket.IO's decoding
        would on a malformed packet."""
        if eio_sid in self._binary_packet:
            return False
        pkt = self.packet_class(encoded_packet=data)
        if pkt.packet_type != sio_packet.EVENT:
            return False
        namespace = pkt.namespace or "/"
        handler = self.namespace_handlers.get(namespace)
        if handler is None:
            return False
        event, args = pkt.data[0], pkt.data[1:]
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        if self.manager.is_connected(sid, namespace):
            task = asyncio.get_running_loop().create_task(
                self._answer(handler, sid, eio_sid, namespace, pkt.id, event, args)
            )
            _running.add(task)
            task.add_done_callback(_running.discard)
        return True

    async def _answer(
        self,
        handler: Any,
        sid: str,
        eio_sid: str,
        namespace: str,
        ack: Any,
        event: Any,
        args: Any,
    ) -> None:
        """Runs a client's event in its namespace and acknowledges it with the result."""
        result = await handler.trigger_event(event, sid, *args)
        if ack is None or result is self.not_handled:
            return
        data = [] if result is None else list(result) if type(result) is tuple else [result]
        await self.eio.send(
            eio_sid,
            self.packet_class(sio_packet.ACK, namespace=namespace, id=ack, data=data).encode(),
        )

    async def _handle_connect(self, eio_sid: str, namespace: Any, data: Any) -> None:
        namespace = namespace or "/"
        if namespace not in self.namespace_handlers:
            # The root namespace too: it would take a socket with no auth and no commands.
            log.info("socket_refused", namespace=str(namespace)[:64], code="not_found")
            reason = refusal(
                "not_found", "Connect to the /poker, /board, /document or /workspace namespace"
            )
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
    """The namespaces and the publisher that feeds them, listening on the after-commit
    bus; `start`/`stop` bracket the app's lifespan."""

    publisher: RoomPublisher
    poker: PokerNamespace
    board: BoardNamespace
    presence: Presence
    watch: SeqWatch
    document: DocumentNamespace | None = None
    workspace: WorkspaceNamespace | None = None

    def start(self) -> None:
        events.subscribe(self.committed)
        if isinstance(self.presence, RedisPresence):
            self.presence.start()
        self.watch.start()

    async def stop(self) -> None:
        await self.watch.stop()
        if isinstance(self.presence, RedisPresence):
            await self.presence.close()
        events.unsubscribe(self.committed)

    async def committed(self, facts: list[events.Fact]) -> None:
        """What a committed change means for the sockets: room events go to their rooms
        first; then sockets of revoked credentials close, and notifications go out."""
        await self.publisher(facts)
        for fact in facts:
            try:
                if isinstance(fact, events.TokenRevoked):
                    await self.revoke_token(fact.token_id)
                elif isinstance(fact, events.PasswordChanged):
                    await self.revoke_jwts(fact.user_id)
                elif isinstance(fact, events.NotificationCreated):
                    await self.notify_user(fact.user_id, fact.body)
            except Exception:
                log.exception("socket side of a committed change failed", fact=type(fact).__name__)

    async def notify_user(self, user_id: uuid.UUID, notification: dict[str, Any]) -> None:
        await self.board.sockets.broadcast(user_room(user_id), "notification", notification)

    async def revoke_token(self, token_id: uuid.UUID) -> None:
        await self.poker.revoke_token(token_id)
        await self.board.revoke_token(token_id)
        if self.document is not None:
            await self.document.revoke_token(token_id)
        if self.workspace is not None:
            await self.workspace.revoke_token(token_id)

    async def revoke_jwts(self, user_id: uuid.UUID) -> None:
        await self.poker.revoke_jwts(user_id)
        await self.board.revoke_jwts(user_id)
        if self.document is not None:
            await self.document.revoke_jwts(user_id)
        if self.workspace is not None:
            await self.workspace.revoke_jwts(user_id)


def register_namespaces(
    sio: Any,
    *,
    redis_url: str | None = None,
    recheck_seconds: float | None = None,
    presence_ttl: float = WORKER_TTL_SECONDS,
) -> Realtime:
    gate = RoomGate()
    namespaces: dict[
        str, PokerNamespace | BoardNamespace | DocumentNamespace | WorkspaceNamespace
    ] = {}

    def rooms_changed(rooms: list[str]) -> None:
        for room in rooms:
            ns = namespaces.get(namespace_of(room))
            if ns is not None:
                ns.presence_changed(room)

    presence: Presence = (
        RedisPresence(
            redis_url,
            on_rooms_changed=rooms_changed,
            heartbeat=presence_ttl / 3,
            ttl=max(1, round(presence_ttl)),
        )
        if redis_url
        else LocalPresence()
    )
    poker = PokerNamespace("/poker", gate=gate, presence=presence)
    board = BoardNamespace("/board", gate=gate, presence=presence)
    document = DocumentNamespace("/document", gate=gate, presence=presence)
    workspace = WorkspaceNamespace("/workspace", gate=gate, presence=presence)
    manager: DeliveryHooks = sio.manager
    for ns in (poker, board, document, workspace):
        namespaces[ns.namespace] = ns
        if recheck_seconds is not None:
            ns.recheck_seconds = recheck_seconds
        sio.register_namespace(ns)
        manager.delivery_hooks.append(ns.delivered)
    watch = SeqWatch(
        sio,
        rooms=lambda: (
            poker.connections.rooms()
            | board.connections.rooms()
            | document.connections.rooms()
            | workspace.connections.rooms()
        ),
    )
    manager.delivery_hooks.append(watch.delivered)
    poker.on_state_sent = board.on_state_sent = watch.saw
    document.on_state_sent = watch.saw
    workspace.on_state_sent = watch.saw
    return Realtime(
        publisher=RoomPublisher(sio, gate),
        poker=poker,
        board=board,
        presence=presence,
        watch=watch,
        document=document,
        workspace=workspace,
    )
