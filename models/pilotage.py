"""Pilotage: a workspace's missions, priorities, todos, decisions and active documents,
and the actions proposed for review with the trail of what happened to each."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Mission(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    workspace_id: uuid.UUID
    workspace: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Workspace", related_name="missions", on_delete=fields.CASCADE
    )
    objective = fields.CharField(max_length=500)
    module = fields.CharField(max_length=100, null=True)
    # to_launch | in_progress | blocked | done
    status = fields.CharField(max_length=16, default="to_launch")
    blocked_reason = fields.CharField(max_length=200, null=True)
    created_by_id: uuid.UUID | None
    created_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="pilotage_missions", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "pilotage_missions"
        indexes = (("workspace_id", "created_at"),)


class Priority(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    workspace_id: uuid.UUID
    workspace: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Workspace", related_name="priorities", on_delete=fields.CASCADE
    )
    label = fields.CharField(max_length=200)
    module = fields.CharField(max_length=100, null=True)
    # Only active priorities show in the state; an inactive one is kept for its todos.
    active = fields.BooleanField(default=True)
    created_by_id: uuid.UUID | None
    created_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="pilotage_priorities", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "pilotage_priorities"
        indexes = (("workspace_id", "created_at"),)


class Todo(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    workspace_id: uuid.UUID
    workspace: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Workspace", related_name="todos", on_delete=fields.CASCADE
    )
    label = fields.CharField(max_length=500)
    mission_id: uuid.UUID | None
    mission: fields.ForeignKeyNullableRelation[Mission] = fields.ForeignKeyField(
        "models.Mission", related_name="todos", null=True, on_delete=fields.SET_NULL
    )
    priority_id: uuid.UUID | None
    priority: fields.ForeignKeyNullableRelation[Priority] = fields.ForeignKeyField(
        "models.Priority", related_name="todos", null=True, on_delete=fields.SET_NULL
    )
    # todo | in_progress | blocked | done
    status = fields.CharField(max_length=16, default="todo")
    created_by_id: uuid.UUID | None
    created_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="pilotage_todos", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "pilotage_todos"
        indexes = (("workspace_id", "created_at"),)


class Decision(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    workspace_id: uuid.UUID
    workspace: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Workspace", related_name="decisions", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=300)
    impact = fields.CharField(max_length=2000, null=True)
    created_by_id: uuid.UUID | None
    created_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="pilotage_decisions", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "pilotage_decisions"
        indexes = (("workspace_id", "created_at"),)


class ActiveDoc(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    workspace_id: uuid.UUID
    workspace: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Workspace", related_name="active_docs", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=300)
    owner = fields.CharField(max_length=100, null=True)
    # product | tech | sprint | ops
    source_type = fields.CharField(max_length=16, null=True)
    url = fields.CharField(max_length=2000, null=True)
    created_by_id: uuid.UUID | None
    created_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="pilotage_docs", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "pilotage_docs"
        indexes = (("workspace_id", "created_at"),)


# An action proposed for review (by a person or an agent): suggested, then approved or
# rejected, then applied. A failed apply leaves it approved, with the reason in
# `last_error` and in its trail.
class ProposedAction(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    workspace_id: uuid.UUID
    workspace: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Workspace", related_name="proposed_actions", on_delete=fields.CASCADE
    )
    action_type = fields.CharField(max_length=100)
    explanation = fields.CharField(max_length=500)
    payload: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    # suggested | approved | rejected | applied
    status = fields.CharField(max_length=16, default="suggested")
    proposed_by_id: uuid.UUID | None
    proposed_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="proposed_actions", null=True, on_delete=fields.SET_NULL
    )
    review_reason = fields.CharField(max_length=200, null=True)
    reviewed_at = fields.DatetimeField(null=True)
    applied_at = fields.DatetimeField(null=True)
    result: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    last_error = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "pilotage_actions"
        indexes = (("workspace_id", "status", "created_at"),)


# One step in an action's life: who proposed, reviewed or applied it, when, why, and
# what came of it. Rows are only ever added.
class ActionTrail(Model):
    id = fields.BigIntField(primary_key=True)
    action: fields.ForeignKeyRelation[ProposedAction] = fields.ForeignKeyField(
        "models.ProposedAction", related_name="trail", on_delete=fields.CASCADE
    )
    action_id: uuid.UUID
    # proposed | approved | rejected | applied | failed
    step = fields.CharField(max_length=16)
    actor_id = fields.UUIDField(null=True)
    actor_name = fields.CharField(max_length=100)
    actor_kind = fields.CharField(max_length=16, default="user")
    reason = fields.CharField(max_length=500, null=True)
    result: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "pilotage_action_trail"
        indexes = (("action_id", "id"),)
