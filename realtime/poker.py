"""The /poker namespace: admitting a socket to its session's room, and its commands."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import socketio
import structlog
from pydantic import Field

from realtime.commands import Command, Empty, Payload, Text, command, dispatch, unknown
from realtime.connections import Connection, Connections, Sockets
from realtime.presence import LocalPresence, Member, Presence, PresenceBroadcaster, payload
from realtime.publisher import RoomGate
from services.actors import Actor
from services.auth import authenticate
from services.errors import DomainError, Forbidden, Invalid, Unauthorized
from services.events import events_since
from services.poker import access, sessions, stories, views, voting
from services.poker.decks import MAX_VALUE_LENGTH

log = structlog.get_logger("roundtable.socket")

READ, WRITE = "poker:read", "poker:write"
TITLE_MAX, TEXT_MAX = 500, 5_000

StoryId = Annotated[str, Field(min_length=1, max_length=64)]


class CastVote(Payload):
    value: Annotated[Text, Field(min_length=1, max_length=MAX_VALUE_LENGTH)]
    story_id: StoryId | None = None


class StoryRef(Payload):
    story_id: StoryId | None = None


class AddStory(Payload):
    title: Annotated[Text, Field(min_length=1, max_length=TITLE_MAX)]
    description: Annotated[Text, Field(max_length=TEXT_MAX)] = ""
    acceptance_criteria: Annotated[Text, Field(max_length=TEXT_MAX)] = ""


class StartStory(Payload):
    story_id: StoryId


class StartTimer(Payload):
    seconds: int


class Sync(Payload):
    since: int


@dataclass(frozen=True)
class PokerCaller:
    conn: Connection
    actor: Actor
    presence: Presence

    @property
    def room(self) -> str:
        return self.conn.room

    @property
    def code(self) -> str:
        return self.conn.code


async def room_state(code: str, actor: Actor, presence: Presence) -> dict[str, Any]:
    """The snapshot as `actor` sees it, with who is here now."""
    session = await access.session_by_code(code)
    viewer = await access.participant_of(actor, session)
    if viewer is None:
        raise Forbidden("You are no longer in this session")
    state = await views.snapshot(session, viewer)
    state["presence"] = payload(await presence.members(access.room_key(session.code)))
    return state


@command(CastVote, scope=WRITE)
async def cast_vote(c: PokerCaller, p: CastVote) -> Any:
    return await voting.cast_vote(actor=c.actor, code=c.code, value=p.value, story_id=p.story_id)


@command(StoryRef, scope=WRITE)
async def retract_vote(c: PokerCaller, p: StoryRef) -> Any:
    return await voting.retract_vote(actor=c.actor, code=c.code, story_id=p.story_id)


@command(StoryRef, scope=WRITE)
async def reveal(c: PokerCaller, p: StoryRef) -> Any:
    return await voting.reveal(actor=c.actor, code=c.code, story_id=p.story_id)


@command(AddStory, scope=WRITE)
async def add_story(c: PokerCaller, p: AddStory) -> Any:
    return await stories.add_story(
        actor=c.actor,
        code=c.code,
        title=p.title,
        description=p.description,
        acceptance_criteria=p.acceptance_criteria,
    )


@command(StartStory, scope=WRITE)
async def start_story(c: PokerCaller, p: StartStory) -> Any:
    return await stories.start_story(actor=c.actor, code=c.code, story_id=p.story_id)


@command(Empty, scope=WRITE)
async def restart_round(c: PokerCaller, p: Empty) -> Any:
    return await stories.restart_round(actor=c.actor, code=c.code)


@command(StartTimer, scope=WRITE)
async def start_timer(c: PokerCaller, p: StartTimer) -> Any:
    return await stories.start_timer(actor=c.actor, code=c.code, seconds=p.seconds)


@command(Sync, scope=READ)
async def sync(c: PokerCaller, p: Sync) -> Any:
    missed = await events_since(c.room, p.since)
    if missed is not None:
        return {"events": [e.wire() for e in missed]}
    return {"snapshot": await room_state(c.code, c.actor, c.presence)}


COMMANDS: dict[str, Command[PokerCaller, Any]] = {
    c.name: c
    for c in (
        cast_vote,
        retract_vote,
        reveal,
        add_story,
        start_story,
        restart_round,
        start_timer,
        sync,
    )
}


def token_room(token_id: uuid.UUID) -> str:
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


def _credentials(auth: Any) -> tuple[str, str]:
    if not isinstance(auth, dict) or not isinstance(auth.get("token"), str) or not auth["token"]:
        raise Unauthorized("Send auth={'token': ..., 'code': ...} to connect")
    code = auth.get("code")
    if not isinstance(code, str) or not code:
        raise Invalid("auth.code: the session's join code is required")
    return auth["token"], code


class PokerNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(self, namespace: str, *, gate: RoomGate) -> None:
        super().__init__(namespace)
        self.gate = gate
        self.connections = Connections()
        self.presence: Presence = LocalPresence()
        self._broadcaster = PresenceBroadcaster(self.presence, self._send_presence)
        self._sockets: Sockets | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def sockets(self) -> Sockets:
        if self._sockets is None:
            self._sockets = Sockets(self.server, self.namespace)
        return self._sockets

    async def trigger_event(self, event: str, *args: Any) -> Any:
        sid: str = args[0]
        # A client may name its event "connect" or "disconnect"; the server's own calls
        # come while the socket is half-open, a client's only once it is connected.
        reserved = event in ("connect", "disconnect")
        if reserved and not self.server.manager.is_connected(sid, self.namespace):
            if event == "connect":
                await self._connect(sid, args[2] if len(args) > 2 else None)
            else:
                await self._disconnect(sid)
            return None
        cmd = COMMANDS.get(event)
        if cmd is None:
            return unknown(event, namespace=self.namespace)
        return await dispatch(cmd, lambda: self._caller(sid), args[1:], namespace=self.namespace)

    async def _caller(self, sid: str) -> PokerCaller:
        conn = self.connections.get(sid)
        if conn is None:
            raise Unauthorized("This socket has not joined a room")
        # Authenticated again on every command, so a kick or a revocation holds at once.
        actor = await authenticate(conn.token)
        return PokerCaller(conn=conn, actor=actor, presence=self.presence)

    async def _connect(self, sid: str, auth: Any) -> None:
        try:
            room = await self._admit(sid, auth)
        except DomainError as exc:
            log.info("socket_refused", namespace=self.namespace, code=exc.code)
            await self._forget(sid)
            raise refusal(exc.code, exc.message) from None
        except Exception:
            log.exception("socket connect crashed", namespace=self.namespace)
            await self._forget(sid)
            raise refusal("internal", "Internal error") from None
        if not self.sockets.is_open(sid):
            # The client left during the handshake; python-socketio will not call
            # disconnect for a socket it never saw connected.
            await self._forget(sid)
            raise refusal("unauthorized", "Connection closed")
        self._broadcaster.changed(room)

    async def _admit(self, sid: str, auth: Any) -> str:
        token, code = _credentials(auth)
        actor = await authenticate(token)
        actor.require_scope(READ)
        session = await access.session_by_code(code)
        if await access.participant_of(actor, session) is None:
            # A signed-in user who is not in the room yet takes a seat.
            actor.require_scope(WRITE)
            await sessions.join_session(actor=actor, code=session.code, name=None)
        room = access.room_key(session.code)
        # Under the room's gate no event reaches the room, so `state` goes out first.
        # room_state reads the seat again in here: a kick committed before that refuses
        # this socket, and one committed after is delivered, and enforced, only once the
        # socket is connected, since nothing awaits between leaving the gate and returning.
        async with self.gate.hold(room):
            state = await room_state(session.code, actor, self.presence)
            me = state["me"]
            self.connections.add(
                Connection(
                    sid=sid,
                    code=session.code,
                    room=room,
                    token=token,
                    participant_id=me["participant_id"],
                    token_id=actor.token_id,
                    jwt_user_id=actor.user_id if actor.via == "jwt" else None,
                )
            )
            await self.presence.add(room, sid, Member(me["participant_id"], me["name"], me["role"]))
            state["presence"] = payload(await self.presence.members(room))
            self.sockets.enter_room(sid, room)
            if actor.token_id is not None:
                self.sockets.enter_room(sid, token_room(actor.token_id))
            if actor.via == "jwt" and actor.user_id is not None:
                self.sockets.enter_room(sid, jwt_room(actor.user_id))
            await self.sockets.send(sid, "state", state)
        return room

    async def _forget(self, sid: str) -> Connection | None:
        conn = self.connections.remove(sid)
        if conn is not None:
            await self.presence.remove(conn.room, sid)
        return conn

    async def _disconnect(self, sid: str) -> None:
        conn = await self._forget(sid)
        if conn is not None:
            self._broadcaster.changed(conn.room)

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
        was published: cut off whoever was removed or whose token was revoked, and keep
        presence roles in step with the room."""
        if namespace != self.namespace or not isinstance(room, str):
            return
        if event == "revoked" and room.startswith("token:"):
            for sid in self.connections.of_token(uuid.UUID(room.removeprefix("token:"))):
                await self.sockets.disconnect(sid)
            return
        if event == "revoked" and room.startswith("jwt:"):
            for sid in self.connections.of_jwt_user(uuid.UUID(room.removeprefix("jwt:"))):
                await self.sockets.disconnect(sid)
            return
        kind = data.get("type") if event == "event" and isinstance(data, dict) else None
        if kind == "participant_left":
            pid = (data.get("data") or {}).get("participant_id")
            if isinstance(pid, int):
                for sid in self.connections.of_participant(room, pid):
                    await self.sockets.disconnect(sid)
        elif kind == "session_updated" and await self.presence.members(room):
            # A moderator handover changes roles; read them off the delivery path.
            task = asyncio.create_task(self._refresh_presence(room))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _refresh_presence(self, room: str) -> None:
        try:
            people = await sessions.list_participants(code=room.removeprefix("poker:"))
        except Exception:
            log.exception("presence refresh failed", room=room)
            return
        seats = {p["id"]: p for p in people}
        changed = False
        for member in await self.presence.members(room):
            seat = seats.get(member.participant_id)
            if seat is not None and (seat["name"], seat["role"]) != (member.name, member.role):
                await self.presence.update(
                    room, Member(member.participant_id, seat["name"], seat["role"])
                )
                changed = True
        if changed:
            self._broadcaster.changed(room)
