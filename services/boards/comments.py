"""Comments on cards: the discussion thread, and who hears about a new comment."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from models import Card, Comment, OrgMember, Project, ProjectMember, Workspace, WorkspaceMember
from services.actors import Actor
from services.auth import require_user
from services.boards import notify
from services.boards.access import find_in
from services.boards.locate import ProjectRef, board_access, card_in, locked_project, room_of
from services.errors import Forbidden, ValidationFailed
from services.events import unit_of_work
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


async def _recipients(card: Card, author_id: uuid.UUID) -> set[uuid.UUID]:
    """The assignee, the card's creator and everyone who commented before."""
    earlier = await Comment.filter(card_id=card.id).values_list("author_id", flat=True)
    people = {card.assignee_id, card.created_by_id, *(uuid.UUID(str(a)) for a in earlier if a)}
    people.discard(author_id)
    return {p for p in people if p is not None}


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
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        card = await card_in(access.project.id, card_id)
        wanted = await _recipients(card, author_id)
        comment = await Comment.create(
            card_id=card.id, author_id=author_id, author_name=actor.name[:100], content=text
        )
        public = comment_public(comment)
        await uow.emit(
            room_of(access), "comment_added", {"comment": public, "cardId": str(card.id)}, actor
        )
        notes = await notify.activity(
            type="comment_added",
            actor=actor,
            project_id=access.project.id,
            card_id=card.id,
            meta={"cardTitle": card.title, "commentId": public["id"], "excerpt": text[:_EXCERPT]},
            recipients=await who_can_see(access.project, wanted),
        )
    await notify.deliver(notes)
    return public


async def delete_comment(*, actor: Actor, ref: ProjectRef, card_id: Any, comment_id: Any) -> None:
    """Authors delete their own comments; project admins delete any."""
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        card = await card_in(access.project.id, card_id)
        comment = await find_in(Comment, "Comment", comment_id, card_id=card.id)
        if comment.author_id != actor.user_id and not access.is_admin:
            raise Forbidden("Only the author or a project admin can delete this comment")
        await comment.delete()
        await uow.emit(
            room_of(access),
            "comment_deleted",
            {"commentId": str(comment.id), "cardId": str(card.id)},
            actor,
        )


async def who_can_see(project: Project, user_ids: Iterable[uuid.UUID | None]) -> set[uuid.UUID]:
    """The users among `user_ids` who may still open this project (members, or admins above)."""
    wanted = {u for u in user_ids if u is not None}
    if not wanted:
        return set()
    members = await ProjectMember.filter(project_id=project.id, user_id__in=wanted).values_list(
        "user_id", flat=True
    )
    seen = {uuid.UUID(str(u)) for u in members}
    rest = wanted - seen
    if rest:
        ws_admins = await WorkspaceMember.filter(
            workspace_id=project.workspace_id, user_id__in=rest, role="admin"
        ).values_list("user_id", flat=True)
        seen |= {uuid.UUID(str(u)) for u in ws_admins}
        rest -= seen
    if rest:
        ws = await Workspace.get(id=project.workspace_id)
        org_admins = await OrgMember.filter(
            org_id=ws.org_id, user_id__in=rest, role__in=("owner", "admin")
        ).values_list("user_id", flat=True)
        seen |= {uuid.UUID(str(u)) for u in org_admins}
    return seen
