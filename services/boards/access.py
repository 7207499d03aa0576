"""Who may see and change what, from organization down to project. Every board lookup
goes through here, so a caller never reaches another tenant's rows.

Outside a tenant you get 404 (you cannot learn it exists); inside it, too low a role
gets 403.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from tortoise.models import Model

from models import Organization, OrgMember, Project, Workspace, WorkspaceMember
from services import sql
from services.actors import Actor
from services.auth import require_user
from services.errors import Forbidden, NotFound

ORG_ROLES = ("owner", "admin", "member")
WORKSPACE_ROLES = ("admin", "member")
PILOTAGE_ROLES = ("viewer", "reviewer", "owner")

M = TypeVar("M", bound=Model)

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$"
_SLUG = re.compile(SLUG_PATTERN)


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
        return _is_org_admin(self.role)


@dataclass(frozen=True)
class WorkspaceAccess:
    org: OrgAccess
    workspace: Workspace
    role: str | None  # admin | member, or None for an org admin who is not a member
    pilotage_role: str | None

    @property
    def is_admin(self) -> bool:
        return _is_workspace_admin(self.role, self.org.is_admin)


@dataclass(frozen=True)
class ProjectAccess:
    # The project's row: every column under its own name.
    row: Mapping[str, Any] = field(repr=False)
    role: str | None  # admin | member, or None for an admin above who is not a member
    admin_above: bool  # an admin of the project's workspace or organization

    @cached_property
    def project(self) -> Project:
        """The project as a model, made when first asked for: a card move, the board's
        hot path, needs only its id."""
        return Project._init_from_db(**self.row)

    @cached_property
    def project_id(self) -> uuid.UUID:
        raw = self.row["id"]
        return raw if isinstance(raw, uuid.UUID) else uuid.UUID(raw)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" or self.admin_above

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("Only a project admin can do this")


# Who sees what: a member of a level sees it, and so does an admin of the level above.
def _is_org_admin(role: str | None) -> bool:
    return role in ("owner", "admin")


def _is_workspace_admin(role: str | None, org_admin: bool) -> bool:
    return role == "admin" or org_admin


def _sees(member_role: str | None, admin_above: bool) -> bool:
    return member_role is not None or admin_above


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
    if ws is None or not _sees(member.role if member else None, org.is_admin):
        raise NotFound("Workspace not found")
    return WorkspaceAccess(
        org=org,
        workspace=ws,
        role=member.role if member else None,
        pilotage_role=member.pilotage_role if member else None,
    )


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


# The project with the caller's role at each level, in one read: this runs on every
# board command, and inside a writer's transaction, after its lock.
_GRANT = """
SELECT {project}, o.slug AS org_slug, w.slug AS ws_slug,
       om.role AS org_role, wm.role AS ws_role, pm.role AS project_role
