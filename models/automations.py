"""Automations: a project's rules (trigger, conditions, actions), the trace of every
execution, and the marks that make a due date fire once."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


# A project rule. `owner` is the person who last saved it: the rule acts with their
# rights. `secret_sealed` signs its webhook calls (sealed: it must be read back to sign).
class AutomationRule(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    project: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Project", related_name="automation_rules", on_delete=fields.CASCADE
    )
    project_id: uuid.UUID
    name = fields.CharField(max_length=100)
    enabled = fields.BooleanField(default=True)
    trigger = fields.CharField(max_length=32)
    trigger_options: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    conditions: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    actions: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    owner: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="automation_rules", null=True, on_delete=fields.SET_NULL
    )
    owner_id: uuid.UUID | None
    secret_sealed = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "automation_rules"
        indexes = (("project_id", "enabled"),)


# One execution of a rule: what triggered it, on which card, and what came of it
# (success, failure or skipped, with the reason), action by action.
class AutomationTrace(Model):
    id = fields.BigIntField(primary_key=True)
    rule: fields.ForeignKeyRelation[AutomationRule] = fields.ForeignKeyField(
        "models.AutomationRule", related_name="traces", on_delete=fields.CASCADE
    )
    rule_id: uuid.UUID
    project_id = fields.UUIDField()
    trigger = fields.CharField(max_length=32)
    event: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    actor: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    triggered_by: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    card_id = fields.UUIDField(null=True)
    card_title = fields.CharField(max_length=500, default="")
    result = fields.CharField(max_length=16)
    reason: fields.Field[str | None] = fields.TextField(null=True)  # type: ignore[assignment]
    error: fields.Field[str | None] = fields.TextField(null=True)  # type: ignore[assignment]
    steps: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    depth = fields.IntField(default=1)
    duration_ms = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "automation_traces"
        indexes = (("rule_id", "id"),)


# A card's due date that has fired its rules: unique, so it fires once however many
# workers or planned jobs reach it.
class AutomationDueMark(Model):
    id = fields.BigIntField(primary_key=True)
    card_id = fields.UUIDField()
    due_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "automation_due_marks"
        unique_together = (("card_id", "due_at"),)
