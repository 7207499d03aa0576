"""The AI project wizard's drafts: a project being framed, refined and planned before
it is created on a board."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


# A draft is its author's alone: it may hold text from documents only they can read.
class ProjectDraft(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    workspace_id: uuid.UUID
    workspace: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Workspace", related_name="project_drafts", on_delete=fields.CASCADE
    )
    author_id: uuid.UUID
    author: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="project_drafts", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    # [{kind: "text" | "document", documentId, title, text}]: the text as it was read
    # when the draft was made.
    context: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    # framing | refinement | roadmap | executed
    stage = fields.CharField(max_length=16, default="framing")
    # {topic: answer}, the latest answer per topic.
    answers: fields.Field[dict[str, str]] = fields.JSONField(default=dict)
    # The open questions: [{topic, question, hint}].
    questions: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    # {topic: percent covered}.
    coverage: fields.Field[dict[str, int]] = fields.JSONField(default=dict)
    readiness = fields.IntField(default=0)
    # {phases: [{name, description, deliverables: [{title, description, acceptanceHints}]}]}
    roadmap: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    # What produced the questions and the roadmap: "builtin" or the model's name.
    engine = fields.CharField(max_length=100, default="builtin")
    project_id: uuid.UUID | None
    project: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Project", related_name="drafts", null=True, on_delete=fields.SET_NULL
    )
    executed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "project_drafts"
        indexes = (("workspace_id", "author_id", "created_at"),)
