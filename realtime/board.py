"""The /board namespace: admitting a project member's socket to the board's room, its
commands, and who is looking at which card."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool

from realtime.commands import Command, Payload, Text, command
from realtime.connections import Connection, account_connection, credentials
from realtime.presence import Here, Person
from realtime.rooms import RoomNamespace
from services.actors import Actor
from services.auth import require_user
from services.boards import cards, checklists, columns, comments, moves
from services.boards.access import board_room, parse_id, project_by_id
from services.boards.locate import ProjectRef
from services.boards.views import board_snapshot
from services.errors import Invalid
from services.events import events_since
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

Ref = Annotated[str, Field(min_length=1, max_length=64)]
Title = Annotated[Text, Field(min_length=1, max_length=cards.TITLE_MAX)]
Description = Annotated[Text, Field(max_length=cards.DESCRIPTION_MAX)]
ColumnName = Annotated[Text, Field(min_length=1, max_length=columns.NAME_MAX)]
Estimate = Annotated[Text, Field(max_length=cards.ESTIMATE_MAX)]
DateText = Annotated[str, Field(min_length=10, max_length=40)]
WipLimit = Annotated[int, Field(ge=1, le=10_000)]
Index = Annotated[int, Field(ge=0, le=100_000)]
Priority = Literal["low", "medium", "high"]


class ChecklistItemIn(Payload):
    title: Annotated[Text, Field(min_length=1, max_length=checklists.TITLE_MAX)]
    done: StrictBool = False
    order: Index | None = None


Checklist = Annotated[list[ChecklistItemIn], Field(max_length=100)]


class _CardFields(Payload):
    description: Description | None = None
    priority: Priority | None = None
    start_date: DateText | None = None
    due_date: DateText | None = None
    assignee_id: Ref | None = None
    estimate: Estimate | None = None
    checklist: Checklist | None = None

    def sent(self, *names: str) -> dict[str, Any]:
        """Only the fields the client sent (null included: it clears), dates parsed."""
        data = {k: getattr(self, k) for k in self.model_fields_set if k not in names}
        for key in ("start_date", "due_date"):
            if key in data:
                data[key] = cards.parse_date(data[key])
        if data.get("checklist") is not None:
            data["checklist"] = [i.model_dump() for i in self.checklist or []]
        return data


class CreateCard(_CardFields):
    column_id: Ref
    title: Title


class UpdateCard(_CardFields):
    card_id: Ref
    version: int | None = None
    title: Title | None = None
    archived: StrictBool | None = None


class MoveCard(Payload):
    card_id: Ref
    column_id: Ref
    after_id: Ref | None = None
    before_id: Ref | None = None
    version: int | None = None


class CardRef(Payload):
    card_id: Ref


class CreateColumn(Payload):
    name: ColumnName
    wip_limit: WipLimit | None = None
    scope_id: Ref | None = None


class UpdateColumn(Payload):
    column_id: Ref
    name: ColumnName | None = None
    order: Index | None = None
    wip_limit: WipLimit | None = None
    scope_id: Ref | None = None


class ColumnRef(Payload):
    column_id: Ref


class AddComment(Payload):
    card_id: Ref
    content: Annotated[Text, Field(min_length=1, max_length=comments.CONTENT_MAX)]


class FocusCard(Payload):
    card_id: Ref | None = None
    mode: Literal["viewing", "editing"] = "viewing"


class Sync(Payload):
    since: int


def presence_payload(people: list[Here]) -> dict[str, Any]:
    """The board's `presence` message: who is here and the card each looks at."""
    rows = sorted(people, key=lambda h: (h.person.name.lower(), h.person.key))
    return {
        "members": [
            {"userId": h.person.key, "name": h.person.name, "state": "online", "focus": h.focus}
            for h in rows
        ]
    }


@dataclass(frozen=True)
class BoardCaller:
    conn: Connection
    actor: Actor
    board: BoardNamespace

    @property
    def room(self) -> str:
        return self.conn.room

    @property
    def ref(self) -> ProjectRef:
        return ProjectRef(self.conn.code)


async def room_state(c: BoardCaller, *, with_presence: bool = True) -> dict[str, Any]:
    """The board as `c` may see it; with who is here, unless the caller adds that."""
    state = await board_snapshot(c.actor, c.conn.code)
    if with_presence:
        state["presence"] = presence_payload(await c.board.presence.people(c.room))
    return state


@command(CreateCard, scope=PROJECTS_WRITE)
async def create_card(c: BoardCaller, p: CreateCard) -> Any:
    fields = p.sent("column_id")
    return await cards.create_card(actor=c.actor, ref=c.ref, column_id=p.column_id, fields=fields)


