"""Organizations and their members: the top of the tenant tree.

Members see their organization; owner and admins manage its members; only the owner
deletes it. The owner's own membership never changes.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    Notification,
    Organization,
    OrgMember,
    Project,
    ProjectMember,
    Room,
    RoomEvent,
    User,
    Workspace,
    WorkspaceMember,
)
from services.actors import Actor
from services.auth import require_user
from services.boards import notify
from services.boards.access import (
    OrgAccess,
    board_room,
    org_access,
    valid_slug,
)
from services.boards.attachments import discard_files, storage_keys_of_projects
from services.boards.locate import lock_board
from services.errors import Conflict, Forbidden, NotFound, invalid_field
from services.events import UnitOfWork, unit_of_work
from services.pilotage.access import left_workspaces
from services.timefmt import iso

NAME_MAX = 100
MEMBER_ROLES = ("admin", "member")
OWNER_IS_FIXED = "The owner cannot be changed or removed"
PERSONAL_WORKSPACE = ("Personal", "personal")
# The notification an account gets when an admin adds it to an organization.
ADDED_TO_ORG = "org_member_added"


def clean_name(name: str, field: str = "name") -> str:
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise invalid_field(field, f"must be 1 to {NAME_MAX} characters")
    if "\x00" in name:
        # PostgreSQL cannot store NUL in text.
        raise invalid_field(field, "must not contain NUL characters")
    return name


def check_slug(slug: str) -> str:
    if not valid_slug(slug):
        raise invalid_field("slug", "must be 2-60 lowercase letters, digits and hyphens")
    return slug


def check_role(role: str, allowed: tuple[str, ...] = MEMBER_ROLES, field: str = "role") -> str:
    if role not in allowed:
        raise invalid_field(field, "must be one of " + ", ".join(allowed))
    return role


def org_public(org: Organization, my_role: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(org.id),
        "name": org.name,
        "slug": org.slug,
        "ownerId": str(org.owner_id),
        "isPersonal": org.is_personal,
        "createdAt": iso(org.created_at),
        "updatedAt": iso(org.updated_at),
    }
    if my_role is not None:
        out["myRole"] = my_role
    return out


def _member_public(member: OrgMember, user: User) -> dict[str, Any]:
    return {
        "userId": str(user.id),
        "email": user.email,
        "name": user.name,
        "role": member.role,
        "joinedAt": iso(member.created_at),
    }


def _require_admin(access: OrgAccess, what: str) -> None:
    if not access.is_admin:
        raise Forbidden(f"Only the organization's owner or admins can {what}")


# Organizations


async def create_org(*, actor: Actor, name: str, slug: str) -> dict[str, Any]:
    """A new organization; its creator becomes the owner."""
    user_id = require_user(actor)
    name, slug = clean_name(name), check_slug(slug)
    if await Organization.filter(slug=slug).exists():
        raise Conflict("An organization with this slug already exists")
    try:
        async with in_transaction():
            org = await Organization.create(name=name, slug=slug, owner_id=user_id)
            await OrgMember.create(org=org, user_id=user_id, role="owner")
    except IntegrityError:
        raise Conflict("An organization with this slug already exists") from None
    return org_public(org)


def _personal_slug_base(email: str) -> str:
    local = email.split("@", 1)[0].lower()
    base = re.sub(r"[^a-z0-9]+", "-", local).strip("-")[:50].strip("-")
    return base if len(base) >= 2 else f"user-{base}".strip("-")


async def _free_org_slug(base: str) -> str:
    rows = await Organization.filter(slug__startswith=base).values_list("slug", flat=True)
    taken = {str(slug) for slug in rows}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


async def create_personal_space(user: User) -> tuple[Organization, Workspace]:
    """Every account's own organization and workspace; call inside the sign-up transaction.

    The slug comes from the email's local part, made unique with a number.
    """
    slug = await _free_org_slug(_personal_slug_base(user.email))
    org = await Organization.create(
        name=(user.name or user.email.split("@", 1)[0])[:NAME_MAX],
        slug=slug,
        owner_id=user.id,
        is_personal=True,
    )
    await OrgMember.create(org=org, user_id=user.id, role="owner")
    ws_name, ws_slug = PERSONAL_WORKSPACE
    ws = await Workspace.create(
        org=org, name=ws_name, slug=ws_slug, owner_id=user.id, is_personal=True
    )
    await WorkspaceMember.create(workspace=ws, user_id=user.id, role="admin", pilotage_role="owner")
    return org, ws


async def list_orgs(*, actor: Actor) -> list[dict[str, Any]]:
    """The organizations the caller belongs to, with the caller's role in each."""
    user_id = require_user(actor)
    members = await OrgMember.filter(user_id=user_id).select_related("org")
    rows = sorted(members, key=lambda m: (m.org.name.lower(), m.org.slug))
    return [org_public(m.org, m.role) for m in rows]


