"""The /poker namespace: admitting a socket to its session's room, and its commands."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

import structlog
from pydantic import Field

from realtime.commands import Command, Empty, Payload, Text, command
from realtime.connections import Connection, credentials
from realtime.presence import Here, Person, Presence
from realtime.publisher import RoomGate
from realtime.rooms import RoomNamespace
from services.actors import Actor
from services.errors import Forbidden
from services.events import events_since
from services.poker import access, notices, rounds, seats, sessions, snapshot, stories, voting
from services.poker.codes import normalize
from services.poker.decks import MAX_VALUE_LENGTH
from services.scopes import POKER_READ, POKER_WRITE, require

log = structlog.get_logger("roundtable.socket")

StoryId = Annotated[str, Field(min_length=1, max_length=64)]


class CastVote(Payload):
    value: Annotated[Text, Field(min_length=1, max_length=MAX_VALUE_LENGTH)]
    story_id: StoryId | None = None


class StoryRef(Payload):
    story_id: StoryId | None = None


class AddStory(Payload):
    title: Annotated[Text, Field(min_length=1, max_length=stories.TITLE_MAX)]
    description: Annotated[Text, Field(max_length=stories.TEXT_MAX)] = ""
    acceptance_criteria: Annotated[Text, Field(max_length=stories.TEXT_MAX)] = ""


class StartStory(Payload):
    story_id: StoryId


class StartTimer(Payload):
    seconds: int


class Sync(Payload):
    since: int


class PostNotice(Payload):
    text: Annotated[Text, Field(min_length=1, max_length=notices.TEXT_MAX)]
    to: Annotated[list[int], Field(min_length=1, max_length=notices.MAX_RECIPIENTS)] | None = None


def presence_payload(people: list[Here]) -> dict[str, Any]:
    """The room's `presence` message: everyone here, by seat order."""
    rows = sorted(people, key=lambda h: int(h.person.key))
    return {
        "participants": [
            {
                "participant_id": int(h.person.key),
                "name": h.person.name,
                "role": h.person.role,
                "state": "online",
                "focus": None,
            }
            for h in rows
        ]
    }


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


async def room_state(
    code: str, actor: Actor, presence: Presence, *, with_presence: bool = True
) -> dict[str, Any]:
    """The snapshot as `actor` sees it; with who is here now, unless the caller adds that."""
    _, state = await snapshot.read(code, actor)
    if state is None:
        raise Forbidden("You are no longer in this session")
    if with_presence:
        room = access.room_key(state["session"]["code"])
        state["presence"] = presence_payload(await presence.people(room))
    return state


@command(CastVote, scope=POKER_WRITE)
async def cast_vote(c: PokerCaller, p: CastVote) -> Any:
    return await voting.cast_vote(actor=c.actor, code=c.code, value=p.value, story_id=p.story_id)


@command(StoryRef, scope=POKER_WRITE)
async def retract_vote(c: PokerCaller, p: StoryRef) -> Any:
    return await voting.retract_vote(actor=c.actor, code=c.code, story_id=p.story_id)


@command(StoryRef, scope=POKER_WRITE)
async def reveal(c: PokerCaller, p: StoryRef) -> Any:
    return await rounds.reveal(actor=c.actor, code=c.code, story_id=p.story_id)


@command(AddStory, scope=POKER_WRITE)
async def add_story(c: PokerCaller, p: AddStory) -> Any:
    return await stories.add_story(
        actor=c.actor,
        code=c.code,
        title=p.title,
        description=p.description,
        acceptance_criteria=p.acceptance_criteria,
    )


@command(StartStory, scope=POKER_WRITE)
async def start_story(c: PokerCaller, p: StartStory) -> Any:
    return await stories.start_story(actor=c.actor, code=c.code, story_id=p.story_id)


@command(Empty, scope=POKER_WRITE)
async def restart_round(c: PokerCaller, p: Empty) -> Any:
    return await rounds.restart_round(actor=c.actor, code=c.code)


@command(StartTimer, scope=POKER_WRITE)
async def start_timer(c: PokerCaller, p: StartTimer) -> Any:
    return await stories.start_timer(actor=c.actor, code=c.code, seconds=p.seconds)


@command(PostNotice, scope=POKER_WRITE)
async def post_notice(c: PokerCaller, p: PostNotice) -> Any:
    return await notices.post_notice(actor=c.actor, code=c.code, text=p.text, to=p.to)


@command(Sync, scope=POKER_READ)
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
        post_notice,
        sync,
    )
}


class PokerNamespace(RoomNamespace[PokerCaller]):
    commands = COMMANDS
    scope = POKER_READ
    # Taking a seat changes the room, as joining over REST does.
    join_scope = POKER_WRITE

    presence_payload = staticmethod(presence_payload)

    def __init__(self, namespace: str, *, gate: RoomGate, presence: Presence) -> None:
        super().__init__(namespace, gate=gate, presence=presence)
        self._tasks: set[asyncio.Task[None]] = set()

    def caller(self, conn: Connection, actor: Actor) -> PokerCaller:
        return PokerCaller(conn=conn, actor=actor, presence=self.presence)

    async def admit(self, sid: str, auth: Any) -> str:
        token, code = credentials(auth, "code", "the session's join code")
        actor = await self.authenticated(token)
        room = access.room_key(normalize(code) or code)
        with access.guarding_codes(client=self.client_address(sid), actor=actor):
            # Under the room's gate no event reaches the room, so `state` goes out first.
            # The seat is read in here: a kick committed before the read refuses this
            # socket, and one committed after is delivered, and enforced, only once the
            # socket is connected, since nothing awaits between leaving the gate and
            # returning.
            async with self.gate.hold(room):
                session, state = await snapshot.read(code, actor)
                if state is not None:
                    return await self._enter(sid, token, actor, room, state)
            # A signed-in user who is not in the room yet takes a seat, outside the gate
            # (the join is an event of the room), and then reads the room again.
            require(actor, self.join_scope)
            await seats.join_session(actor=actor, code=session.code, name=None)
            async with self.gate.hold(room):
                _, state = await snapshot.read(session.code, actor)
                if state is None:
                    raise Forbidden("You are no longer in this session")
                return await self._enter(sid, token, actor, room, state)

    async def _enter(
        self, sid: str, token: str, actor: Actor, room: str, state: dict[str, Any]
    ) -> str:
        """Register the socket, add it to presence and send `state`; under the gate."""
        me = state["me"]
        conn = Connection(
            sid=sid,
            code=state["session"]["code"],
            room=room,
            token=token,
            participant_id=me["participant_id"],
            token_id=actor.token_id,
            jwt_user_id=actor.user_id if actor.via == "jwt" else None,
        )
        person = Person(str(me["participant_id"]), me["name"], me["role"])
        await self.welcome(conn, actor, person, state)
        return room

    async def on_room_event(self, room: str, kind: str, data: dict[str, Any]) -> None:
        """Close the sockets of whoever was removed, and keep presence roles in step."""
        if kind == "participant_left":
            pid = data.get("participant_id")
            if isinstance(pid, int):
                for sid in self.connections.of_participant(room, pid):
                    await self.sockets.disconnect(sid)
        elif kind == "session_updated" and room in self.presence.local_rooms():
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
        # Each worker renames its own sockets' people; any of them then tells the room.
        changed = False
        for seat in people:
            person = Person(str(seat["id"]), seat["name"], seat["role"])
            changed = await self.presence.rename(room, person) or changed
        if changed:
            self.presence_changed(room)
