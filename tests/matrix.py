"""The callers of the permission matrices and the board they act on.

Every caller is a real account with a real token: nobody is faked, so a refusal comes
from the same checks a browser or a script would meet.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from models import (
    Attachment,
    CardRelation,
    ChecklistItem,
    Column,
    Comment,
    CustomField,
    Label,
    Notification,
    Scope,
    User,
)
from services import tokens
from services.boards import attachments, invitations
from services.scopes import ALL as ALL_SCOPES
from tests.card_details import make_card
from tests.factories import Board, add_member, create_board, create_user, jwt_for, user_actor

# Refusals first: they change nothing, so one board serves all of them.
CALLERS = ("anonymous", "stranger", "pat_read", "ws_member", "member", "admin", "owner")
INSIDE = ("member", "admin", "owner")
# The owner's personal access token holding one scope each: a route that forgets its
# scope check answers one of them as it answers the owner. "pat:a+b" holds both.
PAT_PREFIX = "pat:"
PAT_CALLERS = tuple(PAT_PREFIX + scope for scope in ALL_SCOPES)

_numbers = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_numbers)}-{uuid.uuid4().hex[:6]}"


@dataclass
class World:
    """A board, a plain project member, a project admin (also workspace admin) and a
    workspace member outside the project; the board's owner owns the organization. A
    stranger and a read-only PAT come on demand."""

    board: Board
    member: User
    admin: User
    ws_member: User
    # Put in front of every name this world makes, so another tenant's answer can be
    # searched for it.
    tag: str = ""
    _stranger: User | None = None
    _pat: str | None = None
    _pats: dict[str, str] = field(default_factory=dict)
    _jwts: dict[uuid.UUID, str] = field(default_factory=dict)

    @property
    def owner(self) -> User:
        return self.board.owner

    async def stranger(self) -> User:
        """Signed in, with an organization of their own, but nothing to do with this one."""
        if self._stranger is None:
            self._stranger = await create_user(name="Stranger")
            await create_board(self._stranger)
        return self._stranger

    async def user(self, caller: str) -> User:
        """Who the request acts as (every PAT acts as the board's owner)."""
        if caller == "stranger":
            return await self.stranger()
        if caller == "member":
            return self.member
        if caller == "ws_member":
            return self.ws_member
        if caller == "admin":
            return self.admin
        return self.owner

    async def token(self, caller: str) -> str | None:
        if caller == "anonymous":
            return None
        if caller == "pat_read":
            if self._pat is None:
                _, self._pat = await tokens.create_token(
                    actor=user_actor(self.owner), name="reader", scopes=["projects:read"]
                )
            return self._pat
        if caller.startswith(PAT_PREFIX):
            held = caller.removeprefix(PAT_PREFIX)
            if held not in self._pats:
                _, self._pats[held] = await tokens.create_token(
                    actor=user_actor(self.owner), name=held, scopes=held.split("+")
                )
            return self._pats[held]
        user = await self.user(caller)
        if user.id not in self._jwts:
            self._jwts[user.id] = jwt_for(user)
        return self._jwts[user.id]

    async def headers(self, caller: str) -> dict[str, str]:
        token = await self.token(caller)
        return {"Authorization": f"Bearer {token}"} if token else {}

    # What the rows act on: each call makes a new one, so a delete never meets a
    # thing an earlier caller already deleted.

    async def card(self, title: str = "Write the spec", **fields: Any) -> str:
        return str((await make_card(self.board, self.tag + title, **fields)).id)

    async def empty_column(self, name: str = "Parking") -> str:
        order = len(self.board.columns) + next(_numbers)
        column = await Column.create(
            project_id=self.board.project.id, name=self.tag + name, order=order
        )
        return str(column.id)

    async def comment(self, card_id: str, content: str = "Looks good") -> str:
        row = await Comment.create(
            card_id=card_id,
            author_id=self.owner.id,
            author_name=self.owner.name,
            content=self.tag + content,
        )
        return str(row.id)

    async def attachment(self, card_id: str, name: str = "spec.txt") -> str:
        key = uuid.uuid4().hex
        payload = b"the spec"
        (attachments.directory() / key).write_bytes(payload)
        row = await Attachment.create(
            card_id=card_id,
            uploaded_by_id=self.owner.id,
            original_name=self.tag + name,
            mime_type="text/plain",
            size=len(payload),
            storage_key=key,
        )
        return str(row.id)

    async def label(self, name: str = "bug") -> str:
        row = await Label.create(
            project_id=self.board.project.id, name=(self.tag + name)[:50], color="#ff0000"
        )
        return str(row.id)

    async def custom_field(self, name: str = "Team") -> str:
        row = await CustomField.create(
            project_id=self.board.project.id, name=self.tag + name, type="text"
        )
        return str(row.id)

    async def relation(self, source: str, target: str) -> str:
        row = await CardRelation.create(
            project_id=self.board.project.id, source_id=source, target_id=target, kind="related_to"
        )
        return str(row.id)

    async def checklist_item(self, card_id: str, title: str = "Draft it") -> str:
        item = await ChecklistItem.create(card_id=card_id, title=self.tag + title, order=0)
        return str(item.id)

    async def scope(self, name: str = "Q3") -> str:
        return str((await Scope.create(project_id=self.board.project.id, name=self.tag + name)).id)

    async def notification(self, user: User) -> str:
        row = await Notification.create(
            user_id=user.id,
            type="card_created",
            actor_id=self.owner.id,
            project_id=self.board.project.id,
            meta={"title": "Write the spec"},
        )
        return str(row.id)

    async def invitation(self, email: str) -> dict[str, Any]:
        return await invitations.invite(
            actor=user_actor(self.owner),
            org_slug=self.board.org.slug,
            ws_slug=self.board.workspace.slug,
            email=email,
        )

    async def newcomer(self, *, in_workspace: bool) -> User:
        """Someone not in the project: in its workspace, or in no space of this board."""
        user = await create_user()
        if in_workspace:
            await add_member(self.board, user, project_role=None)
        return user

    async def teammate(self) -> User:
        """One more plain member down to the project: someone to re-role or remove."""
        user = await create_user()
        await add_member(self.board, user)
        return user


async def build_world(tag: str = "") -> World:
    owner = await create_user(name=tag + "Olive Owner")
    board = await create_board(owner)
    if tag:
        board.project.name = tag + board.project.name
        await board.project.save(update_fields=["name"])
        for column in board.columns:
            column.name = tag + column.name
            await column.save(update_fields=["name"])
    member = await create_user(name=tag + "Max Member")
    await add_member(board, member)
    admin = await create_user(name=tag + "Ada Admin")
    await add_member(board, admin, ws_role="admin", project_role="admin")
    ws_member = await create_user(name=tag + "Wes Workspace")
    await add_member(board, ws_member, project_role=None)
    return World(board=board, member=member, admin=admin, ws_member=ws_member, tag=tag)
