"""The callers of the permission matrices, the board they act on, and the rows: each
area's rows say what every caller gets from each of its endpoints.

Every caller is a real account with a real token: nobody is faked, so a refusal comes
from the same checks a browser or a script would meet.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from models import (
    Attachment,
    CardRelation,
    ChecklistItem,
    Column,
    Comment,
    CustomField,
    Document,
    Label,
    Notification,
    Scope,
    User,
)
from services import tokens
from services.boards import attachments, invitations
from services.documents.documents import create_document
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

    async def document(
        self,
        title: str = "Handbook",
        *,
        author: User | None = None,
        status: str = "draft",
        **fields: Any,
    ) -> str:
        """A workspace document (or `scopeType`, `projectId`...) by `author` (the owner)."""
        made = await create_document(
            actor=user_actor(author or self.owner),
            org_slug=self.board.org.slug,
            ws_slug=self.board.workspace.slug,
            title=self.tag + title,
            doc_type=fields.pop("doc_type", "document"),
            content=fields.pop("content", None),
            scope_type=fields.pop("scope_type", "workspace"),
            **fields,
        )
        if status != "draft":
            await Document.filter(id=made["id"]).update(status=status)
        return str(made["id"])

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


# The rows

BOARD_PREFIXES = ("/orgs/", "/organizations", "/invitations", "/notifications")
PROJECTS_READ, PROJECTS_WRITE, NOTIFICATIONS = (
    "projects:read",
    "projects:write",
    "notifications:read",
)


@dataclass(frozen=True)
class Req:
    """What one row sends besides the board's own path parameters."""

    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    files: dict[str, tuple[str, bytes, str]] | None = None


Prep = Callable[[World, str], Awaitable[Req]]


@dataclass(frozen=True)
class Row:
    prep: Prep
    expected: dict[str, int]
    # The PAT scope that opens the route ("a+b" when it needs both).
    scope: str

    def callers(self) -> tuple[str, ...]:
        both = (PAT_PREFIX + self.scope,) if "+" in self.scope else ()
        return CALLERS + PAT_CALLERS + both

    def expect(self, caller: str) -> int:
        if caller.startswith(PAT_PREFIX):
            return self.expected["owner"] if opens(self.scope, caller) else 403
        return self.expected[caller]


def opens(scope: str, caller: str) -> bool:
    """Whether the PAT `caller` holds every scope the route needs."""
    held = set(caller.removeprefix(PAT_PREFIX).split("+"))
    return set(scope.split("+")) <= held


def expect(
    member: int,
    admin: int,
    owner: int,
    *,
    stranger: int = 404,
    pat_read: int = 403,
    ws_member: int | None = None,
) -> dict[str, int]:
    """`ws_member` (in the workspace, not in the project) defaults to what a project
    member gets above the project, and to 404 inside it (see `row`)."""
    out = {
        "anonymous": 401,
        "stranger": stranger,
        "pat_read": pat_read,
        "member": member,
        "admin": admin,
        "owner": owner,
    }
    if ws_member is not None:
        out["ws_member"] = ws_member
    return out


READ = expect(200, 200, 200, pat_read=200)
# Any project member may do it; a read-only token may not.
MEMBER_WRITE = expect(200, 200, 200)
MEMBER_CREATE = expect(201, 201, 201)
# Project (or workspace) admins only.
ADMIN_WRITE = expect(403, 200, 200)
ADMIN_CREATE = expect(403, 201, 201)
# The organization's owner (or an organization admin, which no caller here is).
ORG_OWNER_WRITE = expect(403, 403, 200)
ORG_OWNER_CREATE = expect(403, 403, 201)
# The caller's own things: a stranger has theirs too; a PAT needs notifications:read.
MINE = expect(200, 200, 200, stranger=200, pat_read=403)

ROWS: dict[tuple[str, str], Row] = {}


def row(
    method: str, path: str, expected: dict[str, int], prep: Prep | None = None, *, scope: str = ""
) -> None:
    """`scope` defaults to notifications:read for the caller's notifications, and else
    to projects:read for a GET and projects:write for a change."""
    assert (method, path) not in ROWS, (method, path)
    if "ws_member" not in expected:
        inside_project = "{project_id}" in path
        expected = expected | {"ws_member": 404 if inside_project else expected["member"]}
    if not scope:
        if path.startswith("/notifications"):
            scope = NOTIFICATIONS
        else:
            scope = PROJECTS_READ if method == "GET" else PROJECTS_WRITE
    ROWS[(method, path)] = Row(prep or nothing, expected, scope)


async def nothing(w: World, caller: str) -> Req:
    return Req()


# Organizations


@dataclass(frozen=True)
class ScopeRow:
    prep: Prep
    scope: str
    # What the owner's JWT gets for the same request.
    owner: int

    def expect(self, caller: str) -> int:
        if caller == "owner":
            return self.owner
        return self.owner if opens(self.scope, caller) else 403


SCOPE_ROWS: dict[tuple[str, str], ScopeRow] = {}


def scoped(method: str, path: str, scope: str, owner: int, prep: Prep | None = None) -> None:
    assert (method, path) not in SCOPE_ROWS and (method, path) not in ROWS, (method, path)
    SCOPE_ROWS[(method, path)] = ScopeRow(prep or nothing, scope, owner)


# Path parameters naming something a tenant owns; each area's rows add their own.
TENANT_IDS = [
    "project_id",
    "card_id",
    "column_id",
    "comment_id",
    "attachment_id",
    "label_id",
    "field_id",
    "relation_id",
    "item_id",
    "scope_id",
    "user_id",
    "invitation_id",
    "notification_id",
    "document_id",
]