async def get_org(*, actor: Actor, org_slug: str) -> dict[str, Any]:
    access = await org_access(actor, org_slug)
    return org_public(access.org, access.role)


async def update_org(*, actor: Actor, org_slug: str, name: str | None = None) -> dict[str, Any]:
    access = await org_access(actor, org_slug)
    _require_admin(access, "change it")
    org = access.org
    if name is not None:
        org.name = clean_name(name)
        await org.save(update_fields=["name", "updated_at"])
    return org_public(org, access.role)


async def delete_org(*, actor: Actor, org_slug: str) -> None:
    """Delete the organization with its workspaces, projects and their board history."""
    access = await org_access(actor, org_slug)
    if access.role != "owner":
        raise Forbidden("Only the organization's owner can delete it")
    if access.org.is_personal:
        raise Conflict("A personal organization cannot be deleted")
    async with in_transaction():
        project_ids = await Project.filter(workspace__org_id=access.org.id).values_list(
            "id", flat=True
        )
        files = await storage_keys_of_projects(project_ids)
        await forget_projects(list(project_ids))  # type: ignore[arg-type]
        # Rows below cascade in the database from the organization.
        await Organization.filter(id=access.org.id).delete()
    discard_files(files)


async def forget_projects(project_ids: list[uuid.UUID]) -> None:
    """Drop what is keyed by a project without a foreign key: its room log and notices."""
    if not project_ids:
        return
    rooms = [board_room(pid) for pid in project_ids]
    await RoomEvent.filter(room__in=rooms).delete()
    await Room.filter(key__in=rooms).delete()
    await Notification.filter(project_id__in=project_ids).delete()


# Members


async def list_org_members(*, actor: Actor, org_slug: str) -> list[dict[str, Any]]:
    access = await org_access(actor, org_slug)
    members = await OrgMember.filter(org_id=access.org.id).select_related("user")
    order = {"owner": 0, "admin": 1, "member": 2}
    members.sort(key=lambda m: (order.get(m.role, 3), cast(User, m.user).email))
    return [_member_public(m, cast(User, m.user)) for m in members]


async def add_org_member(
    *, actor: Actor, org_slug: str, email: str, role: str = "member"
) -> dict[str, Any]:
    """Add the account that uses `email`, or invite the address when none does.

    Anyone may create an organization, so this must not tell whether an address has an
    account: both cases answer the same `{email, role}`, without the person's id or
    name. The person added is notified (and emailed when SMTP is set) and may leave.
    """
    # Invitations build on organizations, so they are imported when needed.
    from services.boards import invitations

    access = await org_access(actor, org_slug)
    _require_admin(access, "manage members")
    check_role(role)
    email = invitations.clean_email(email)
    user = await User.filter(email=email).first()
    if user is None:
        await invitations.invite_to_org(actor=actor, org=access.org, email=email, role=role)
        return {"email": email, "role": role}
    if await OrgMember.filter(org_id=access.org.id, user_id=user.id).exists():
        raise Conflict("This person is already a member")
    try:
        async with in_transaction():
            await OrgMember.create(org_id=access.org.id, user_id=user.id, role=role)
            notice = await Notification.create(
                user_id=user.id,
                type=ADDED_TO_ORG,
                actor_id=actor.user_id,
                meta={
                    "organizationSlug": access.org.slug,
                    "organizationName": access.org.name,
                    "role": role,
                },
            )
    except IntegrityError:
        raise Conflict("This person is already a member") from None
    await notify.deliver([notice])
    await invitations.tell_added(actor=actor, org=access.org, email=email, role=role)
    return {"email": email, "role": role}


