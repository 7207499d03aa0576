"""The knowledge base: documents scoped to an organization, a workspace, a project or a
board scope, and every saved version of each."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Document(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    org_id: uuid.UUID
    org: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Organization", related_name="documents", on_delete=fields.CASCADE
    )
    # organization | workspace | project | scope; the ids below the level stay null.
    scope_type = fields.CharField(max_length=16)
    workspace_id: uuid.UUID | None
    workspace: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Workspace", related_name="documents", null=True, on_delete=fields.CASCADE
    )
    project_id: uuid.UUID | None
    project: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Project", related_name="documents", null=True, on_delete=fields.CASCADE
    )
    scope_id: uuid.UUID | None
    scope: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Scope", related_name="documents", null=True, on_delete=fields.CASCADE
    )
    parent_id: uuid.UUID | None
    parent: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="children", null=True, on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=200)
    doc_type = fields.CharField(max_length=16, default="document")
    # TipTap (ProseMirror) JSON, checked by services/documents/content.py.
    content: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    # The content's plain text, for search.
    text = fields.TextField(default="")
    # draft | pending_review | approved | changes_requested
    status = fields.CharField(max_length=20, default="draft")
    # Optimistic concurrency: every saved change of title, type, parent or content.
    version = fields.IntField(default=1)
    author_id: uuid.UUID | None
    author: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="authored_documents", null=True, on_delete=fields.SET_NULL
    )
    updated_by_id: uuid.UUID | None
    updated_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="updated_documents", null=True, on_delete=fields.SET_NULL
    )
    reviewer_id: uuid.UUID | None
    reviewer: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="documents_to_review", null=True, on_delete=fields.SET_NULL
    )
    submitted_by_id: uuid.UUID | None
    submitted_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="submitted_documents", null=True, on_delete=fields.SET_NULL
    )
    submitted_at = fields.DatetimeField(null=True)
    reviewed_by_id: uuid.UUID | None
    reviewed_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="reviewed_documents", null=True, on_delete=fields.SET_NULL
    )
    reviewed_at = fields.DatetimeField(null=True)
    reviewed_version = fields.IntField(null=True)
    review_notes = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "documents"
        indexes = (("org_id", "workspace_id"), ("project_id",))


# The document as saved at `version`; the latest ones are kept.
class DocumentVersion(Model):
    id = fields.BigIntField(primary_key=True)
    document_id: uuid.UUID
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "models.Document", related_name="versions", on_delete=fields.CASCADE
    )
    version = fields.IntField()
    title = fields.CharField(max_length=200)
    doc_type = fields.CharField(max_length=16)
    content: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    saved_by_id: uuid.UUID | None
    saved_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="saved_document_versions", null=True, on_delete=fields.SET_NULL
    )
    saved_by_name = fields.CharField(max_length=100, default="")
    # Set on a version made by restoring an earlier one.
    restored_from = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "document_versions"
        unique_together = (("document", "version"),)
