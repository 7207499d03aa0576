"""REST for scopes, a project's work packages, and their views (seed 001)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from server.api.card_extras import BOARD, NoNul, Ok, project_ref
from server.api.routing import Api, Call
from server.api.schemas import CamelInput, CamelOutput
from services.boards import scopes
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("scopes")

SCOPE = BOARD + "/scopes/{scope_id}"
Name = Annotated[str, StringConstraints(min_length=1, max_length=scopes.NAME_MAX), NoNul]
Description = Annotated[str, StringConstraints(max_length=scopes.DESCRIPTION_MAX), NoNul]
View = Literal["kanban", "list", "calendar", "roadmap", "stats"]


class ScopeCreate(CamelInput):
    name: Name = Field(description="1-200 characters")
    description: Description = ""
    settings: dict[str, Any] | None = Field(default=None, description="At most 16 KiB of JSON")


class ScopeUpdate(CamelInput):
    name: Name | None = None
    description: Description | None = None
    settings: dict[str, Any] | None = None


class ViewSwitch(CamelInput):
    active_view: View


class ScopePublic(CamelOutput):
    id: uuid.UUID
    project_id: uuid.UUID
    name: str
    description: str
    active_view: str
    settings: dict[str, Any]
    position: int
    created_at: datetime
    updated_at: datetime


class ScopeViews(CamelOutput):
    scope_id: uuid.UUID
    views: list[str]
    active_view: str


class ScopeColumn(CamelOutput):
    id: uuid.UUID
    name: str
    order: int
    wip_limit: int | None


class ScopeDetail(ScopePublic):
    columns: list[ScopeColumn]
    views: ScopeViews


def _scope(call: Call) -> dict[str, Any]:
    return {"ref": project_ref(call), "scope_id": call.path["scope_id"]}


@api.route(
    "GET",
    BOARD + "/scopes",
    summary="List the project's scopes",
    response=list[ScopePublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_scopes(call: Call) -> Any:
    return await scopes.list_scopes(actor=call.user, ref=project_ref(call))


@api.route(
    "POST",
    BOARD + "/scopes",
    summary="Create a scope (project admins)",
    body=ScopeCreate,
    response=ScopePublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def create_scope(call: Call) -> Any:
    body: ScopeCreate = call.body
    return await scopes.create_scope(
        actor=call.user,
        ref=project_ref(call),
        name=body.name,
        description=body.description,
        settings=body.settings,
    )


@api.route(
    "GET",
    SCOPE,
    summary="A scope with its columns and views",
    response=ScopeDetail,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def get_scope(call: Call) -> Any:
    return await scopes.get_scope(actor=call.user, **_scope(call))


@api.route(
    "PATCH",
    SCOPE,
    summary="Rename a scope or change its settings (project admins)",
    body=ScopeUpdate,
    response=ScopePublic,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def update_scope(call: Call) -> Any:
    body: ScopeUpdate = call.body
    return await scopes.update_scope(
        actor=call.user,
        **_scope(call),
        name=body.name,
        description=body.description,
        settings=body.settings,
    )


@api.route(
    "DELETE",
    SCOPE,
    summary="Delete a scope with its columns and their cards (project admins)",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def delete_scope(call: Call) -> Any:
    await scopes.delete_scope(actor=call.user, **_scope(call))
    return {"ok": True}


@api.route(
    "GET",
    SCOPE + "/views",
    summary="The views a scope offers and the active one",
    response=ScopeViews,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def scope_views(call: Call) -> Any:
    return await scopes.scope_views(actor=call.user, **_scope(call))


@api.route(
    "PATCH",
    SCOPE + "/views",
    summary="Switch a scope's active view",
    body=ViewSwitch,
    response=ScopeViews,
    # It answers the views it switched to, so it reads as well as writes.
    scope=(PROJECTS_READ, PROJECTS_WRITE),
    errors=(404,),
)
async def switch_view(call: Call) -> Any:
    body: ViewSwitch = call.body
    return await scopes.switch_view(actor=call.user, **_scope(call), active_view=body.active_view)
