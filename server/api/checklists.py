"""REST for a card's checklist (seed 001); every change answers with the card's progress."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field, StrictBool, StringConstraints

from server.api.card_extras import CARD, NoNul, project_ref
from server.api.routing import Api, Call
from server.api.schemas import CamelInput, CamelOutput, Output, StrictInt
from services.boards import checklists
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("checklists")

Title = Annotated[str, StringConstraints(min_length=1, max_length=checklists.TITLE_MAX), NoNul]


class ChecklistItemCreate(CamelInput):
    title: Title = Field(description="1-500 characters")


class ChecklistItemUpdate(CamelInput):
    title: Title | None = None
    done: StrictBool | None = None
    order: Annotated[StrictInt, Field(ge=0, le=checklists.MAX_ITEMS)] | None = Field(
        default=None, description="The item's new 0-based place in the list"
    )


class ChecklistItemPublic(Output):
    item_id: uuid.UUID = Field(alias="_id", description="The item's id, as the boards API names it")
    id: uuid.UUID = Field(description="The same id as `_id`")
    title: str
    done: bool
    order: int


class ChecklistChange(CamelOutput):
    card_id: uuid.UUID
    item: ChecklistItemPublic
    progress: int | None = Field(description="Percent of items done, or null when none")


class Checklist(CamelOutput):
    card_id: uuid.UUID
    items: list[ChecklistItemPublic]
    progress: int | None


class ChecklistItemDeleted(Output):
    ok: bool
    progress: int | None


def _item(call: Call) -> dict[str, Any]:
    return {"card_id": call.path["card_id"], "item_id": call.path["item_id"]}


@api.route(
    "GET",
    CARD + "/checklist",
    summary="A card's checklist and progress",
    response=Checklist,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_items(call: Call) -> Any:
    return await checklists.list_items(
        actor=call.user, ref=project_ref(call), card_id=call.path["card_id"]
    )


@api.route(
    "POST",
    CARD + "/checklist",
    summary="Add a checklist item (at most 100 per card)",
    body=ChecklistItemCreate,
    response=ChecklistChange,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def add_item(call: Call) -> Any:
    body: ChecklistItemCreate = call.body
    return await checklists.add_item(
        actor=call.user, ref=project_ref(call), card_id=call.path["card_id"], title=body.title
    )


@api.route(
    "PATCH",
    CARD + "/checklist/{item_id}",
    summary="Rename, tick or reorder a checklist item",
    body=ChecklistItemUpdate,
    response=ChecklistChange,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def update_item(call: Call) -> Any:
    body: ChecklistItemUpdate = call.body
    return await checklists.update_item(
        actor=call.user,
        ref=project_ref(call),
        **_item(call),
        title=body.title,
        done=body.done,
        order=body.order,
    )


@api.route(
    "DELETE",
    CARD + "/checklist/{item_id}",
    summary="Delete a checklist item",
    response=ChecklistItemDeleted,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def delete_item(call: Call) -> Any:
    result = await checklists.delete_item(actor=call.user, ref=project_ref(call), **_item(call))
    return {"ok": True, "progress": result["progress"]}
