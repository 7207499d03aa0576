"""REST for organizations and their members (seed 001, "Organizations")."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from server.api.routing import Api, Call
from server.api.schemas import CamelInput, CamelOutput, Email, NoNul, Slug
from server.api.shared import Ok, member_id
from services.auth import require_user
from services.boards import orgs
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("organizations")


class OrgCreate(CamelInput):
    name: Annotated[str, StringConstraints(min_length=1, max_length=orgs.NAME_MAX), NoNul]
    slug: Slug = Field(description="2-60 lowercase letters, digits and hyphens")


class OrgUpdate(CamelInput):
    name: (
        Annotated[str, StringConstraints(min_length=1, max_length=orgs.NAME_MAX), NoNul] | None
    ) = None


class OrgMemberAdd(CamelInput):
    email: Email
    role: Literal["admin", "member"]


class OrgMemberUpdate(CamelInput):
    role: Literal["admin", "member"]


class OrgPublic(CamelOutput):
    id: uuid.UUID
    name: str
    slug: str
    owner_id: uuid.UUID
    is_personal: bool
    created_at: str
    updated_at: str
    my_role: str | None = None


class OrgMemberAdded(CamelOutput):
    """The same answer whether the address had an account (added now) or not (invited):
    it must not tell the two apart."""

    email: str
    role: str


class OrgMemberPublic(CamelOutput):
    user_id: uuid.UUID
    email: str
    name: str
    role: str
    joined_at: str


@api.route(
    "POST",
    "/organizations",
    summary="Create an organization; you become its owner",
    body=OrgCreate,
    response=OrgPublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(409,),
)
async def create_org(call: Call) -> Any:
    body: OrgCreate = call.body
    return await orgs.create_org(actor=call.user, name=body.name, slug=body.slug)


@api.route(
    "GET",
    "/organizations",
    summary="The organizations you belong to",
    response=list[OrgPublic],
    scope=PROJECTS_READ,
)
async def list_orgs(call: Call) -> Any:
    return await orgs.list_orgs(actor=call.user)


@api.route(
    "GET",
    "/organizations/{org_slug}",
    summary="One organization you belong to",
    response=OrgPublic,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def get_org(call: Call) -> Any:
    return await orgs.get_org(actor=call.user, org_slug=call.path["org_slug"])


@api.route(
    "PATCH",
    "/organizations/{org_slug}",
    summary="Rename an organization (owner or admin)",
    body=OrgUpdate,
    response=OrgPublic,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def update_org(call: Call) -> Any:
    body: OrgUpdate = call.body
    return await orgs.update_org(actor=call.user, org_slug=call.path["org_slug"], name=body.name)


@api.route(
    "DELETE",
    "/organizations/{org_slug}",
    summary="Delete an organization with all its workspaces and projects (owner only)",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def delete_org(call: Call) -> Any:
    await orgs.delete_org(actor=call.user, org_slug=call.path["org_slug"])
    return {"ok": True}


@api.route(
    "GET",
    "/organizations/{org_slug}/members",
    summary="The organization's members and their roles",
    response=list[OrgMemberPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_members(call: Call) -> Any:
    return await orgs.list_org_members(actor=call.user, org_slug=call.path["org_slug"])


@api.route(
    "POST",
    "/organizations/{org_slug}/members",
    summary=(
        "Add someone by email (owner or admin): an account is added and notified, an "
        "address without one is invited; both answer alike"
    ),
    body=OrgMemberAdd,
    response=OrgMemberAdded,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def add_member(call: Call) -> Any:
    body: OrgMemberAdd = call.body
    return await orgs.add_org_member(
        actor=call.user, org_slug=call.path["org_slug"], email=body.email, role=body.role
    )


@api.route(
    "PATCH",
    "/organizations/{org_slug}/members/{user_id}",
    summary="Change a member's role; the owner cannot be changed",
    body=OrgMemberUpdate,
    response=OrgMemberPublic,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def update_member(call: Call) -> Any:
    body: OrgMemberUpdate = call.body
    return await orgs.update_org_member(
        actor=call.user, org_slug=call.path["org_slug"], user_id=member_id(call), role=body.role
    )


@api.route(
    "DELETE",
    "/organizations/{org_slug}/members/{user_id}",
    summary=(
        "Remove a member with their workspace and project memberships; `me` as the user "
        "id leaves the organization"
    ),
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def remove_member(call: Call) -> Any:
    user_id = require_user(call.user) if call.path["user_id"] == "me" else member_id(call)
    await orgs.remove_org_member(actor=call.user, org_slug=call.path["org_slug"], user_id=user_id)
    return {"ok": True}
