"""Webhooks: an account's subscriptions to events, and the log of what was sent."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


# An account's callback: the events it picked, where they go, and the signing secret
# (sealed with a key derived from SECRET_KEY: it must be read back to sign).
class Webhook(Model):
    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="webhooks", on_delete=fields.CASCADE
    )
    owner_id: uuid.UUID
    url = fields.CharField(max_length=2000)
    description = fields.CharField(max_length=200, default="")
    events: fields.Field[list[str]] = fields.JSONField(default=list)
    active = fields.BooleanField(default=True)
    secret_sealed = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "webhooks"


# One event sent to one webhook: its body, kept so a redelivery sends the same bytes'
# content, and every try's outcome. A redelivery is a delivery of its own.
class WebhookDelivery(Model):
    id = fields.BigIntField(primary_key=True)
    webhook: fields.ForeignKeyRelation[Webhook] = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    webhook_id: int
    # The event's identity: the same for every try and every redelivery of it.
    event_id = fields.UUIDField()
    event = fields.CharField(max_length=50)
    payload: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    status = fields.CharField(max_length=16, default="pending")
    attempts = fields.IntField(default=0)
    response_status = fields.IntField(null=True)
    duration_ms = fields.IntField(null=True)
    response_excerpt: fields.Field[str | None] = fields.TextField(null=True)  # type: ignore[assignment]
    error: fields.Field[str | None] = fields.TextField(null=True)  # type: ignore[assignment]
    # Every try: {attempt, at, status_code, duration_ms, error}.
    tries: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    redelivery_of = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_deliveries"
        indexes = (("webhook_id", "id"),)
