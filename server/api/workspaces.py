"""REST for workspaces and their members (seed 001, "Workspaces")."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from server.api.routing import Api, Call
from server.api.schemas import CamelInput, CamelOutput, NoNul, Slug
from server.api.shared import WS, Ok, member_id, ws_where
from services.boards import workspaces
from services.boards.orgs import NAME_MAX
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("workspaces")


class WorkspaceCreate(CamelInput):
    name: Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX), NoNul]
    slug: Slug = Field(description="2-60 lowercase letters, digits and hyphens")


class WorkspaceUpdate(CamelInput):
    name: Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX), NoNul] | None = None


class WorkspaceMemberUpdate(CamelInput):
    role: Literal["admin", "member"] | None = None
    pilotage_role: Literal["viewer", "reviewer", "owner"] | None = None


class WorkspacePublic(CamelOutput):
    id: uuid.UUID
    name: str
    slug: str
    organization_id: uuid.UUID
    owner_id: uuid.UUID
    is_personal: bool
    my_role: str | None
    my_pilotage_role: str | None
    created_at: str
    updated_at: str


class WorkspaceMemberPublic(CamelOutput):
    user_id: uuid.UUID
    email: str
    name: str
    role: str
    pilotage_role: str
    joined_at: str


@api.route(
    "POST",
    "/orgs/{org_slug}/workspaces",
    summary="Create a workspace; you become its admin and pilotage owner",
    body=WorkspaceCreate,
    response=WorkspacePublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def create_workspace(call: Call) -> Any:
    body: WorkspaceCreate = call.body
    return await workspaces.create_workspace(
        actor=call.user, org_slug=call.path["org_slug"], name=body.name, slug=body.slug
    )


@api.route(
    "GET",
    "/orgs/{org_slug}/workspaces",
    summary="The organization's workspaces you can open",
    response=list[WorkspacePublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_workspaces(call: Call) -> Any:
    return await workspaces.list_workspaces(actor=call.user, org_slug=call.path["org_slug"])


@api.route(
    "GET", WS, summary="One workspace", response=WorkspacePublic, scope=PROJECTS_READ, errors=(404,)
)
async def get_workspace(call: Call) -> Any:
    return await workspaces.get_workspace(actor=call.user, **ws_where(call))


@api.route(
    "PATCH",
    WS,
    summary="Rename a workspace (admins)",
    body=WorkspaceUpdate,
    response=WorkspacePublic,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def update_workspace(call: Call) -> Any:
    body: WorkspaceUpdate = call.body
    return await workspaces.update_workspace(actor=call.user, name=body.name, **ws_where(call))


@api.route(
    "DELETE",
    WS,
    summary="Delete a workspace with its projects (admins)",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def delete_workspace(call: Call) -> Any:
    await workspaces.delete_workspace(actor=call.user, **ws_where(call))
    return {"ok": True}


@api.route(
    "GET",
    WS + "/members",
    summary="The workspace's members with their roles",
    response=list[WorkspaceMemberPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_members(call: Call) -> Any:
    return await workspaces.list_ws_members(actor=call.user, **ws_where(call))


@api.route(
    "PATCH",
    WS + "/members/{user_id}",
    summary="Change a member's workspace role and/or pilotage role (admins)",
    body=WorkspaceMemberUpdate,
    response=WorkspaceMemberPublic,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def update_member(call: Call) -> Any:
    body: WorkspaceMemberUpdate = call.body
    return await workspaces.update_ws_member(
        actor=call.user,
        user_id=member_id(call),
        role=body.role,
        pilotage_role=body.pilotage_role,
        **ws_where(call),
    )


@api.route(
    "DELETE",
    WS + "/members/{user_id}",
    summary="Remove a member (or leave) with their memberships of the workspace's projects",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def remove_member(call: Call) -> Any:
    await workspaces.remove_ws_member(actor=call.user, user_id=member_id(call), **ws_where(call))
    return {"ok": True}
