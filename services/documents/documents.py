"""Documents of a workspace's knowledge base: create, list, read, save (autosave, with
a version check) and delete."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise.expressions import Q

from models import Document, Project, Scope
from services.actors import Actor
from services.boards.access import WorkspaceAccess, parse_id, workspace_access
from services.documents import content as contents
from services.documents.access import (
    document_access,
    document_room,
    locked_document,
    visible_projects,
)
from services.documents.news import tree_changed
from services.documents.public import document_public, document_summary
from services.documents.review import after_edit
from services.documents.tree import child_count, parent_for
from services.documents.versions import record
from services.errors import Conflict, NotFound, invalid_field
from services.events import unit_of_work

# A list answers at most this many documents.
LIST_MAX = 1000
# What a save may change; the rest (scope, status) has its own paths.
EDITABLE = ("title", "doc_type", "parent_id", "content")


def stale(current: dict[str, Any]) -> Conflict:
    """What a writer whose version is out of date gets: the document as it is now."""
    return Conflict(
        "This document was changed by someone else; review the current version",
        details={"current": current},
    )


async def _project_in(ws: WorkspaceAccess, user_id: uuid.UUID, project_id: Any) -> Project:
    pid = parse_id(project_id, "Project")
    if pid not in await visible_projects(ws, user_id):
        raise NotFound("Project not found")
    return await Project.get(id=pid)


async def _placement(
    ws: WorkspaceAccess,
    user_id: uuid.UUID,
    scope_type: str,
    project_id: str | None,
    scope_id: str | None,
) -> dict[str, Any]:
    """Where a new document lives: the ids of its level and those above."""
    where: dict[str, Any] = {"org_id": ws.org.org.id, "scope_type": scope_type}
    if scope_type in ("organization", "workspace"):
        if project_id is not None:
            raise invalid_field("projectId", "only project and scope documents name a project")
        if scope_id is not None:
            raise invalid_field("scopeId", "only scope documents name a scope")
        if scope_type == "workspace":
            where["workspace_id"] = ws.workspace.id
        return where
    where["workspace_id"] = ws.workspace.id
    if scope_type == "project":
        if scope_id is not None:
            raise invalid_field("scopeId", "only scope documents name a scope")
        if project_id is None:
            raise invalid_field("projectId", "a project document names its project")
        where["project_id"] = (await _project_in(ws, user_id, project_id)).id
        return where
    if scope_id is None:
        raise invalid_field("scopeId", "a scope document names its scope")
    scope = await Scope.filter(id=parse_id(scope_id, "Scope")).first()
    if scope is None:
        raise NotFound("Scope not found")
    project = await _project_in(ws, user_id, scope.project_id)
    if project_id is not None and parse_id(project_id, "Project") != project.id:
        raise invalid_field("projectId", "must be the project the scope belongs to")
    where["project_id"], where["scope_id"] = project.id, scope.id
    return where


async def create_document(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    title: str,
    doc_type: str,
    content: Any,
    scope_type: str,
    project_id: str | None = None,
    scope_id: str | None = None,
    parent_id: str | None = None,
) -> dict[str, Any]:
    ws = await workspace_access(actor, org_slug, ws_slug)
    assert actor.user_id is not None  # workspace_access admits accounts only
    body, text = contents.check(contents.EMPTY if content is None else content)
    where = await _placement(ws, actor.user_id, scope_type, project_id, scope_id)
    async with unit_of_work() as uow:
        doc = Document(
            id=uuid.uuid4(),
            title=title,
            doc_type=doc_type,
            content=body,
            text=text,
            author_id=actor.user_id,
            updated_by_id=actor.user_id,
            **where,
        )
        parent = await parent_for(doc, parent_id)
        doc.parent_id = parent.id if parent else None
        await doc.save()
        await record(doc, actor)
        public = document_public(doc)
        await uow.emit(
            document_room(doc.id), "document_created", {"document": document_summary(doc)}, actor
        )
        await tree_changed(uow, doc, actor)
    return public


async def get_document(
    *, actor: Actor, org_slug: str, ws_slug: str, document_id: Any, with_text: bool = False
) -> dict[str, Any]:
    """The document with its content; `with_text` adds its plain text (for agents)."""
    access = await document_access(actor, org_slug, ws_slug, document_id)
    public = document_public(access.document)
    if with_text:
        public["text"] = access.document.text
    return public


async def list_documents(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    doc_type: str | None = None,
    scope_type: str | None = None,
    project_id: str | None = None,
    scope_id: str | None = None,
    parent_id: str | None = None,
    status: str | None = None,
    q: str | None = None,
) -> list[dict[str, Any]]:
    """What the caller may open from this workspace: the organization's documents, the
    workspace's, and those of the projects they may open; by title."""
    ws = await workspace_access(actor, org_slug, ws_slug)
    assert actor.user_id is not None
    projects = await visible_projects(ws, actor.user_id)
    reachable = Q(scope_type="organization") | Q(
        workspace_id=ws.workspace.id, project_id__isnull=True
    )
    if projects:
        reachable |= Q(project_id__in=list(projects))
    query = Document.filter(org_id=ws.org.org.id).filter(reachable)
    filters: dict[str, Any] = {}
    if doc_type is not None:
        filters["doc_type"] = doc_type
    if scope_type is not None:
        filters["scope_type"] = scope_type
    if status is not None:
        filters["status"] = status
    if project_id is not None:
        filters["project_id"] = parse_id(project_id, "Project")
    if scope_id is not None:
        filters["scope_id"] = parse_id(scope_id, "Scope")
    if parent_id is not None:
        filters["parent_id"] = parse_id(parent_id, "Parent document")
    query = query.filter(**filters)
    if q:
        query = query.filter(Q(title__icontains=q) | Q(text__icontains=q))
    rows = await query.order_by("title", "created_at").limit(LIST_MAX)
    return [document_summary(d) for d in rows]


