"""Who is on which socket, and a typed face for the untyped python-socketio server."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from services.errors import Invalid, Unauthorized


@dataclass(frozen=True)
class Connection:
    """One socket admitted to one room. The token is kept so that the socket's identity
    can be read again now and then (see rooms.RECHECK_SECONDS)."""

    sid: str
    code: str
    room: str
    token: str
    participant_id: int
    token_id: uuid.UUID | None
    # Set for sockets opened with a JWT: a password change closes them.
    jwt_user_id: uuid.UUID | None = None
    # Set on rooms entered as an account (/board): removing the member closes them.
    user_id: uuid.UUID | None = None


def account_connection(sid: str, *, key: str, room: str, token: str, actor: Any) -> Connection:
    """A socket admitted as an account (boards, documents, workspaces): removing the
    member or changing the password closes it, as revoking its token does."""
    return Connection(
        sid=sid,
        code=key,
        room=room,
        token=token,
        participant_id=0,
        token_id=actor.token_id,
        jwt_user_id=actor.user_id if actor.via == "jwt" else None,
        user_id=actor.user_id,
    )


def credentials(auth: Any, field: str, what: str) -> tuple[str, str]:
    """The token and the room key a connect's `auth` carries, as `{token, <field>}`;
    `what` names the key for the refusal ("the session's join code")."""
    if not isinstance(auth, dict) or not isinstance(auth.get("token"), str) or not auth["token"]:
        raise Unauthorized(f"Send auth={{'token': ..., '{field}': ...}} to connect")
    key = auth.get(field)
    if not isinstance(key, str) or not key:
        raise Invalid(f"auth.{field}: {what} is required")
    return auth["token"], key


class Connections:
    """The sockets this process holds, by sid, by participant and by token."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Connection] = {}
        self._by_participant: dict[tuple[str, int], set[str]] = defaultdict(set)
        self._by_token: dict[uuid.UUID, set[str]] = defaultdict(set)
        self._by_jwt_user: dict[uuid.UUID, set[str]] = defaultdict(set)
        self._by_user: dict[tuple[str, uuid.UUID], set[str]] = defaultdict(set)

    def add(self, conn: Connection) -> None:
        self._by_sid[conn.sid] = conn
        self._by_participant[(conn.room, conn.participant_id)].add(conn.sid)
        if conn.token_id is not None:
            self._by_token[conn.token_id].add(conn.sid)
        if conn.jwt_user_id is not None:
            self._by_jwt_user[conn.jwt_user_id].add(conn.sid)
        if conn.user_id is not None:
            self._by_user[(conn.room, conn.user_id)].add(conn.sid)

    def remove(self, sid: str) -> Connection | None:
        conn = self._by_sid.pop(sid, None)
        if conn is None:
            return None
        _discard(self._by_participant, (conn.room, conn.participant_id), sid)
        if conn.token_id is not None:
            _discard(self._by_token, conn.token_id, sid)
        if conn.jwt_user_id is not None:
            _discard(self._by_jwt_user, conn.jwt_user_id, sid)
        if conn.user_id is not None:
            _discard(self._by_user, (conn.room, conn.user_id), sid)
        return conn

    def get(self, sid: str) -> Connection | None:
        return self._by_sid.get(sid)

    def of_participant(self, room: str, participant_id: int) -> list[str]:
        return sorted(self._by_participant.get((room, participant_id), ()))

    def of_token(self, token_id: uuid.UUID) -> list[str]:
        return sorted(self._by_token.get(token_id, ()))

    def of_jwt_user(self, user_id: uuid.UUID) -> list[str]:
        return sorted(self._by_jwt_user.get(user_id, ()))

    def of_user(self, room: str, user_id: uuid.UUID) -> list[str]:
        return sorted(self._by_user.get((room, user_id), ()))

    def in_room(self, room: str) -> list[str]:
        """The sockets of this process in `room`."""
        return sorted(sid for sid, conn in self._by_sid.items() if conn.room == room)

    def rooms(self) -> set[str]:
        """The rooms these sockets are in."""
        return {conn.room for conn in self._by_sid.values()}

    def __len__(self) -> int:
        return len(self._by_sid)


def _discard(index: dict[Any, set[str]], key: Any, sid: str) -> None:
    sids = index.get(key)
    if sids is not None:
        sids.discard(sid)
        if not sids:
            del index[key]


class Sockets:
    """The few python-socketio calls a namespace makes, typed, for one namespace."""

    def __init__(self, sio: Any, namespace: str) -> None:
        self._sio = sio
        self.namespace = namespace

    async def send(self, sid: str, event: str, data: Any) -> None:
        """Emit to one socket of this process (no trip through Redis)."""
        await self._sio.emit(event, data, to=sid, namespace=self.namespace, ignore_queue=True)

    async def broadcast(self, room: str, event: str, data: Any) -> None:
        await self._sio.emit(event, data, room=room, namespace=self.namespace)

    def enter_room(self, sid: str, room: str) -> None:
        # Entered locally on purpose: during the connect handler the socket is not yet
        # "connected", and the Redis manager would then send the request to the other
        # workers instead of applying it here, where the socket lives.
        self._sio.manager.basic_enter_room(sid, self.namespace, room)

    async def disconnect(self, sid: str) -> None:
        await self._sio.disconnect(sid, namespace=self.namespace)

    def is_open(self, sid: str) -> bool:
        """Whether the transport under `sid` is still up (it can drop mid-handshake)."""
        eio_sid = self._sio.manager.eio_sid_from_sid(sid, self.namespace)
        sock = self._sio.eio.sockets.get(eio_sid) if eio_sid is not None else None
        return sock is not None and not sock.closed and not sock.closing
