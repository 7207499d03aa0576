"""What every room namespace shares: admitting or refusing a socket, routing its
commands, forgetting it when it leaves, and closing it when its access is withdrawn.

A namespace supplies the scope a token needs to open a socket on it (`scope`), its own
admission (`admit`, which authenticates through `authenticated` and ends with `welcome`),
who a command comes from (`caller`), the shape of its `presence` message
(`presence_payload`) and what its room events mean for the sockets (`on_room_event`).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import socketio
import structlog

from realtime.commands import Budget, Caller, Command, dispatch, unknown
from realtime.connections import Connection, Connections, Sockets
from realtime.presence import Here, Person, Presence, PresenceBroadcaster
from realtime.publisher import RoomGate
from services.actors import Actor
from services.auth import authenticate
from services.availability import is_outage
from services.errors import DomainError, Unauthorized, Unavailable
from services.scopes import Needed, require

log = structlog.get_logger("roundtable.socket")

# A socket's identity is read at admission and kept; revocations, kicks, password changes
# and removals reach its worker as events and close it there. It is read again when older
# than this, which bounds how long a missed one (say, during a Redis outage) could last,
# and an expired token with it.
RECHECK_SECONDS = 10.0

C = TypeVar("C", bound=Caller)


def token_room(token_id: uuid.UUID) -> str:
    """Every socket opened with one API token, on any worker."""
    return f"token:{token_id}"


def jwt_room(user_id: uuid.UUID) -> str:
    """Every socket a user opened with a JWT, on any worker."""
    return f"jwt:{user_id}"


def refusal(code: str, message: str) -> Exception:
    """A refused connection: clients get `connect_error` whose `data` is {code, message}
    (python-socketio sends {"message", "data"}; socket.io-client makes that `err.data`)."""
    return socketio.exceptions.ConnectionRefusedError(  # type: ignore[no-any-return]
        message, {"code": code, "message": message}
    )


class RoomNamespace(socketio.AsyncNamespace, Generic[C]):  # type: ignore[misc]
    commands: dict[str, Command[C, Any]]
    # What a personal access token needs to open a socket here at all.
    scope: Needed
    recheck_seconds = RECHECK_SECONDS
    not_joined = "This socket has not joined a room"

    def __init__(self, namespace: str, *, gate: RoomGate, presence: Presence) -> None:
        super().__init__(namespace)
        self.gate = gate
        self.presence = presence
        self.connections = Connections()
        self._broadcaster = PresenceBroadcaster(self._send_presence, self.presence_body)
        self._sockets: Sockets | None = None
        self.on_state_sent: Callable[[str, int], None] | None = None
        self._budgets: dict[str, Budget] = {}
        # The identity each admitted socket acts as, and when it was last read.
        self._actors: dict[str, tuple[Actor, float]] = {}

    # What each namespace supplies.

    async def admit(self, sid: str, auth: Any) -> str:
        """Authenticate, check access, register the connection, send `state`; the room."""
        raise NotImplementedError

    def caller(self, conn: Connection, actor: Actor) -> C:
        raise NotImplementedError

    def presence_payload(self, people: list[Here]) -> dict[str, Any]:
        """The room's `presence` message for the people here."""
        raise NotImplementedError

    async def on_room_event(self, room: str, kind: str, data: dict[str, Any]) -> None:
        """A room event this process has delivered; the namespace may close sockets."""

    # Shared machinery.

    async def welcome(
        self, conn: Connection, actor: Actor, person: Person, state: dict[str, Any]
    ) -> None:
        """The end of an admission, under the room's gate: register the socket, add its
        person to presence, and send `state` with who is here."""
        self.connections.add(conn)
        await self.presence.add(conn.room, conn.sid, person)
        state["presence"] = await self.presence_body(conn.room)
        self.enter_rooms(conn.sid, conn.room, actor)
        await self.sockets.send(conn.sid, "state", state)
        self.state_sent(conn.room, int(state["seq"]))

    async def left(self, conn: Connection) -> None:
        """Take a socket that is gone out of the room's presence."""
        await self.presence.remove(conn.room, conn.sid)

    async def presence_body(self, room: str) -> dict[str, Any]:
        return self.presence_payload(await self.presence.people(room))

    async def close_removed_member(self, room: str, data: dict[str, Any]) -> None:
        """A `member_removed` event: the removed account's sockets in `room` close."""
        try:
            uid = uuid.UUID(str(data.get("userId")))
        except ValueError:
            return
        for sid in self.connections.of_user(room, uid):
            await self.sockets.disconnect(sid)

    async def authenticated(self, token: str) -> Actor:
        """Who `token` is, if it may open a socket on this namespace."""
        actor = await authenticate(token)
        require(actor, self.scope)
        return actor

    @property
    def sockets(self) -> Sockets:
        if self._sockets is None:
            self._sockets = Sockets(self.server, self.namespace)
        return self._sockets

    def state_sent(self, room: str, seq: int) -> None:
        """A socket here starts from `seq`; the seq heartbeat counts from it."""
        if self.on_state_sent is not None:
            self.on_state_sent(room, seq)

    def presence_changed(self, room: str) -> None:
        self._broadcaster.changed(room)

    async def trigger_event(self, event: Any, *args: Any) -> Any:
        sid: str = args[0]
        # A client may name its event "connect" or "disconnect"; the server's own calls
        # come while the socket is half-open, a client's only once it is connected.
        reserved = event in ("connect", "disconnect")
        if reserved and not self.server.manager.is_connected(sid, self.namespace):
            if event == "connect":
                await self._connect(sid, args[2] if len(args) > 2 else None)
            else:
                self._budgets.pop(sid, None)
                await self._disconnect(sid)
            return None
        # A msgpack client can name an event with a number, a list or a map.
        cmd = self.commands.get(event) if isinstance(event, str) else None
        if cmd is None:
            return unknown(event, namespace=self.namespace)
        budget = self._budgets.get(sid)
        if budget is None and self.connections.get(sid) is not None:
            # Made on the first command of an admitted socket, dropped on its disconnect.
            budget = self._budgets[sid] = Budget()
        return await dispatch(
            cmd, lambda: self._caller(sid), args[1:], namespace=self.namespace, budget=budget
        )

    def client_address(self, sid: str) -> str:
        """The socket's client IP, after the trusted proxies. Read from the ASGI scope:
        Engine.IO's ASGI driver sets REMOTE_ADDR to 127.0.0.1 for every client."""
        environ = self.server.get_environ(sid, namespace=self.namespace) or {}
        client = (environ.get("asgi.scope") or {}).get("client")
        return str(client[0]) if client else "unknown"

    async def _caller(self, sid: str) -> C:
        conn = self.connections.get(sid)
        if conn is None:
            raise Unauthorized(self.not_joined)
        known = self._actors.get(sid)
        now = time.monotonic()
        if known is not None and now - known[1] < self.recheck_seconds:
            return self.caller(conn, known[0])
        actor = await authenticate(conn.token)
        if self.connections.get(sid) is conn:
            self._actors[sid] = (actor, now)
        return self.caller(conn, actor)

    async def _connect(self, sid: str, auth: Any) -> None:
        try:
            room = await self.admit(sid, auth)
        except DomainError as exc:
            log.info("socket_refused", namespace=self.namespace, code=exc.code)
            await self._forget(sid)
            raise refusal(exc.code, exc.message) from None
        except Exception as exc:
            await self._forget(sid)
            if is_outage(exc):
                log.warning("socket_refused", namespace=self.namespace, code="unavailable")
                raise refusal("unavailable", Unavailable.default_message) from None
            log.exception("socket connect crashed", namespace=self.namespace)
            raise refusal("internal", "Internal error") from None
        if not self.sockets.is_open(sid):
            # The client left during the handshake; python-socketio will not call
            # disconnect for a socket it never saw connected.
            await self._forget(sid)
            raise refusal("unauthorized", "Connection closed")
        self.presence_changed(room)

    def enter_rooms(self, sid: str, room: str, actor: Actor) -> None:
        """The room itself, and those that reach the socket when its credentials go.
        The socket acts as `actor` from now on (see `recheck_seconds`)."""
        self._actors[sid] = (actor, time.monotonic())
        self.sockets.enter_room(sid, room)
        if actor.token_id is not None:
            self.sockets.enter_room(sid, token_room(actor.token_id))
        if actor.via == "jwt" and actor.user_id is not None:
            self.sockets.enter_room(sid, jwt_room(actor.user_id))

    async def _forget(self, sid: str) -> Connection | None:
        self._actors.pop(sid, None)
        conn = self.connections.remove(sid)
        if conn is not None:
            await self.left(conn)
        return conn

    async def _disconnect(self, sid: str) -> None:
        conn = await self._forget(sid)
        if conn is not None:
            self.presence_changed(conn.room)

    async def _send_presence(self, room: str, body: dict[str, Any]) -> None:
        await self.sockets.broadcast(room, "presence", body)

    async def revoke_token(self, token_id: uuid.UUID) -> None:
        """Tell the token's sockets, on every worker, that it is revoked; each worker
        then closes its own (see `delivered`)."""
        await self.sockets.broadcast(
            token_room(token_id),
            "revoked",
            {"code": "unauthorized", "message": "Token has been revoked"},
        )

    async def revoke_jwts(self, user_id: uuid.UUID) -> None:
        """After a password change, the user's JWT sockets close on every worker."""
        await self.sockets.broadcast(
            jwt_room(user_id),
            "revoked",
            {"code": "unauthorized", "message": "Your password changed; sign in again"},
        )

    async def delivered(self, event: str, data: Any, namespace: str, room: Any) -> None:
        """Runs after this process has delivered an emit to its own sockets, wherever it
        was published: close the sockets of a revoked token or of a user whose password
        changed, and hand room events to the namespace."""
        if namespace != self.namespace or not isinstance(room, str):
            return
        if event == "revoked" and room.startswith("token:"):
            await self._close(self.connections.of_token(uuid.UUID(room.removeprefix("token:"))))
        elif event == "revoked" and room.startswith("jwt:"):
            await self._close(self.connections.of_jwt_user(uuid.UUID(room.removeprefix("jwt:"))))
        elif event == "event" and isinstance(data, dict) and isinstance(data.get("type"), str):
            body = data.get("data")
            await self.on_room_event(room, data["type"], body if isinstance(body, dict) else {})

    async def _close(self, sids: list[str]) -> None:
        for sid in sids:
            await self.sockets.disconnect(sid)