FROM projects p
JOIN workspaces w ON w.id = p.workspace_id
JOIN organizations o ON o.id = w.org_id
LEFT JOIN org_members om ON om.org_id = o.id AND om.user_id = ?
LEFT JOIN workspace_members wm ON wm.workspace_id = w.id AND wm.user_id = ?
LEFT JOIN project_members pm ON pm.project_id = p.id AND pm.user_id = ?
WHERE p.id = ?
"""


@functools.cache
def _grant_query() -> str:
    return _GRANT.format(project=", ".join(f"p.{c}" for c in sorted(Project._meta.db_fields)))


# The same, with the board room's seq as the same snapshot saw it (see
# `access_with_seq_steps`).
_WITH_SEQ = "SELECT (SELECT r.seq FROM rooms r WHERE r.key = ?) AS seen_seq, g.* FROM ({grant}) g"


@functools.cache
def _grant_with_seq_query() -> str:
    return _WITH_SEQ.format(grant=_grant_query())


def _granted(
    user_id: uuid.UUID,
    project_id: Any,
    slugs: tuple[str, str] | None,
    seen: list[int | None] | None = None,
) -> sql.Steps[ProjectAccess | None]:
    """The caller's access, or None; with `seen`, the board room's seq goes in it too."""
    try:
        pid = uuid.UUID(str(project_id))
    except ValueError:
        return None
    user = str(user_id)
    if seen is None:
        rows = yield sql.stmt(_grant_query(), user, user, user, str(pid))
    else:
        query = _grant_with_seq_query()
        rows = yield sql.stmt(query, board_room(pid), user, user, user, str(pid))
        if rows:
            seq = rows[0].pop("seen_seq")
            seen.append(None if seq is None else int(seq))
    row = rows[0] if rows else None
    if row is None or (slugs is not None and (row["org_slug"], row["ws_slug"]) != slugs):
        return None
    org_role, ws_role, role = row["org_role"], row["ws_role"], row["project_role"]
    org_admin = _is_org_admin(org_role)
    ws_admin = _is_workspace_admin(ws_role, org_admin)
    if org_role is None or not _sees(ws_role, org_admin) or not _sees(role, ws_admin):
        return None
    return ProjectAccess(row=row, role=role, admin_above=ws_admin)


_PATH = """
SELECT om.role AS org_role, w.id AS ws_id, wm.role AS ws_role
FROM organizations o
LEFT JOIN org_members om ON om.org_id = o.id AND om.user_id = ?
LEFT JOIN workspaces w ON w.org_id = o.id AND w.slug = ?
LEFT JOIN workspace_members wm ON wm.workspace_id = w.id AND wm.user_id = ?
WHERE o.slug = ?
"""


def _refusal(user_id: uuid.UUID, slugs: tuple[str, str] | None) -> sql.Steps[NotFound]:
    """Which level refused, as a walk down the path would say."""
    if slugs is None:
        return NotFound("Project not found")  # an id alone must reveal nothing
    org_slug, ws_slug = slugs
    if not _lookable(org_slug):
        return NotFound("Organization not found")
    rows = yield sql.stmt(
        _PATH, str(user_id), ws_slug if _lookable(ws_slug) else "", str(user_id), org_slug
    )
    row = rows[0] if rows else None
    if row is None or row["org_role"] is None:
        return NotFound("Organization not found")
    if row["ws_id"] is None or not _sees(row["ws_role"], _is_org_admin(row["org_role"])):
        return NotFound("Workspace not found")
    return NotFound("Project not found")


def access_steps(
    actor: Actor, project_id: Any, slugs: tuple[str, str] | None = None
) -> sql.Steps[ProjectAccess]:
    """The project, if the caller may see it: a project member, or an admin above it.
    The project, its workspace and organization and the caller's role in each come in
    one read: this runs on every board command."""
    user_id = require_user(actor)
    access = yield from _granted(user_id, project_id, slugs)
    if access is None:
        raise (yield from _refusal(user_id, slugs))
    return access


def access_with_seq_steps(
    actor: Actor, project_id: Any, slugs: tuple[str, str] | None = None
) -> sql.Steps[tuple[int | None, ProjectAccess]]:
    """PostgreSQL, for a writer that takes no lock: `access_steps`, with the board room's
    seq read by the same statement, from the same snapshot (None while the room has no
    row). Every board change claims that seq in its transaction, so while it has not
    moved, neither has anything read after it; the writer claims the next seq only on
    that condition (`events.UnitOfWork.append_if_unchanged`)."""
    user_id = require_user(actor)
    seen: list[int | None] = []
    access = yield from _granted(user_id, project_id, slugs, seen)
    if access is None:
        raise (yield from _refusal(user_id, slugs))
    return seen[0], access


async def project_access(
    actor: Actor, org_slug: str, ws_slug: str, project_id: Any
) -> ProjectAccess:
    """`access_steps` for a REST path, which names the organization and workspace."""
    return await sql.drive(access_steps(actor, project_id, (org_slug, ws_slug)))


async def project_by_id(actor: Actor, project_id: Any) -> ProjectAccess:
    """`access_steps` from a bare project id (the /board socket names only the project)."""
    return await sql.drive(access_steps(actor, project_id))
