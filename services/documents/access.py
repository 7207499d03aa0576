"""Who may see, change and review a document: membership of the document's level.

An organization's documents are for its members, a workspace's for the workspace's
members, a project's (and its scopes') for the project's members; the admins of the
levels above see them too. Anyone else gets 404, as if the document did not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from models import Document, OrgMember, Project, ProjectMember, Room, WorkspaceMember
from services.actors import Actor
from services.auth import require_user
from services.boards.access import WorkspaceAccess, parse_id, workspace_access
from services.errors import Forbidden, NotFound
from services.events import UnitOfWork

REVIEWER_PILOTAGE_ROLES = ("reviewer", "owner")


def document_room(document_id: Any) -> str:
    return f"document:{document_id}"


@dataclass(frozen=True)
class Roles:
    """The caller's roles at each level above a document (None where not a member)."""

    org: str | None
    workspace: str | None
    pilotage: str | None
    project: str | None

    @property
    def org_admin(self) -> bool:
        return self.org in ("owner", "admin")

    @property
    def workspace_admin(self) -> bool:
        return self.workspace == "admin" or self.org_admin


@dataclass(frozen=True)
class DocumentAccess:
    document: Document
    user_id: uuid.UUID
    roles: Roles

    @property
    def is_author(self) -> bool:
        return self.document.author_id == self.user_id

    @property
    def level_admin(self) -> bool:
        """An admin of the document's own level, or of a level above it."""
        scope = self.document.scope_type
        if scope == "organization":
            return self.roles.org_admin
        if scope == "workspace":
            return self.roles.workspace_admin
        return self.roles.project == "admin" or self.roles.workspace_admin

    @property
    def may_review(self) -> bool:
        return self.roles.workspace_admin or self.roles.pilotage in REVIEWER_PILOTAGE_ROLES

    def require_deleter(self) -> None:
        if not (self.is_author or self.level_admin):
            raise Forbidden("Only the document's author or an admin can delete it")


async def roles_of(
    user_id: uuid.UUID, org_id: uuid.UUID, ws_id: uuid.UUID | None, project_id: uuid.UUID | None
) -> Roles:
    org = await OrgMember.filter(org_id=org_id, user_id=user_id).first()
    ws = (
        await WorkspaceMember.filter(workspace_id=ws_id, user_id=user_id).first()
        if ws_id is not None
        else None
    )
    project = (
        await ProjectMember.filter(project_id=project_id, user_id=user_id).first()
        if project_id is not None
        else None
    )
    return Roles(
        org=org.role if org else None,
        workspace=ws.role if ws else None,
        pilotage=ws.pilotage_role if ws else None,
        project=project.role if project else None,
    )


def sees(doc: Document, roles: Roles) -> bool:
    """Whether someone with `roles` may open `doc`: a member of its level or an admin above."""
    if roles.org is None:
        return False
    if doc.scope_type == "organization":
        return True
    if roles.workspace is None and not roles.org_admin:
        return False
    if doc.scope_type == "workspace":
        return True
    return roles.project is not None or roles.workspace_admin


async def _grant(actor: Actor, doc: Document | None, ws_id: uuid.UUID | None) -> DocumentAccess:
    user_id = require_user(actor)
    if doc is None:
        raise NotFound("Document not found")
    roles = await roles_of(user_id, doc.org_id, doc.workspace_id or ws_id, doc.project_id)
    if not sees(doc, roles):
        raise NotFound("Document not found")
    return DocumentAccess(document=doc, user_id=user_id, roles=roles)


async def in_workspace(ws: WorkspaceAccess, document_id: Any) -> Document | None:
    """The document if it can be reached from this workspace: its own, or one of the
    organization's."""
    wanted = parse_id(document_id, "Document")
    doc = await Document.filter(id=wanted, org_id=ws.org.org.id).first()
    if doc is None or (doc.workspace_id is not None and doc.workspace_id != ws.workspace.id):
        return None
    return doc


async def document_access(
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    document_id: Any,
    *,
    ws: WorkspaceAccess | None = None,
) -> DocumentAccess:
    """The document a REST path names, if the caller may open it."""
    ws = ws or await workspace_access(actor, org_slug, ws_slug)
    doc = await in_workspace(ws, document_id)
    return await _grant(actor, doc, ws.workspace.id)


async def document_by_id(actor: Actor, document_id: Any) -> DocumentAccess:
    """The document a socket names by id alone. An organization's document has no
    workspace, so pilotage roles play no part here (the socket does not review)."""
    wanted = parse_id(document_id, "Document")
    doc = await Document.filter(id=wanted).first()
    return await _grant(actor, doc, None)


async def visible_projects(ws: WorkspaceAccess, user_id: uuid.UUID) -> set[uuid.UUID]:
    """The projects of this workspace whose documents the caller may open."""
    if ws.is_admin:
        ids = await Project.filter(workspace_id=ws.workspace.id).values_list("id", flat=True)
    else:
        ids = await ProjectMember.filter(
            user_id=user_id, project__workspace_id=ws.workspace.id
        ).values_list("project_id", flat=True)
    return {uuid.UUID(str(i)) for i in ids}


async def lock_room(uow: UnitOfWork, document_id: uuid.UUID) -> None:
    """Serialize the document's writers (its room's row, on PostgreSQL); the row is made
    on first use without racing another first writer."""
    room = document_room(document_id)
    if not await uow.lock(room):
        await Room.bulk_create([Room(key=room, seq=0)], ignore_conflicts=True)
        await uow.lock(room)


async def locked_document(
    uow: UnitOfWork, actor: Actor, org_slug: str, ws_slug: str, document_id: Any
) -> DocumentAccess:
    """Write access to the document, read again once its room is locked for this
    transaction, so a change or a removal committed meanwhile is seen."""
    ws = await workspace_access(actor, org_slug, ws_slug)
    found = await in_workspace(ws, document_id)
    if found is None:
        raise NotFound("Document not found")
    await lock_room(uow, found.id)
    return await document_access(actor, org_slug, ws_slug, found.id, ws=ws)
