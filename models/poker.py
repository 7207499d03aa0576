"""Planning-poker sessions, their participants, stories, votes and folders."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Folder(Model):
    id = fields.IntField(primary_key=True)
    owner_id: uuid.UUID
    owner: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="folders", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    color = fields.CharField(max_length=7, default="#6366f1")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "folders"


class PokerSession(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    code = fields.CharField(max_length=6, unique=True)
    owner_id: uuid.UUID
    folder_id: int | None
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    owner: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="poker_sessions", on_delete=fields.CASCADE
    )
    folder: fields.ForeignKeyNullableRelation[Folder] = fields.ForeignKeyField(
        "models.Folder", related_name="sessions", null=True, on_delete=fields.SET_NULL
    )
    status = fields.CharField(max_length=16, default="active")
    voting_system = fields.CharField(max_length=16, default="fibonacci")
    custom_deck_name = fields.CharField(max_length=50, null=True)
    deck: fields.Field[list[str]] = fields.JSONField(default=list)
    record_vote_names = fields.BooleanField(default=True)
    async_voting_enabled = fields.BooleanField(default=False)
    auto_reveal = fields.BooleanField(default=False)
    # What the room's timer offers to run; the timer itself is started with its seconds.
    timer_seconds = fields.IntField(default=60)
    # No foreign key: stories point at sessions, and a cycle would complicate deletes.
    current_story_id = fields.UUIDField(null=True)
    timer_ends_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "poker_sessions"


class Participant(Model):
    id = fields.IntField(primary_key=True)
    session_id: uuid.UUID
    user_id: uuid.UUID | None
    session: fields.ForeignKeyRelation[PokerSession] = fields.ForeignKeyField(
        "models.PokerSession", related_name="participants", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.User", related_name="participations", null=True, on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    role = fields.CharField(max_length=16, default="participant")
    # SHA-256 of the guest token; null for signed-in users, cleared on kick.
    token_hash = fields.CharField(max_length=64, null=True, unique=True)
    removed_at = fields.DatetimeField(null=True)
    joined_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "participants"
        unique_together = (("session", "user"),)


class Story(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    session_id: uuid.UUID
    session: fields.ForeignKeyRelation[PokerSession] = fields.ForeignKeyField(
        "models.PokerSession", related_name="stories", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=500)
    description = fields.TextField(default="")
    acceptance_criteria = fields.TextField(default="")
    position = fields.IntField(default=0)
    status = fields.CharField(max_length=16, default="pending")
    round = fields.IntField(default=1)
    final_estimate = fields.CharField(max_length=20, null=True)
    result: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    # Results of earlier rounds, oldest first, kept when a round is restarted.
    history: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    revealed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "stories"


class Vote(Model):
    id = fields.IntField(primary_key=True)
    story_id: uuid.UUID
    participant_id: int
    story: fields.ForeignKeyRelation[Story] = fields.ForeignKeyField(
        "models.Story", related_name="votes", on_delete=fields.CASCADE
    )
    participant: fields.ForeignKeyRelation[Participant] = fields.ForeignKeyField(
        "models.Participant", related_name="votes", on_delete=fields.CASCADE
    )
    value = fields.CharField(max_length=20)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "votes"
        unique_together = (("story", "participant"),)
