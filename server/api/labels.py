"""REST for project labels and the labels on a card (seed 001)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from server.api.card_extras import BOARD, CARD, NoNul, Ok, project_ref
from server.api.card_schemas import CardLabel
from server.api.routing import Api, Call
from server.api.schemas import CamelInput, CamelOutput
from services.boards import labels
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("labels")

Name = Annotated[str, StringConstraints(min_length=1, max_length=labels.NAME_MAX), NoNul]
Color = Annotated[str, StringConstraints(pattern=labels.COLOR.pattern)]


class LabelCreate(CamelInput):
    name: Name = Field(description="1-50 characters")
    color: Color = Field(description="#RRGGBB")


class LabelUpdate(CamelInput):
    name: Name | None = None
    color: Color | None = None


class LabelPublic(CamelOutput):
    id: uuid.UUID
    project_id: uuid.UUID
    name: str
    color: str
    created_at: datetime


class CardLabels(CamelOutput):
    card_id: uuid.UUID
    labels: list[CardLabel]


@api.route(
    "GET",
    BOARD + "/labels",
    summary="List the project's labels",
    response=list[LabelPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_labels(call: Call) -> Any:
    return await labels.list_labels(actor=call.user, ref=project_ref(call))


@api.route(
    "POST",
    BOARD + "/labels",
    summary="Create a label",
    body=LabelCreate,
    response=LabelPublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def create_label(call: Call) -> Any:
    body: LabelCreate = call.body
    return await labels.create_label(
        actor=call.user, ref=project_ref(call), name=body.name, color=body.color
    )


@api.route(
    "PATCH",
    BOARD + "/labels/{label_id}",
    summary="Rename or recolor a label",
    body=LabelUpdate,
    response=LabelPublic,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def update_label(call: Call) -> Any:
    body: LabelUpdate = call.body
    return await labels.update_label(
        actor=call.user,
        ref=project_ref(call),
        label_id=call.path["label_id"],
        name=body.name,
        color=body.color,
    )


@api.route(
    "DELETE",
    BOARD + "/labels/{label_id}",
    summary="Delete a label; it comes off every card",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def delete_label(call: Call) -> Any:
    await labels.delete_label(
        actor=call.user, ref=project_ref(call), label_id=call.path["label_id"]
    )
    return {"ok": True}


@api.route(
    "POST",
    CARD + "/labels/{label_id}",
    summary="Put a label on a card",
    response=CardLabels,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def add_card_label(call: Call) -> Any:
    return await labels.set_card_label(
        actor=call.user,
        ref=project_ref(call),
        card_id=call.path["card_id"],
        label_id=call.path["label_id"],
        applied=True,
    )


@api.route(
    "DELETE",
    CARD + "/labels/{label_id}",
    summary="Take a label off a card",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def remove_card_label(call: Call) -> Any:
    await labels.set_card_label(
        actor=call.user,
        ref=project_ref(call),
        card_id=call.path["card_id"],
        label_id=call.path["label_id"],
        applied=False,
    )
    return {"ok": True}
