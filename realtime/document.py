"""The /document namespace: one room per document, admitting whoever may open it; who is
viewing or editing it, and every saved change in seq order."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from realtime.commands import Command, Payload, command
from realtime.connections import Connection, account_connection, credentials
from realtime.presence import Here, Person
from realtime.rooms import RoomNamespace
from services.actors import Actor
from services.documents.access import document_by_id, document_room
from services.documents.public import document_public
from services.errors import DomainError
from services.events import current_seq, events_since
from services.scopes import DOCUMENTS_READ

Mode = Literal["viewing", "editing"]


class SetMode(Payload):
    mode: Mode


class Sync(Payload):
    since: int


def presence_payload(people: list[Here]) -> dict[str, Any]:
    """Who has the document open, and whether they are editing it."""
    rows = sorted(people, key=lambda h: (h.person.name.lower(), h.person.key))
    return {
        "viewers": [
            {
                "userId": h.person.key,
                "name": h.person.name,
                "mode": (h.focus or {}).get("mode", "viewing"),
            }
            for h in rows
        ]
    }


@dataclass(frozen=True)
class DocumentCaller:
    conn: Connection
    actor: Actor
    ns: DocumentNamespace

    @property
    def room(self) -> str:
        return self.conn.room


async def room_state(actor: Actor, document_id: str) -> dict[str, Any]:
    """The document as the caller may see it, and the room's seq. The seq is read first:
    a save committed in between is then both in the document and replayed, and replaying
    a saved document is harmless, where missing one would not be."""
    seq = await current_seq(document_room(document_id))
    access = await document_by_id(actor, document_id)
    return {"seq": seq, "document": document_public(access.document)}


@command(SetMode, scope=DOCUMENTS_READ)
async def set_mode(c: DocumentCaller, p: SetMode) -> Any:
    # Reading the document again re-checks that the caller may still open it.
    await document_by_id(c.actor, c.conn.code)
    if await c.ns.presence.set_focus(c.room, c.conn.sid, {"mode": p.mode}):
        c.ns.presence_changed(c.room)
    return {"mode": p.mode}


@command(Sync, scope=DOCUMENTS_READ)
async def sync(c: DocumentCaller, p: Sync) -> Any:
    await document_by_id(c.actor, c.conn.code)
    missed = await events_since(c.room, p.since)
    if missed is not None:
        return {"events": [e.wire() for e in missed]}
    state = await room_state(c.actor, c.conn.code)
    state["presence"] = presence_payload(await c.ns.presence.people(c.room))
    return {"snapshot": state}


COMMANDS: dict[str, Command[DocumentCaller, Any]] = {c.name: c for c in (set_mode, sync)}


class DocumentNamespace(RoomNamespace[DocumentCaller]):
    commands = COMMANDS
    scope = DOCUMENTS_READ
    not_joined = "This socket has not opened a document"

    presence_payload = staticmethod(presence_payload)

    def caller(self, conn: Connection, actor: Actor) -> DocumentCaller:
        return DocumentCaller(conn=conn, actor=actor, ns=self)

    async def admit(self, sid: str, auth: Any) -> str:
        token, wanted = credentials(auth, "document", "the document's id")
        actor = await self.authenticated(token)
        access = await document_by_id(actor, wanted)
        assert actor.user_id is not None  # document_by_id admits accounts only
        doc_id = str(access.document.id)
        room = document_room(doc_id)
        conn = account_connection(sid, key=doc_id, room=room, token=token, actor=actor)
        # Under the room's gate no event reaches the room, so `state` goes out first.
        async with self.gate.hold(room):
            state = await room_state(actor, doc_id)
            await self.welcome(conn, actor, Person(str(actor.user_id), actor.name), state)
        return room

    async def delivered(self, event: str, data: Any, namespace: str, room: Any) -> None:
        """Besides what every room namespace does: someone removed from a project (its
        /board room hears it) or from a workspace or organization (its /workspace room
        does) loses the documents they can no longer open, on every worker."""
        await super().delivered(event, data, namespace, room)
        if namespace == self.namespace or event != "event" or not isinstance(data, dict):
            return
        body = data.get("data")
        if data.get("type") != "member_removed" or not isinstance(body, dict):
            return
        try:
            user_id = uuid.UUID(str(body.get("userId")))
        except ValueError:
            return
        await self._recheck(user_id)

    async def _recheck(self, user_id: uuid.UUID) -> None:
        for room in self.connections.rooms():
            for sid in self.connections.of_user(room, user_id):
                conn, known = self.connections.get(sid), self._actors.get(sid)
                if conn is None or known is None:
                    continue
                try:
                    await document_by_id(known[0], conn.code)
                except DomainError:
                    await self.sockets.disconnect(sid)

    async def on_room_event(self, room: str, kind: str, data: dict[str, Any]) -> None:
        """A deleted document closes its sockets, once they have heard it."""
        if kind != "document_deleted":
            return
        try:
            uuid.UUID(str(data.get("documentId")))
        except ValueError:
            return
        for sid in self.connections.in_room(room):
            await self.sockets.disconnect(sid)