async def _target(access: OrgAccess, user_id: uuid.UUID) -> tuple[OrgMember, User]:
    member = await OrgMember.filter(org_id=access.org.id, user_id=user_id).select_related("user")
    if not member:
        raise NotFound("Member not found")
    if member[0].role == "owner" or user_id == access.org.owner_id:
        raise Forbidden(OWNER_IS_FIXED)
    return member[0], cast(User, member[0].user)


async def update_org_member(
    *, actor: Actor, org_slug: str, user_id: uuid.UUID, role: str
) -> dict[str, Any]:
    access = await org_access(actor, org_slug)
    _require_admin(access, "manage members")
    check_role(role)
    member, user = await _target(access, user_id)
    member.role = role
    await member.save(update_fields=["role"])
    return _member_public(member, user)


async def remove_org_member(*, actor: Actor, org_slug: str, user_id: uuid.UUID) -> None:
    """Remove a member (anyone but the owner may also leave) with their workspace and
    project memberships in this organization. Workspaces they own pass to the org owner."""
    access = await org_access(actor, org_slug)
    if user_id != actor.user_id:
        _require_admin(access, "manage members")
    await _target(access, user_id)
    org = access.org
    async with unit_of_work() as uow:
        # The workspaces' rooms before the boards', the order a pilotage apply takes them.
        left = WorkspaceMember.filter(user_id=user_id, workspace__org_id=org.id)
        workspace_ids = await left.values_list("workspace_id", flat=True)
        await left_workspaces(uow, actor, user_id, [uuid.UUID(str(w)) for w in workspace_ids])
        project_ids = await lock_memberships(uow, user_id, project__workspace__org_id=org.id)
        await ProjectMember.filter(user_id=user_id, project_id__in=project_ids).delete()
        await left.delete()
        for ws in await Workspace.filter(org_id=org.id, owner_id=user_id):
            await hand_workspace_to(ws, org.owner_id)
        await OrgMember.filter(org_id=org.id, user_id=user_id).delete()
        notices = await removed_from_projects(uow, actor, user_id, project_ids)
    await notify.deliver(notices)


async def lock_memberships(uow: UnitOfWork, user_id: uuid.UUID, **where: Any) -> list[uuid.UUID]:
    """The projects (among `where`) the user is a member of, their boards locked in one
    fixed order so that two removals never wait on each other."""
    rows = await ProjectMember.filter(user_id=user_id, **where).values_list("project_id", flat=True)
    project_ids = sorted({uuid.UUID(str(pid)) for pid in rows})
    for pid in project_ids:
        await lock_board(uow, pid)
    return project_ids


async def hand_workspace_to(ws: Workspace, new_owner: uuid.UUID) -> None:
    ws.owner_id = new_owner
    await ws.save(update_fields=["owner_id", "updated_at"])
    member = await WorkspaceMember.filter(workspace_id=ws.id, user_id=new_owner).first()
    if member is None:
        await WorkspaceMember.create(
            workspace_id=ws.id, user_id=new_owner, role="admin", pilotage_role="owner"
        )
    elif member.role != "admin":
        member.role = "admin"
        await member.save(update_fields=["role"])


async def removed_from_projects(
    uow: UnitOfWork, actor: Actor, user_id: uuid.UUID, project_ids: list[uuid.UUID]
) -> list[Notification]:
    """Once the memberships are gone: close the person's live boards at once, and tell
    each project's remaining members and the person removed."""
    notices: list[Notification] = []
    for pid in project_ids:
        await uow.emit(board_room(pid), "member_removed", {"userId": str(user_id)}, actor)
        remaining = await ProjectMember.filter(project_id=pid).values_list("user_id", flat=True)
        notices += await notify.activity(
            type="member_removed",
            actor=actor,
            project_id=pid,
            meta={"userId": str(user_id)},
            recipients=[*remaining, user_id],  # type: ignore[list-item]
        )
    return notices