async def update_document(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    document_id: Any,
    version: int,
    changes: dict[str, Any],
) -> dict[str, Any]:
    """Save what changed. `version` is the one the editor last saw: a stale one is a 409
    carrying the document as it is now, never an overwrite. A save that changes nothing
    answers the document as it is."""
    checked: tuple[dict[str, Any], str] | None = None
    if "content" in changes:
        checked = contents.check(changes["content"])
    async with unit_of_work() as uow:
        access = await locked_document(uow, actor, org_slug, ws_slug, document_id)
        doc = access.document
        if doc.version != version:
            raise stale(document_public(doc))
        shown = _as_listed(doc)
        edited = False
        if "title" in changes and changes["title"] != doc.title:
            doc.title, edited = changes["title"], True
        if "doc_type" in changes and changes["doc_type"] != doc.doc_type:
            doc.doc_type, edited = changes["doc_type"], True
        if checked is not None and checked[0] != doc.content:
            doc.content, doc.text = checked
            edited = True
        moved = False
        if "parent_id" in changes:
            parent = await parent_for(doc, changes["parent_id"])
            new_parent = parent.id if parent else None
            moved = new_parent != doc.parent_id
            doc.parent_id = new_parent
        if not (edited or moved):
            return document_public(doc)
        doc.version += 1
        doc.updated_by_id = actor.user_id
        if edited:
            after_edit(doc)
        await doc.save()
        await record(doc, actor)
        public = document_public(doc)
        await uow.emit(document_room(doc.id), "document_saved", {"document": public}, actor)
        if _as_listed(doc) != shown:
            await tree_changed(uow, doc, actor)
    return public


def _as_listed(doc: Document) -> tuple[object, ...]:
    """What a document's place in a tree shows: a save that changes none of it (most
    autosaves) leaves the trees alone."""
    return (doc.title, doc.doc_type, doc.parent_id, doc.status)


async def delete_document(*, actor: Actor, org_slug: str, ws_slug: str, document_id: Any) -> None:
    """Its author or an admin of its level deletes it, once it has no children: a tree
    is not deleted by accident."""
    async with unit_of_work() as uow:
        access = await locked_document(uow, actor, org_slug, ws_slug, document_id)
        access.require_deleter()
        doc = access.document
        children = await child_count(doc)
        if children:
            raise Conflict(
                f"This document has {children} child document(s); move or delete them first"
            )
        await doc.delete()
        await uow.emit(
            document_room(doc.id), "document_deleted", {"documentId": str(doc.id)}, actor
        )
        await tree_changed(uow, doc, actor)
