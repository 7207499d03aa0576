"""REST for project custom fields and their values on cards (seed 001)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, RootModel, StringConstraints

from server.api.card_extras import BOARD, CARD, NoNul, Ok, Ref, project_ref
from server.api.routing import Api, Call
from server.api.schemas import CamelInput, CamelOutput
from services.boards import custom_fields
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("custom-fields")

Name = Annotated[str, StringConstraints(min_length=1, max_length=custom_fields.NAME_MAX), NoNul]
Option = Annotated[str, StringConstraints(min_length=1, max_length=custom_fields.OPTION_MAX), NoNul]
FieldType = Literal["text", "number", "select", "multi-select", "date", "boolean"]
Options = Annotated[list[Option], Field(max_length=custom_fields.OPTIONS_MAX)]


class CustomFieldCreate(CamelInput):
    name: Name = Field(description="1-100 characters")
    type: FieldType
    options: Options | None = Field(
        default=None, description="For select and multi-select: 1-50 unique strings"
    )


class CustomFieldUpdate(CamelInput):
    name: Name | None = None
    type: FieldType | None = None
    options: Options | None = None


class CustomFieldPublic(CamelOutput):
    id: uuid.UUID
    project_id: uuid.UUID
    name: str
    type: str
    options: list[str]
    position: int
    created_at: datetime


class CardFieldValues(RootModel[dict[Ref, Any]]):
    """An object mapping field ids to values; null clears a field."""

    root: Annotated[dict[Ref, Any], Field(max_length=custom_fields.MAX_FIELDS)]


class CardCustomFields(CamelOutput):
    card_id: uuid.UUID
    values: dict[str, Any]


def _field(call: Call) -> dict[str, Any]:
    return {"ref": project_ref(call), "field_id": call.path["field_id"]}


@api.route(
    "GET",
    BOARD + "/custom-fields",
    summary="List the project's custom fields",
    response=list[CustomFieldPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_fields(call: Call) -> Any:
    return await custom_fields.list_fields(actor=call.user, ref=project_ref(call))


@api.route(
    "POST",
    BOARD + "/custom-fields",
    summary="Create a custom field (project admins)",
    body=CustomFieldCreate,
    response=CustomFieldPublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def create_field(call: Call) -> Any:
    body: CustomFieldCreate = call.body
    return await custom_fields.create_field(
        actor=call.user, ref=project_ref(call), name=body.name, type=body.type, options=body.options
    )


@api.route(
    "PATCH",
    BOARD + "/custom-fields/{field_id}",
    summary="Change a field's name, type or options; values that no longer fit are cleared",
    body=CustomFieldUpdate,
    response=CustomFieldPublic,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def update_field(call: Call) -> Any:
    body: CustomFieldUpdate = call.body
    return await custom_fields.update_field(
        actor=call.user, **_field(call), name=body.name, type=body.type, options=body.options
    )


@api.route(
    "DELETE",
    BOARD + "/custom-fields/{field_id}",
    summary="Delete a custom field and its values on every card",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def delete_field(call: Call) -> Any:
    await custom_fields.delete_field(actor=call.user, **_field(call))
    return {"ok": True}


@api.route(
    "GET",
    CARD + "/custom-fields",
    summary="A card's custom field values",
    response=CardCustomFields,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def card_values(call: Call) -> Any:
    return await custom_fields.card_values(
        actor=call.user, ref=project_ref(call), card_id=call.path["card_id"]
    )


@api.route(
    "PATCH",
    CARD + "/custom-fields",
    summary="Set a card's custom field values: {fieldId: value}, null clears",
    body=CardFieldValues,
    response=CardCustomFields,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def set_card_values(call: Call) -> Any:
    body: CardFieldValues = call.body
    return await custom_fields.set_card_values(
        actor=call.user, ref=project_ref(call), card_id=call.path["card_id"], values=body.root
    )
