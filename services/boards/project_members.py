"""Who is on a project. Adding or removing someone shows on the live board at once;
a removed member's open board sockets are closed by the /board namespace when it sees
`member_removed` (its data names the `userId`)."""

from __future__ import annotations

import uuid
from typing import Any

from models import ProjectMember, User, WorkspaceMember
from services.accounts import normalise_email
from services.actors import Actor
from services.boards import notify
from services.boards.access import parse_id, project_access
from services.boards.locate import ProjectRef, locked_project, room_of
from services.errors import Conflict, Forbidden, NotFound
from services.events import unit_of_work
from services.timefmt import iso

PROJECT_ROLES = ("admin", "member")


def member_public(member: ProjectMember, user: User) -> dict[str, Any]:
    return {
        "userId": str(user.id),
        "name": user.name,
        "email": user.email,
        "role": member.role,
        "joinedAt": iso(member.created_at),
    }


async def list_members(
    *, actor: Actor, org_slug: str, ws_slug: str, project_id: Any
) -> list[dict[str, Any]]:
    access = await project_access(actor, org_slug, ws_slug, project_id)
    rows = (
        await ProjectMember.filter(project_id=access.project.id)
        .select_related("user")
        .order_by("created_at", "id")
    )
    return [member_public(m, m.user) for m in rows]  # type: ignore[arg-type]


async def add_member(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    project_id: Any,
    email: str,
    role: str = "member",
) -> dict[str, Any]:
    """Project admins add people who already belong to the workspace."""
    ref = ProjectRef(project_id, org_slug, ws_slug)
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        access.require_admin()
        project = access.project
        user = await User.filter(email=normalise_email(email)).first()
        in_workspace = (
            user is not None
            and await WorkspaceMember.filter(
                workspace_id=project.workspace_id, user_id=user.id
            ).exists()
        )
        if user is None or not in_workspace:
            # One answer for both cases, so the endpoint does not reveal who has an account.
            raise NotFound(
                "No member of this workspace has that email; invite them to the workspace first"
            )
        if await ProjectMember.filter(project_id=project.id, user_id=user.id).exists():
            raise Conflict("That user is already a member of this project")
        member = await ProjectMember.create(project_id=project.id, user_id=user.id, role=role)
        rendered = member_public(member, user)
        await uow.emit(room_of(access), "member_added", {"member": rendered}, actor)
        notifications = await notify.activity(
            type="member_added",
            actor=actor,
            project_id=project.id,
            meta={"userId": str(user.id), "name": user.name, "projectName": project.name},
        )
    await notify.deliver(notifications)
    return rendered


async def remove_member(
    *, actor: Actor, org_slug: str, ws_slug: str, project_id: Any, user_id: Any
) -> None:
    """Project admins remove anyone; a member may also leave. The last admin stays."""
    target_id: uuid.UUID = parse_id(user_id, "Member")
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ProjectRef(project_id, org_slug, ws_slug))
        if target_id != actor.user_id and not access.is_admin:
            raise Forbidden("Only a project admin can remove other members")
        project = access.project
        member = await ProjectMember.filter(project_id=project.id, user_id=target_id).first()
        if member is None:
            raise NotFound("Member not found")
        if member.role == "admin":
            admins = await ProjectMember.filter(project_id=project.id, role="admin").count()
            if admins <= 1:
                raise Conflict("A project needs at least one admin; make someone else admin first")
        await member.delete()
        await uow.emit(room_of(access), "member_removed", {"userId": str(target_id)}, actor)
        remaining = await ProjectMember.filter(project_id=project.id).values_list(
            "user_id", flat=True
        )
        notifications = await notify.activity(
            type="member_removed",
            actor=actor,
            project_id=project.id,
            meta={"userId": str(target_id), "projectName": project.name},
            recipients=[*remaining, target_id],  # type: ignore[list-item]
        )
    await notify.deliver(notifications)
