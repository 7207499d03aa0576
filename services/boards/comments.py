"""Comments on cards: the discussion thread, and who hears about a new comment."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from models import Comment, Project
from services import sql
from services.actors import Actor
from services.auth import require_user
from services.boards import notify
from services.boards.access import parse_id
from services.boards.locate import (
    ProjectRef,
    board_access,
    card_in,
    card_row_steps,
    claimed_project,
    room_of,
)
from services.errors import Forbidden, NotFound, ValidationFailed
from services.events import UnitOfWork, transact
from services.timefmt import iso

CONTENT_MAX = 2000
_EXCERPT = 140


def comment_public(c: Comment) -> dict[str, Any]:
    return {
        "id": str(c.id),
        "cardId": str(c.card_id),
        "authorId": str(c.author_id) if c.author_id else None,
        "authorName": c.author_name,
        "content": c.content,
        "createdAt": iso(c.created_at),
    }


def _clean(content: Any) -> str:
    if not isinstance(content, str):
        raise ValidationFailed(
            "content: must be a string", details={"errors": {"content": ["must be a string"]}}
        )
    text: str = content.strip()
    if not 1 <= len(text) <= CONTENT_MAX:
        message = f"must be 1-{CONTENT_MAX} characters"
        raise ValidationFailed(f"content: {message}", details={"errors": {"content": [message]}})
    return text


async def list_comments(*, actor: Actor, ref: ProjectRef, card_id: Any) -> list[dict[str, Any]]:
    access = await board_access(actor, ref)
    card = await card_in(access.project.id, card_id)
    rows = await Comment.filter(card_id=card.id).order_by("created_at", "id")
    return [comment_public(c) for c in rows]


# A comment is written as steps (`events.transact`), like a card move: comments are
# posted live in a meeting, and through the ORM one cost several times a move.
_AUTHORS = "SELECT DISTINCT author_id FROM comments WHERE card_id = ? AND author_id IS NOT NULL"
_INSERT = (
    "INSERT INTO comments (id, card_id, author_id, author_name, content, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class _Commented:
    id: uuid.UUID
    title: str
    # The assignee, the card's creator and everyone who commented before.
    followers: set[uuid.UUID]


def _ids(values: Iterable[Any]) -> set[uuid.UUID]:
    return {uuid.UUID(str(v)) for v in values if v is not None}


def _commented(project_id: uuid.UUID, card_id: Any) -> sql.Steps[_Commented]:
    card = yield from card_row_steps(project_id, card_id, "id, title, assignee_id, created_by_id")
    cid = uuid.UUID(str(card["id"]))
    authors = yield sql.stmt(_AUTHORS, str(cid))
    followers = _ids([card["assignee_id"], card["created_by_id"]])
    return _Commented(cid, card["title"], followers | _ids(r["author_id"] for r in authors))


def _post(
    uow: UnitOfWork,
    actor: Actor,
    author_id: uuid.UUID,
    ref: ProjectRef,
    card_id: Any,
    text: str,
) -> sql.Steps[dict[str, Any]]:
    access, seq = yield from claimed_project(uow, actor, ref)
    card = yield from _commented(access.project.id, card_id)
    now = sql.now()
    comment = Comment(
        id=uuid.uuid4(),
        card_id=card.id,
        author_id=author_id,
        author_name=actor.name[:100],
        content=text,
        created_at=now,
        updated_at=now,
    )
    yield sql.stmt(
        _INSERT,
        str(comment.id),
        str(card.id),
        str(author_id),
        comment.author_name,
        text,
        now,
        now,
    )
    public = comment_public(comment)
    data = {"comment": public, "cardId": str(card.id)}
    yield from uow.append_steps(room_of(access), seq, "comment_added", data, actor)
    recipients = yield from who_can_see_steps(access.project, card.followers - {author_id})
    notes = yield from notify.activity_steps(
        type="comment_added",
        actor=actor,
        project_id=access.project.id,
        card_id=card.id,
        meta={"cardTitle": card.title, "commentId": public["id"], "excerpt": text[:_EXCERPT]},
        recipients=recipients,
    )
    uow.record(*notify.created(notes))
    return public


async def add_comment(
    *,
    actor: Actor,
    project_id: Any,
    card_id: Any,
    content: Any,
    org_slug: str | None = None,
    ws_slug: str | None = None,
) -> dict[str, Any]:
    """Post a comment; the /board socket names only the project, REST the full path."""
    author_id = require_user(actor)
    text = _clean(content)
    ref = ProjectRef(project_id, org_slug, ws_slug)
    return await transact(lambda uow: _post(uow, actor, author_id, ref, card_id, text))


_AUTHOR = "SELECT author_id FROM comments WHERE id = ? AND card_id = ?"


def _delete(
    uow: UnitOfWork, actor: Actor, ref: ProjectRef, card_id: Any, comment_id: Any
) -> sql.Steps[None]:
    access, seq = yield from claimed_project(uow, actor, ref)
    cid = uuid.UUID(str((yield from card_row_steps(access.project.id, card_id))["id"]))
    mid = parse_id(comment_id, "Comment")
    rows = yield sql.stmt(_AUTHOR, str(mid), str(cid))
    if not rows:
        raise NotFound("Comment not found")
    author = rows[0]["author_id"]
    mine = author is not None and uuid.UUID(str(author)) == actor.user_id
    if not mine and not access.is_admin:
        raise Forbidden("Only the author or a project admin can delete this comment")
    yield sql.stmt("DELETE FROM comments WHERE id = ?", str(mid))
    data = {"commentId": str(mid), "cardId": str(cid)}
    yield from uow.append_steps(room_of(access), seq, "comment_deleted", data, actor)


async def delete_comment(*, actor: Actor, ref: ProjectRef, card_id: Any, comment_id: Any) -> None:
    """Authors delete their own comments; project admins delete any."""
    await transact(lambda uow: _delete(uow, actor, ref, card_id, comment_id))


_MEMBERS = "SELECT user_id FROM project_members WHERE project_id = ? AND user_id IN ({marks})"
_WS_ADMINS = """
SELECT user_id FROM workspace_members
WHERE workspace_id = ? AND role = 'admin' AND user_id IN ({marks})
"""
_ORG_ADMINS = """
SELECT om.user_id FROM workspaces w JOIN org_members om ON om.org_id = w.org_id
WHERE w.id = ? AND om.role IN ('owner', 'admin') AND om.user_id IN ({marks})
"""


def who_can_see_steps(
    project: Project, user_ids: Iterable[uuid.UUID | None]
) -> sql.Steps[set[uuid.UUID]]:
    """The users among `user_ids` who may still open this project (members, or admins
    above)."""
    rest = {u for u in user_ids if u is not None}
    seen: set[uuid.UUID] = set()
    for text, within in (
        (_MEMBERS, project.id),
        (_WS_ADMINS, project.workspace_id),
        (_ORG_ADMINS, project.workspace_id),
    ):
        if not rest:
            break
        rows = yield from sql.in_chunks(text, sorted(str(u) for u in rest), str(within))
        found = _ids(r["user_id"] for r in rows)
        seen |= found
        rest -= found
    return seen


async def who_can_see(project: Project, user_ids: Iterable[uuid.UUID | None]) -> set[uuid.UUID]:
    """`who_can_see_steps`, on the current connection."""
    return await sql.drive(who_can_see_steps(project, user_ids))
