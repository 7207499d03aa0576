"""Workspaces inside an organization, and their members with workspace and pilotage roles.

Any member of the organization may create a workspace and becomes its admin and pilotage
owner. Workspace admins (and the organization's owner and admins) manage it; the
workspace's owner keeps their membership as it is.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import OrgMember, Project, ProjectMember, User, Workspace, WorkspaceMember
from services.actors import Actor
from services.boards import notify
from services.boards.access import (
    PILOTAGE_ROLES,
    WORKSPACE_ROLES,
    WorkspaceAccess,
    org_access,
    workspace_access,
)
from services.boards.attachments import discard_files, storage_keys_of_projects
from services.boards.orgs import (
    OWNER_IS_FIXED,
    check_role,
    check_slug,
    clean_name,
    forget_projects,
    lock_memberships,
    removed_from_projects,
)
from services.errors import Conflict, Forbidden, NotFound
from services.events import unit_of_work
from services.pilotage.access import left_workspaces
from services.timefmt import iso


def workspace_public(ws: Workspace, member: WorkspaceMember | None) -> dict[str, Any]:
    return {
        "id": str(ws.id),
        "name": ws.name,
        "slug": ws.slug,
        "organizationId": str(ws.org_id),
        "ownerId": str(ws.owner_id),
        "isPersonal": ws.is_personal,
        "myRole": member.role if member else None,
        "myPilotageRole": member.pilotage_role if member else None,
        "createdAt": iso(ws.created_at),
        "updatedAt": iso(ws.updated_at),
    }


def _access_public(access: WorkspaceAccess) -> dict[str, Any]:
    out = workspace_public(access.workspace, None)
    out["myRole"], out["myPilotageRole"] = access.role, access.pilotage_role
    return out


def member_public(member: WorkspaceMember, user: User) -> dict[str, Any]:
    return {
        "userId": str(user.id),
        "email": user.email,
        "name": user.name,
        "role": member.role,
        "pilotageRole": member.pilotage_role,
        "joinedAt": iso(member.created_at),
    }


def require_ws_admin(access: WorkspaceAccess, what: str) -> None:
    if not access.is_admin:
        raise Forbidden(f"Only a workspace admin can {what}")


# Workspaces


async def create_workspace(*, actor: Actor, org_slug: str, name: str, slug: str) -> dict[str, Any]:
    org = await org_access(actor, org_slug)
    name, slug = clean_name(name), check_slug(slug)
    if await Workspace.filter(org_id=org.org.id, slug=slug).exists():
        raise Conflict("A workspace with this slug already exists in this organization")
    try:
        async with in_transaction():
            ws = await Workspace.create(
                org_id=org.org.id, name=name, slug=slug, owner_id=actor.user_id
            )
            member = await WorkspaceMember.create(
                workspace=ws, user_id=actor.user_id, role="admin", pilotage_role="owner"
            )
    except IntegrityError:
        raise Conflict("A workspace with this slug already exists in this organization") from None
    return workspace_public(ws, member)


async def list_workspaces(*, actor: Actor, org_slug: str) -> list[dict[str, Any]]:
    """The workspaces the caller is a member of; an org owner or admin sees them all."""
    org = await org_access(actor, org_slug)
    mine = {
        m.workspace_id: m
        for m in await WorkspaceMember.filter(user_id=actor.user_id, workspace__org_id=org.org.id)
    }
    query = Workspace.filter(org_id=org.org.id)
    if not org.is_admin:
        query = query.filter(id__in=list(mine))
    workspaces = await query.order_by("name", "slug")
    return [workspace_public(ws, mine.get(ws.id)) for ws in workspaces]


async def get_workspace(*, actor: Actor, org_slug: str, ws_slug: str) -> dict[str, Any]:
    return _access_public(await workspace_access(actor, org_slug, ws_slug))


async def update_workspace(
    *, actor: Actor, org_slug: str, ws_slug: str, name: str | None = None
) -> dict[str, Any]:
    access = await workspace_access(actor, org_slug, ws_slug)
    require_ws_admin(access, "change it")
    ws = access.workspace
    if name is not None:
        ws.name = clean_name(name)
        await ws.save(update_fields=["name", "updated_at"])
    return _access_public(access)


async def delete_workspace(*, actor: Actor, org_slug: str, ws_slug: str) -> None:
    """Delete the workspace with its projects, cards and board history."""
    access = await workspace_access(actor, org_slug, ws_slug)
    require_ws_admin(access, "delete it")
    if access.workspace.is_personal:
        raise Conflict("A personal workspace cannot be deleted")
    async with in_transaction():
        project_ids = await Project.filter(workspace_id=access.workspace.id).values_list(
            "id", flat=True
        )
        files = await storage_keys_of_projects(project_ids)
        await forget_projects(list(project_ids))  # type: ignore[arg-type]
        await Workspace.filter(id=access.workspace.id).delete()
    discard_files(files)


# Members


async def list_ws_members(*, actor: Actor, org_slug: str, ws_slug: str) -> list[dict[str, Any]]:
    access = await workspace_access(actor, org_slug, ws_slug)
    members = await WorkspaceMember.filter(workspace_id=access.workspace.id).select_related("user")
    members.sort(key=lambda m: (m.role != "admin", cast(User, m.user).email))
    return [member_public(m, cast(User, m.user)) for m in members]


async def _target(access: WorkspaceAccess, user_id: uuid.UUID) -> WorkspaceMember:
    member = (
        await WorkspaceMember.filter(workspace_id=access.workspace.id, user_id=user_id)
        .select_related("user")
        .first()
    )
    if member is None:
        raise NotFound("Member not found")
    if user_id == access.workspace.owner_id:
        raise Forbidden(OWNER_IS_FIXED)
    return member


async def update_ws_member(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    user_id: uuid.UUID,
    role: str | None = None,
    pilotage_role: str | None = None,
) -> dict[str, Any]:
    """Change a member's workspace role and/or pilotage role (fields left None stay)."""
    access = await workspace_access(actor, org_slug, ws_slug)
    require_ws_admin(access, "manage members")
    if role is not None:
        check_role(role, WORKSPACE_ROLES)
    if pilotage_role is not None:
        check_role(pilotage_role, PILOTAGE_ROLES, "pilotageRole")
    member = await _target(access, user_id)
    member.role = role or member.role
    member.pilotage_role = pilotage_role or member.pilotage_role
    await member.save(update_fields=["role", "pilotage_role"])
    return member_public(member, cast(User, member.user))


