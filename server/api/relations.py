"""REST for typed links between cards (seed 001)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from server.api.card_extras import BOARD, CARD, Ok, Ref, project_ref
from server.api.routing import Api, Call
from server.api.schemas import CamelInput, CamelOutput
from services.boards import relations
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("relations")


class RelationCreate(CamelInput):
    target_card_id: Ref = Field(description="A card of the same project")
    type: Literal["blocks", "blocked_by", "related_to", "duplicates", "parent_of"]


class RelationPublic(CamelOutput):
    id: uuid.UUID
    project_id: uuid.UUID
    card_id: uuid.UUID
    target_card_id: uuid.UUID
    type: str = Field(
        description="As seen from cardId: blocks, blocked_by, related_to, duplicates, "
        "duplicated_by, parent_of or child_of"
    )
    created_at: datetime


@api.route(
    "GET",
    CARD + "/relations",
    summary="A card's relations from both sides, each read from this card",
    response=list[RelationPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_relations(call: Call) -> Any:
    return await relations.list_relations(
        actor=call.user, ref=project_ref(call), card_id=call.path["card_id"]
    )


@api.route(
    "POST",
    CARD + "/relations",
    summary="Link this card to another card of the project",
    body=RelationCreate,
    response=RelationPublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def add_relation(call: Call) -> Any:
    body: RelationCreate = call.body
    return await relations.add_relation(
        actor=call.user,
        ref=project_ref(call),
        card_id=call.path["card_id"],
        target_card_id=body.target_card_id,
        type=body.type,
    )


@api.route(
    "DELETE",
    BOARD + "/relations/{relation_id}",
    summary="Delete a relation",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def delete_relation(call: Call) -> Any:
    await relations.delete_relation(
        actor=call.user, ref=project_ref(call), relation_id=call.path["relation_id"]
    )
    return {"ok": True}
