"""Who may see and change what, from organization down to project. Every board lookup
goes through here, so a caller never reaches another tenant's rows.

Outside a tenant you get 404 (you cannot learn it exists); inside it, too low a role
gets 403.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.models import Model

from models import Organization, OrgMember, Project, ProjectMember, Workspace, WorkspaceMember
from services.actors import Actor
from services.auth import require_user
from services.errors import Forbidden, NotFound

ORG_ROLES = ("owner", "admin", "member")
WORKSPACE_ROLES = ("admin", "member")
PILOTAGE_ROLES = ("viewer", "reviewer", "owner")
READ, WRITE = "projects:read", "projects:write"

M = TypeVar("M", bound=Model)

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")


def valid_slug(slug: str) -> bool:
    return 2 <= len(slug) <= 60 and bool(_SLUG.match(slug))


def board_room(project_id: Any) -> str:
    return f"board:{project_id}"


def parse_id(value: Any, what: str) -> uuid.UUID:
    """A UUID from a path or payload; anything else is simply not found."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(f"{what} not found") from None


async def find_in(model: type[M], what: str, row_id: Any, **within: Any) -> M:
    """The row `row_id` if it lies within the parent named in `within` (project_id=...,
    card_id=...); an id from anywhere else is simply not found."""
    row = await model.filter(id=parse_id(row_id, what), **within).first()
    if row is None:
        raise NotFound(f"{what} not found")
    return row


@dataclass(frozen=True)
class OrgAccess:
    org: Organization
    role: str  # owner | admin | member

    @property
    def is_admin(self) -> bool:
        return self.role in ("owner", "admin")


@dataclass(frozen=True)
class WorkspaceAccess:
    org: OrgAccess
    workspace: Workspace
    role: str | None  # admin | member, or None for an org admin who is not a member
    pilotage_role: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" or self.org.is_admin


@dataclass(frozen=True)
class ProjectAccess:
    workspace: WorkspaceAccess
    project: Project
    role: str | None  # admin | member, or None for a workspace admin who is not a member

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" or self.workspace.is_admin

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("Only a project admin can do this")


async def _org_grant(user_id: uuid.UUID, org: Organization | None) -> OrgAccess:
    member = await OrgMember.filter(org_id=org.id, user_id=user_id).first() if org else None
    if org is None or member is None:
        raise NotFound("Organization not found")
    return OrgAccess(org=org, role=member.role)


async def _workspace_grant(
    user_id: uuid.UUID, org: OrgAccess, ws: Workspace | None
) -> WorkspaceAccess:
    member = (
        await WorkspaceMember.filter(workspace_id=ws.id, user_id=user_id).first() if ws else None
    )
    if ws is None or (member is None and not org.is_admin):
        raise NotFound("Workspace not found")
    return WorkspaceAccess(
        org=org,
        workspace=ws,
        role=member.role if member else None,
        pilotage_role=member.pilotage_role if member else None,
    )


async def _project_grant(
    user_id: uuid.UUID, ws: WorkspaceAccess, project: Project | None
) -> ProjectAccess:
    member = (
        await ProjectMember.filter(project_id=project.id, user_id=user_id).first()
        if project
        else None
    )
    if project is None or (member is None and not ws.is_admin):
        raise NotFound("Project not found")
    return ProjectAccess(workspace=ws, project=project, role=member.role if member else None)


def _lookable(slug: str) -> bool:
    # PostgreSQL refuses a NUL even in a query parameter; no slug holds one anyway.
    return "\x00" not in slug


async def org_access(actor: Actor, org_slug: str) -> OrgAccess:
    user_id = require_user(actor)
    org = await Organization.filter(slug=org_slug).first() if _lookable(org_slug) else None
    return await _org_grant(user_id, org)


async def workspace_access(actor: Actor, org_slug: str, ws_slug: str) -> WorkspaceAccess:
    org = await org_access(actor, org_slug)
    ws = (
        await Workspace.filter(org_id=org.org.id, slug=ws_slug).first()
        if _lookable(ws_slug)
        else None
    )
    return await _workspace_grant(require_user(actor), org, ws)


async def project_access(
    actor: Actor, org_slug: str, ws_slug: str, project_id: Any, *, write: bool = False
) -> ProjectAccess:
    """The project, if the caller may see it: a project member, or an admin above it.
    `write` also needs the PAT scope projects:write (reads need projects:read)."""
    actor.require_scope(WRITE if write else READ)
    ws = await workspace_access(actor, org_slug, ws_slug)
    pid = parse_id(project_id, "Project")
    project = await Project.filter(id=pid, workspace_id=ws.workspace.id).first()
    return await _project_grant(require_user(actor), ws, project)


async def project_by_id(actor: Actor, project_id: Any) -> ProjectAccess:
    """The same rule, from a bare project id (the /board socket names only the project).

    The project, its workspace and organization come in one query, so only the three
    memberships are read after it: this runs on every socket command."""
    actor.require_scope(READ)
    user_id = require_user(actor)
    pid = parse_id(project_id, "Project")
    project = await Project.filter(id=pid).select_related("workspace__org").first()
    try:
        if project is None:
            raise NotFound("Project not found")
        ws: Workspace = project.workspace  # type: ignore[assignment]
        org = await _org_grant(user_id, ws.org)
        return await _project_grant(user_id, await _workspace_grant(user_id, org, ws), project)
    except NotFound:
        # One answer whether the project exists or not: an id must reveal nothing.
        raise NotFound("Project not found") from None
