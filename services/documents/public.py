"""Documents and their versions as the API and the sockets show them."""

from __future__ import annotations

from typing import Any

from models import Document, DocumentVersion
from services.timefmt import iso

DOC_TYPES = ("document", "spec", "brief", "adr", "note", "reference", "template", "spreadsheet")
SCOPE_TYPES = ("organization", "workspace", "project", "scope")
STATUSES = ("draft", "pending_review", "approved", "changes_requested")
TITLE_MAX = 200
NOTES_MAX = 5000
EXCERPT = 200


def _id(value: Any) -> str | None:
    return str(value) if value is not None else None


def document_summary(d: Document) -> dict[str, Any]:
    """Everything but the content: what lists, trees and status changes carry."""
    return {
        "id": str(d.id),
        "organizationId": str(d.org_id),
        "workspaceId": _id(d.workspace_id),
        "scopeType": d.scope_type,
        "projectId": _id(d.project_id),
        "scopeId": _id(d.scope_id),
        "parentId": _id(d.parent_id),
        "title": d.title,
        "docType": d.doc_type,
        "status": d.status,
        "version": d.version,
        "excerpt": d.text[:EXCERPT],
        "authorId": _id(d.author_id),
        "updatedById": _id(d.updated_by_id),
        "reviewerId": _id(d.reviewer_id),
        "submittedById": _id(d.submitted_by_id),
        "submittedAt": iso(d.submitted_at),
        "reviewedById": _id(d.reviewed_by_id),
        "reviewedAt": iso(d.reviewed_at),
        "reviewedVersion": d.reviewed_version,
        "reviewNotes": d.review_notes,
        "createdAt": iso(d.created_at),
        "updatedAt": iso(d.updated_at),
    }


def document_public(d: Document) -> dict[str, Any]:
    return {**document_summary(d), "content": d.content}


def version_summary(v: DocumentVersion) -> dict[str, Any]:
    return {
        "documentId": str(v.document_id),
        "version": v.version,
        "title": v.title,
        "docType": v.doc_type,
        "savedById": _id(v.saved_by_id),
        "savedByName": v.saved_by_name,
        "restoredFrom": v.restored_from,
        "createdAt": iso(v.created_at),
    }


def version_public(v: DocumentVersion) -> dict[str, Any]:
    return {**version_summary(v), "content": v.content}
