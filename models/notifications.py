"""Per-user notifications generated from board activity."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Notification(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    user_id: uuid.UUID
    user: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    # card_created | card_updated | card_moved | card_archived | card_deleted |
    # card_assigned | comment_added | member_added | member_removed
    type = fields.CharField(max_length=32)
    actor_id: uuid.UUID | None
    actor: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="caused_notifications", null=True, on_delete=fields.SET_NULL
    )
    project_id = fields.UUIDField(null=True)
    card_id = fields.UUIDField(null=True)
    meta: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    read_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notifications"
        indexes = (("user_id", "read_at"),)
