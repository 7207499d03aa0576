"""The review workflow: draft → pending_review → approved | changes_requested.

Anyone who may edit a document submits it, optionally naming a reviewer. Someone other
than its author reviews it: a workspace admin (or an organization owner or admin), or a
member whose pilotage role is reviewer or owner. Editing an approved document takes it
back to draft. The reviewers hear of a submission, the author (and whoever submitted it)
of the outcome.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from models import Document, OrgMember, Workspace, WorkspaceMember
from services.actors import Actor
from services.boards import notify
from services.documents.access import (
    REVIEWER_PILOTAGE_ROLES,
    DocumentAccess,
    document_room,
    locked_document,
    roles_of,
    sees,
)
from services.documents.news import tree_changed
from services.documents.public import document_summary
from services.errors import Conflict, Forbidden, invalid_field
from services.events import UnitOfWork, unit_of_work

SUBMITTABLE = ("draft", "changes_requested")
OUTCOMES = ("approved", "changes_requested")
_EXCERPT = 140


def after_edit(doc: Document) -> None:
    """An approved document that changes is a draft again: the approval was of the text
    as it was."""
    if doc.status == "approved":
        doc.status = "draft"


async def _may_review(doc: Document, user_id: uuid.UUID, ws_id: uuid.UUID | None) -> bool:
    if doc.author_id == user_id:
        return False
    roles = await roles_of(user_id, doc.org_id, doc.workspace_id or ws_id, doc.project_id)
    return sees(doc, roles) and (roles.workspace_admin or roles.pilotage in REVIEWER_PILOTAGE_ROLES)


async def _reviewers(doc: Document, ws_id: uuid.UUID) -> set[uuid.UUID]:
    """Everyone who may review `doc` from this workspace."""
    candidates = set(
        await WorkspaceMember.filter(workspace_id=ws_id)
        .filter(role="admin")
        .values_list("user_id", flat=True)
    )
    candidates |= set(
        await WorkspaceMember.filter(
            workspace_id=ws_id, pilotage_role__in=REVIEWER_PILOTAGE_ROLES
        ).values_list("user_id", flat=True)
    )
    candidates |= set(
        await OrgMember.filter(org_id=doc.org_id, role__in=("owner", "admin")).values_list(
            "user_id", flat=True
        )
    )
    found = set()
    for raw in candidates:
        user_id = uuid.UUID(str(raw))
        if await _may_review(doc, user_id, ws_id):
            found.add(user_id)
    return found


def _meta(access: DocumentAccess, org_slug: str, ws_slug: str) -> dict[str, Any]:
    doc = access.document
    return {
        "documentId": str(doc.id),
        "documentTitle": doc.title,
        "status": doc.status,
        "orgSlug": org_slug,
        "wsSlug": ws_slug,
    }


async def _notify(
    uow: UnitOfWork,
    *,
    type: str,
    actor: Actor,
    doc: Document,
    meta: dict[str, Any],
    recipients: set[uuid.UUID],
) -> None:
    notes = await notify.activity(
        type=type, actor=actor, project_id=doc.project_id, meta=meta, recipients=recipients
    )
    uow.record(*notify.created(notes))


async def submit_review(
    *, actor: Actor, org_slug: str, ws_slug: str, document_id: Any, reviewer_id: str | None
) -> dict[str, Any]:
    async with unit_of_work() as uow:
        access = await locked_document(uow, actor, org_slug, ws_slug, document_id)
        doc = access.document
        if doc.status not in SUBMITTABLE:
            raise Conflict(
                f"Only a draft, or a document with changes requested, can be submitted for "
                f"review; this one is {doc.status}"
            )
        ws_id = doc.workspace_id or (await _path_workspace(org_slug, ws_slug, access))
        reviewer: uuid.UUID | None = None
        if reviewer_id is not None:
            reviewer = _user_id(reviewer_id)
            if reviewer is None or not await _may_review(doc, reviewer, ws_id):
                raise invalid_field(
                    "reviewerId",
                    "must be someone other than the author who may review this document",
                )
        doc.status = "pending_review"
        doc.reviewer_id = reviewer
        doc.submitted_by_id = access.user_id
        doc.submitted_at = _now()
        await doc.save()
        summary = document_summary(doc)
        wanted = {reviewer} if reviewer else await _reviewers(doc, ws_id)
        wanted -= {access.user_id}
        await _notify(
            uow,
            type="document_review_requested",
            actor=actor,
            doc=doc,
            meta=_meta(access, org_slug, ws_slug),
            recipients=wanted,
        )
        await uow.emit(document_room(doc.id), "document_submitted", {"document": summary}, actor)
        await tree_changed(uow, doc, actor)
    return summary


async def review(
    *, actor: Actor, org_slug: str, ws_slug: str, document_id: Any, status: str, notes: str
) -> dict[str, Any]:
    async with unit_of_work() as uow:
        access = await locked_document(uow, actor, org_slug, ws_slug, document_id)
        doc = access.document
        if access.is_author:
            raise Forbidden("The author cannot review their own document")
        if not access.may_review:
            raise Forbidden(
                "Only a workspace admin, or a member whose pilotage role is reviewer or "
                "owner, can review documents"
            )
        if doc.status != "pending_review":
            raise Conflict(
                f"Only a document pending review can be reviewed; this one is {doc.status}"
            )
        doc.status = status
        doc.reviewed_by_id = access.user_id
        doc.reviewed_at = _now()
        doc.reviewed_version = doc.version
        doc.review_notes = notes
        await doc.save()
        summary = document_summary(doc)
        meta = _meta(access, org_slug, ws_slug) | {"notes": notes[:_EXCERPT]}
        wanted = {u for u in (doc.author_id, doc.submitted_by_id) if u is not None}
        await _notify(
            uow, type="document_reviewed", actor=actor, doc=doc, meta=meta, recipients=wanted
        )
        await uow.emit(document_room(doc.id), "document_reviewed", {"document": summary}, actor)
        await tree_changed(uow, doc, actor)
    return summary


async def _path_workspace(org_slug: str, ws_slug: str, access: DocumentAccess) -> uuid.UUID:
    """The workspace a request about an organization's document came through."""
    ws = await Workspace.get(org_id=access.document.org_id, slug=ws_slug)
    return ws.id


def _user_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _now() -> datetime:
    return datetime.now(UTC)