async def remove_ws_member(
    *, actor: Actor, org_slug: str, ws_slug: str, user_id: uuid.UUID
) -> None:
    """Remove a member (or leave) along with their memberships of the workspace's projects.
    They stay in the organization."""
    access = await workspace_access(actor, org_slug, ws_slug)
    if user_id != actor.user_id:
        require_ws_admin(access, "manage members")
    await _target(access, user_id)
    ws = access.workspace
    async with unit_of_work() as uow:
        # The workspace's room before the boards', the order a pilotage apply takes them.
        await left_workspaces(uow, actor, user_id, [ws.id])
        project_ids = await lock_memberships(uow, user_id, project__workspace_id=ws.id)
        await ProjectMember.filter(user_id=user_id, project_id__in=project_ids).delete()
        await WorkspaceMember.filter(workspace_id=ws.id, user_id=user_id).delete()
        notices = await removed_from_projects(uow, actor, user_id, project_ids)
    await notify.deliver(notices)


async def join_workspace(
    *, user_id: uuid.UUID, workspace: Workspace, role: str
) -> tuple[WorkspaceMember, bool]:
    """Make `user_id` a member of the workspace (and of its organization, as a member);
    an existing membership is kept as it is. Call inside a transaction."""
    if not await OrgMember.filter(org_id=workspace.org_id, user_id=user_id).exists():
        await OrgMember.create(org_id=workspace.org_id, user_id=user_id, role="member")
    member = await WorkspaceMember.filter(workspace_id=workspace.id, user_id=user_id).first()
    if member is not None:
        return member, False
    member = await WorkspaceMember.create(
        workspace_id=workspace.id, user_id=user_id, role=role, pilotage_role="viewer"
    )
    return member, True
