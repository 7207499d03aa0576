"""REST for the knowledge base (seed 001 "Documents"): documents of a workspace, their
versions and their review. PATs need documents:read or documents:write."""

from __future__ import annotations

from typing import Any

from server.api.document_schemas import (
    BODY_MAX,
    DocumentCreate,
    DocumentListQuery,
    DocumentPublic,
    DocumentSummary,
    DocumentUpdate,
    ReviewDecision,
    ReviewRequest,
    VersionPublic,
    VersionSummary,
)
from server.api.routing import Api, Call
from server.api.shared import WS, Ok, ws_where
from services.documents import documents, review, versions
from services.scopes import DOCUMENTS_READ, DOCUMENTS_WRITE

api = Api("documents")

DOCS = WS + "/documents"
DOC = DOCS + "/{document_id}"


def _doc(call: Call) -> dict[str, Any]:
    return {**ws_where(call), "document_id": call.path["document_id"]}


@api.route(
    "POST",
    DOCS,
    summary=(
        "Create a document in the organization, the workspace, a project or a scope; "
        "its content is TipTap JSON"
    ),
    body=DocumentCreate,
    response=DocumentPublic,
    status=201,
    scope=DOCUMENTS_WRITE,
    max_body=BODY_MAX,
    errors=(403, 404),
)
async def create_document(call: Call) -> Any:
    body: DocumentCreate = call.body
    return await documents.create_document(
        actor=call.user,
        **ws_where(call),
        title=body.title,
        doc_type=body.doc_type,
        content=body.content_json(),
        scope_type=body.scope_type,
        project_id=body.project_id,
        scope_id=body.scope_id,
        parent_id=body.parent_id,
    )


@api.route(
    "GET",
    DOCS,
    summary=(
        "The documents the caller may open from this workspace (the organization's, the "
        "workspace's and its projects'), without content; filters and a text search"
    ),
    query=DocumentListQuery,
    response=list[DocumentSummary],
    scope=DOCUMENTS_READ,
    errors=(403, 404),
)
async def list_documents(call: Call) -> Any:
    q: DocumentListQuery = call.query
    return await documents.list_documents(
        actor=call.user,
        **ws_where(call),
        doc_type=q.doc_type,
        scope_type=q.scope_type,
        project_id=q.project_id,
        scope_id=q.scope_id,
        parent_id=q.parent_id,
        status=q.status,
        q=q.q,
    )


@api.route(
    "GET",
    DOC,
    summary="One document with its content",
    response=DocumentPublic,
    scope=DOCUMENTS_READ,
    errors=(403, 404),
)
async def get_document(call: Call) -> Any:
    return await documents.get_document(actor=call.user, **_doc(call))


@api.route(
    "PATCH",
    DOC,
    summary=(
        "Save a document (autosave): version is the one the editor last saw; a stale one "
        "answers 409 with the current document. Editing an approved document makes it a "
        "draft again"
    ),
    body=DocumentUpdate,
    response=DocumentPublic,
    scope=DOCUMENTS_WRITE,
    max_body=BODY_MAX,
    errors=(403, 404, 409),
)
async def update_document(call: Call) -> Any:
    body: DocumentUpdate = call.body
    return await documents.update_document(
        actor=call.user, **_doc(call), version=body.version, changes=body.changes()
    )


@api.route(
    "DELETE",
    DOC,
    summary="Delete a document without children (its author or an admin of its level)",
    response=Ok,
    scope=DOCUMENTS_WRITE,
    errors=(403, 404, 409),
)
async def delete_document(call: Call) -> Any:
    await documents.delete_document(actor=call.user, **_doc(call))
    return {"ok": True}


@api.route(
    "POST",
    DOC + "/submit-review",
    summary="Submit a draft (or a document with changes requested) for review",
    body=ReviewRequest,
    response=DocumentSummary,
    scope=DOCUMENTS_WRITE,
    errors=(403, 404, 409),
)
async def submit_review(call: Call) -> Any:
    body: ReviewRequest = call.body
    return await review.submit_review(actor=call.user, **_doc(call), reviewer_id=body.reviewer_id)


@api.route(
    "POST",
    DOC + "/review",
    summary=(
        "Approve a document pending review, or request changes (a workspace admin or a "
        "pilotage reviewer or owner, never its author)"
    ),
    body=ReviewDecision,
    response=DocumentSummary,
    scope=DOCUMENTS_WRITE,
    errors=(403, 404, 409),
)
async def review_document(call: Call) -> Any:
    body: ReviewDecision = call.body
    return await review.review(actor=call.user, **_doc(call), status=body.status, notes=body.notes)


@api.route(
    "GET",
    DOC + "/versions",
    summary="The document's saved versions, newest first, without content",
    response=list[VersionSummary],
    scope=DOCUMENTS_READ,
    errors=(403, 404),
)
async def list_versions(call: Call) -> Any:
    return await versions.list_versions(actor=call.user, **_doc(call))


@api.route(
    "GET",
    DOC + "/versions/{version_number}",
    summary="One saved version with its content",
    response=VersionPublic,
    scope=DOCUMENTS_READ,
    errors=(403, 404),
)
async def get_version(call: Call) -> Any:
    return await versions.get_version(
        actor=call.user, **_doc(call), version=call.path["version_number"]
    )


@api.route(
    "POST",
    DOC + "/versions/{version_number}/restore",
    summary="Restore a saved version: a new version with its title, type and content",
    response=DocumentPublic,
    scope=DOCUMENTS_WRITE,
    errors=(403, 404),
)
async def restore_version(call: Call) -> Any:
    return await versions.restore_version(
        actor=call.user, **_doc(call), version=call.path["version_number"]
    )
