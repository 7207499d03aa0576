"""An account's poker workspace: the team's default room settings, and room templates."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


# One per account, written on its first change; until then the built-in defaults stand
# in for it.
class PokerWorkspace(Model):
    id = fields.IntField(primary_key=True)
    owner_id: uuid.UUID
    owner: fields.OneToOneRelation[Model] = fields.OneToOneField(
        "models.User", related_name="poker_workspace", on_delete=fields.CASCADE
    )
    voting_system = fields.CharField(max_length=16, default="fibonacci")
    custom_deck_name = fields.CharField(max_length=50, null=True)
    deck: fields.Field[list[str]] = fields.JSONField(default=list)
    record_vote_names = fields.BooleanField(default=True)
    async_voting_enabled = fields.BooleanField(default=False)
    auto_reveal = fields.BooleanField(default=False)
    timer_seconds = fields.IntField(default=60)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "poker_workspaces"


# A named room set-up: complete settings and the stories a new room starts with.
class RoomTemplate(Model):
    id = fields.IntField(primary_key=True)
    owner_id: uuid.UUID
    owner: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="room_templates", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    description = fields.TextField(default="")
    voting_system = fields.CharField(max_length=16, default="fibonacci")
    custom_deck_name = fields.CharField(max_length=50, null=True)
    deck: fields.Field[list[str]] = fields.JSONField(default=list)
    record_vote_names = fields.BooleanField(default=True)
    async_voting_enabled = fields.BooleanField(default=False)
    auto_reveal = fields.BooleanField(default=False)
    timer_seconds = fields.IntField(default=60)
    # [{"title", "description", "acceptance_criteria"}], in the order the room gets them.
    stories: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "room_templates"
        unique_together = (("owner", "name"),)