@command(UpdateCard, scope=PROJECTS_WRITE)
async def update_card(c: BoardCaller, p: UpdateCard) -> Any:
    changes = p.sent("card_id", "version")
    for key in ("title", "archived", "checklist"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key}: cannot be null")
    return await cards.update_card(
        actor=c.actor, ref=c.ref, card_id=p.card_id, changes=changes, version=p.version
    )


@command(MoveCard, scope=PROJECTS_WRITE)
async def move_card(c: BoardCaller, p: MoveCard) -> Any:
    return await moves.move_card(
        actor=c.actor,
        ref=c.ref,
        card_id=p.card_id,
        column_id=p.column_id,
        after_id=p.after_id,
        before_id=p.before_id,
        version=p.version,
    )


@command(CardRef, scope=PROJECTS_WRITE)
async def delete_card(c: BoardCaller, p: CardRef) -> Any:
    return await cards.delete_card(actor=c.actor, ref=c.ref, card_id=p.card_id)


@command(CreateColumn, scope=PROJECTS_WRITE)
async def create_column(c: BoardCaller, p: CreateColumn) -> Any:
    return await columns.create_column(
        actor=c.actor, ref=c.ref, name=p.name, wip_limit=p.wip_limit, scope_id=p.scope_id
    )


@command(UpdateColumn, scope=PROJECTS_WRITE)
async def update_column(c: BoardCaller, p: UpdateColumn) -> Any:
    changes = {k: getattr(p, k) for k in p.model_fields_set if k != "column_id"}
    for key in ("name", "order"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key}: cannot be null")
    return await columns.update_column(
        actor=c.actor, ref=c.ref, column_id=p.column_id, changes=changes
    )


@command(ColumnRef, scope=PROJECTS_WRITE)
async def delete_column(c: BoardCaller, p: ColumnRef) -> Any:
    return await columns.delete_column(actor=c.actor, ref=c.ref, column_id=p.column_id)


@command(AddComment, scope=PROJECTS_WRITE)
async def add_comment(c: BoardCaller, p: AddComment) -> Any:
    return await comments.add_comment(
        actor=c.actor, project_id=c.conn.code, card_id=p.card_id, content=p.content
    )


@command(FocusCard, scope=PROJECTS_READ)
async def focus_card(c: BoardCaller, p: FocusCard) -> Any:
    focus: dict[str, Any] | None = None
    if p.card_id is not None:
        # The card must be on this board; reading it also re-checks access.
        card = await cards.get_card(actor=c.actor, ref=c.ref, card_id=p.card_id)
        focus = {"cardId": card["id"], "mode": p.mode}
    if await c.board.presence.set_focus(c.room, c.conn.sid, focus):
        c.board.presence_changed(c.room)
    return {"focus": focus}


@command(Sync, scope=PROJECTS_READ)
async def sync(c: BoardCaller, p: Sync) -> Any:
    await project_by_id(c.actor, c.conn.code)
    missed = await events_since(c.room, p.since)
    if missed is not None:
        return {"events": [e.wire() for e in missed]}
    return {"snapshot": await room_state(c)}


COMMANDS: dict[str, Command[BoardCaller, Any]] = {
    c.name: c
    for c in (
        create_card,
        update_card,
        move_card,
        delete_card,
        create_column,
        update_column,
        delete_column,
        add_comment,
        focus_card,
        sync,
    )
}


def user_room(user_id: uuid.UUID) -> str:
    """Every /board socket of one user, where their notifications arrive live."""
    return f"user:{user_id}"


class BoardNamespace(RoomNamespace[BoardCaller]):
    commands = COMMANDS
    scope = PROJECTS_READ
    not_joined = "This socket has not joined a board"

    presence_payload = staticmethod(presence_payload)

    def caller(self, conn: Connection, actor: Actor) -> BoardCaller:
        return BoardCaller(conn=conn, actor=actor, board=self)

    async def admit(self, sid: str, auth: Any) -> str:
        token, project = credentials(auth, "project", "the project's id")
        actor = await self.authenticated(token)
        user_id = require_user(actor)
        pid = str(parse_id(project, "Project"))
        room = board_room(pid)
        conn = account_connection(sid, key=pid, room=room, token=token, actor=actor)
        # Under the room's gate no event reaches the room, so `state` goes out first. The
        # snapshot reads the caller's access with the board, in one hop: a removal
        # committed before it refuses this socket, one committed after reaches it as an
        # event and closes it.
        async with self.gate.hold(room):
            state = await room_state(self.caller(conn, actor), with_presence=False)
            self.sockets.enter_room(sid, user_room(user_id))
            await self.welcome(conn, actor, Person(str(actor.user_id), actor.name), state)
        return room

    async def on_room_event(self, room: str, kind: str, data: dict[str, Any]) -> None:
        """A member removed from the board loses its sockets at once."""
        if kind == "member_removed":
            await self.close_removed_member(room, data)
