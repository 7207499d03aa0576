"""Projects and their kanban boards: members, scopes, columns and cards."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Project(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    workspace_id: uuid.UUID
    workspace: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Workspace", related_name="projects", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    created_by_id: uuid.UUID | None
    created_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="created_projects", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "projects"


class ProjectMember(Model):
    id = fields.IntField(primary_key=True)
    project_id: uuid.UUID
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="members", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    user: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="project_memberships", on_delete=fields.CASCADE
    )
    # admin | member
    role = fields.CharField(max_length=16, default="member")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "project_members"
        unique_together = (("project", "user"),)


# A work package or phase of a project, with its own board views.
class Scope(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    project_id: uuid.UUID
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="scopes", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    # kanban | list | calendar | roadmap | stats
    active_view = fields.CharField(max_length=16, default="kanban")
    settings: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    position = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "scopes"


class Column(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    project_id: uuid.UUID
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="columns", on_delete=fields.CASCADE
    )
    scope_id: uuid.UUID | None
    scope: fields.ForeignKeyNullableRelation[Scope] = fields.ForeignKeyField(
        "models.Scope", related_name="columns", null=True, on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    # Dense 0..n-1 within the project; columns are few, so a move renumbers them.
    order = fields.IntField(default=0)
    wip_limit = fields.IntField(null=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "columns"


class Card(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    project_id: uuid.UUID
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="cards", on_delete=fields.CASCADE
    )
    column_id: uuid.UUID
    column: fields.ForeignKeyRelation[Column] = fields.ForeignKeyField(
        "models.Column", related_name="cards", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=500)
    description = fields.TextField(default="")
    # low | medium | high, or none
    priority = fields.CharField(max_length=8, null=True)
    start_date = fields.DatetimeField(null=True)
    due_date = fields.DatetimeField(null=True)
    assignee_id: uuid.UUID | None
    assignee: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="assigned_cards", null=True, on_delete=fields.SET_NULL
    )
    # Fractional-index key: cards sort by it within a column, so a move writes one row.
    position = fields.CharField(max_length=64)
    archived = fields.BooleanField(default=False)
    archived_at = fields.DatetimeField(null=True)
    # Optimistic concurrency: every change bumps it, and a stale writer gets a conflict.
    version = fields.IntField(default=1)
    estimate = fields.CharField(max_length=20, null=True)
    poker_session_id: uuid.UUID | None
    poker_session: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.PokerSession", related_name="cards", null=True, on_delete=fields.SET_NULL
    )
    poker_story_id = fields.UUIDField(null=True)
    created_by_id: uuid.UUID | None
    created_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="created_cards", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "cards"
        # Every reveal looks for the cards linked to its story.
        indexes = (("column_id", "position"), ("poker_story_id",))


class ChecklistItem(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    card_id: uuid.UUID
    card: fields.ForeignKeyRelation[Card] = fields.ForeignKeyField(
        "models.Card", related_name="checklist", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=500)
    done = fields.BooleanField(default=False)
    order = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "checklist_items"


class Comment(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    card_id: uuid.UUID
    card: fields.ForeignKeyRelation[Card] = fields.ForeignKeyField(
        "models.Card", related_name="comments", on_delete=fields.CASCADE
    )
    author_id: uuid.UUID | None
    author: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="comments", null=True, on_delete=fields.SET_NULL
    )
    author_name = fields.CharField(max_length=100, default="")
    content = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "comments"


class Attachment(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    card_id: uuid.UUID
    card: fields.ForeignKeyRelation[Card] = fields.ForeignKeyField(
        "models.Card", related_name="attachments", on_delete=fields.CASCADE
    )
    uploaded_by_id: uuid.UUID | None
    uploaded_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="attachments", null=True, on_delete=fields.SET_NULL
    )
    original_name = fields.CharField(max_length=255)
    mime_type = fields.CharField(max_length=127)
    size = fields.BigIntField()
    # Relative path under the attachments directory; never derived from the upload's name.
    storage_key = fields.CharField(max_length=100, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attachments"


class Label(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    project_id: uuid.UUID
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="labels", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=50)
    color = fields.CharField(max_length=7)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "labels"


class CardLabel(Model):
    id = fields.IntField(primary_key=True)
    card_id: uuid.UUID
    card: fields.ForeignKeyRelation[Card] = fields.ForeignKeyField(
        "models.Card", related_name="card_labels", on_delete=fields.CASCADE
    )
    label_id: uuid.UUID
    label: fields.ForeignKeyRelation[Label] = fields.ForeignKeyField(
        "models.Label", related_name="card_labels", on_delete=fields.CASCADE
    )

    class Meta:
        table = "card_labels"
        unique_together = (("card", "label"),)


class CustomField(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    project_id: uuid.UUID
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="custom_fields", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    # text | number | select | multi-select | date | boolean
    type = fields.CharField(max_length=16)
    options: fields.Field[list[str]] = fields.JSONField(default=list)
    position = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "custom_fields"


class CustomFieldValue(Model):
    id = fields.IntField(primary_key=True)
    card_id: uuid.UUID
    card: fields.ForeignKeyRelation[Card] = fields.ForeignKeyField(
        "models.Card", related_name="custom_values", on_delete=fields.CASCADE
    )
    field_id: uuid.UUID
    field: fields.ForeignKeyRelation[CustomField] = fields.ForeignKeyField(
        "models.CustomField", related_name="values", on_delete=fields.CASCADE
    )
    value: fields.Field[Any] = fields.JSONField()

    class Meta:
        table = "custom_field_values"
        unique_together = (("card", "field"),)


# A typed link; "blocked_by" and the child side of "parent_of" are read from the target.
class CardRelation(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    project_id: uuid.UUID
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="relations", on_delete=fields.CASCADE
    )
    source_id: uuid.UUID
    source: fields.ForeignKeyRelation[Card] = fields.ForeignKeyField(
        "models.Card", related_name="relations_out", on_delete=fields.CASCADE
    )
    target_id: uuid.UUID
    target: fields.ForeignKeyRelation[Card] = fields.ForeignKeyField(
        "models.Card", related_name="relations_in", on_delete=fields.CASCADE
    )
    # blocks | related_to | duplicates | parent_of
    kind = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "card_relations"
        unique_together = (("source", "target", "kind"),)
