"""Projects in a workspace: creating them from a template, seeing, renaming, deleting."""

from __future__ import annotations

from typing import Any

from models import Column, Label, Project, ProjectMember
from services.actors import Actor
from services.auth import require_user
from services.boards.access import (
    board_room,
    project_access,
    workspace_access,
)
from services.boards.attachments import discard_files, storage_keys_of_projects
from services.boards.locate import ProjectRef, locked_project, room_of
from services.boards.templates import DEFAULT_TEMPLATE, TEMPLATES
from services.errors import ValidationFailed
from services.events import unit_of_work
from services.timefmt import iso

NAME_MAX = 200
DESCRIPTION_MAX = 10_000


def project_public(project: Project, role: str | None = None) -> dict[str, Any]:
    """`role` is the caller's own membership role (None for an admin above the project)."""
    return {
        "id": str(project.id),
        "name": project.name,
        "description": project.description,
        "workspaceId": str(project.workspace_id),
        "createdBy": str(project.created_by_id) if project.created_by_id else None,
        "role": role,
        "createdAt": iso(project.created_at),
        "updatedAt": iso(project.updated_at),
    }


def _template(key: str | None) -> Any:
    chosen = (key or DEFAULT_TEMPLATE).strip().lower()
    template = TEMPLATES.get(chosen)
    if template is None:
        known = ", ".join(TEMPLATES)
        raise ValidationFailed(
            f"template: unknown template '{key}' (known: {known})",
            details={"errors": {"template": [f"must be one of: {known}"]}},
        )
    return template


async def create_project(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    name: str,
    description: str = "",
    template: str | None = None,
) -> dict[str, Any]:
    """Any workspace member may create a project; they become its first admin."""
    user_id = require_user(actor)
    ws = await workspace_access(actor, org_slug, ws_slug)
    chosen = _template(template)
    async with unit_of_work() as uow:
        project = await Project.create(
            workspace_id=ws.workspace.id, name=name, description=description, created_by_id=user_id
        )
        await uow.lock(board_room(project.id), create=True)
        await ProjectMember.create(project_id=project.id, user_id=user_id, role="admin")
        await Column.bulk_create(
            [
                Column(project_id=project.id, name=c.name, order=i, wip_limit=c.wip_limit)
                for i, c in enumerate(chosen.columns)
            ]
        )
        if chosen.labels:
            await Label.bulk_create(
                [Label(project_id=project.id, name=lb.name, color=lb.color) for lb in chosen.labels]
            )
    return project_public(project, "admin")


async def visible_projects(
    *, actor: Actor, org_slug: str, ws_slug: str
) -> list[tuple[Project, str | None]]:
    """The workspace's projects the caller may see, with the caller's role in each:
    all of them for a workspace or organization admin, else those they belong to."""
    ws = await workspace_access(actor, org_slug, ws_slug)
    roles: dict[str, str] = {
        str(pid): role
        for pid, role in await ProjectMember.filter(
            user_id=actor.user_id, project__workspace_id=ws.workspace.id
        ).values_list("project_id", "role")
    }
    query = Project.filter(workspace_id=ws.workspace.id)
    if not ws.is_admin:
        query = query.filter(id__in=list(roles))
    projects = await query.order_by("name", "created_at", "id")
    return [(p, roles.get(str(p.id))) for p in projects]


async def list_projects(*, actor: Actor, org_slug: str, ws_slug: str) -> list[dict[str, Any]]:
    rows = await visible_projects(actor=actor, org_slug=org_slug, ws_slug=ws_slug)
    return [project_public(p, role) for p, role in rows]


async def get_project(
    *, actor: Actor, org_slug: str, ws_slug: str, project_id: Any
) -> dict[str, Any]:
    access = await project_access(actor, org_slug, ws_slug, project_id)
    return project_public(access.project, access.role)


async def update_project(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    project_id: Any,
    name: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """Any project member may rename or describe the project; the board sees it live."""
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ProjectRef(project_id, org_slug, ws_slug))
        project = access.project
        if name is not None:
            project.name = name
        if description is not None:
            project.description = description
        await project.save()
        rendered = project_public(project, access.role)
        # The broadcast leaves out `role`: it is each viewer's own.
        shared = {k: v for k, v in rendered.items() if k != "role"}
        await uow.emit(room_of(access), "project_updated", {"project": shared}, actor)
    return rendered


async def delete_project(*, actor: Actor, org_slug: str, ws_slug: str, project_id: Any) -> None:
    """Project admins only. Open boards are told, then the rows go (cascading)."""
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ProjectRef(project_id, org_slug, ws_slug))
        access.require_admin()
        await uow.emit(
            room_of(access),
            "project_deleted",
            {"projectId": str(access.project.id)},
            actor,
        )
        files = await storage_keys_of_projects([access.project.id])
        await Project.filter(id=access.project.id).delete()
    discard_files(files)
