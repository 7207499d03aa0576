"""REST for comments on a card (seed 001)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from server.api.card_extras import CARD, NoNul, Ok, project_ref
from server.api.routing import Api, Call
from server.api.schemas import CamelInput, CamelOutput
from services.boards import comments
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("comments")

Content = Annotated[str, StringConstraints(min_length=1, max_length=comments.CONTENT_MAX), NoNul]


class CommentCreate(CamelInput):
    content: Content = Field(description="1-2000 characters")


class CommentPublic(CamelOutput):
    id: uuid.UUID
    card_id: uuid.UUID
    author_id: uuid.UUID | None
    author_name: str
    content: str
    created_at: datetime


@api.route(
    "GET",
    CARD + "/comments",
    summary="List a card's comments, oldest first",
    response=list[CommentPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_comments(call: Call) -> Any:
    return await comments.list_comments(
        actor=call.user, ref=project_ref(call), card_id=call.path["card_id"]
    )


@api.route(
    "POST",
    CARD + "/comments",
    summary="Comment on a card; the assignee, creator and earlier commenters are notified",
    body=CommentCreate,
    response=CommentPublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def add_comment(call: Call) -> Any:
    body: CommentCreate = call.body
    return await comments.add_comment(
        actor=call.user,
        project_id=call.path["project_id"],
        org_slug=call.path["org_slug"],
        ws_slug=call.path["ws_slug"],
        card_id=call.path["card_id"],
        content=body.content,
    )


@api.route(
    "DELETE",
    CARD + "/comments/{comment_id}",
    summary="Delete a comment (its author or a project admin)",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def delete_comment(call: Call) -> Any:
    await comments.delete_comment(
        actor=call.user,
        ref=project_ref(call),
        card_id=call.path["card_id"],
        comment_id=call.path["comment_id"],
    )
    return {"ok": True}
