"""Where imported poker stories came from, and the imports already confirmed."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.poker import PokerSession, Story


# A story's place in the tool it was imported from: its key there, its link, and what
# estimate sync needs to reach it again (a Jira site, a GitHub repository).
class StoryLink(Model):
    id = fields.IntField(primary_key=True)
    story_id: uuid.UUID
    session_id: uuid.UUID
    story: fields.OneToOneRelation[Story] = fields.OneToOneField(
        "models.Story", related_name="link", on_delete=fields.CASCADE
    )
    session: fields.ForeignKeyRelation[PokerSession] = fields.ForeignKeyField(
        "models.PokerSession", related_name="story_links", on_delete=fields.CASCADE
    )
    provider = fields.CharField(max_length=16)
    external_key = fields.CharField(max_length=200, null=True)
    external_url = fields.CharField(max_length=1000, null=True)
    # {"site_url"} for Jira, {"api_url", "repository"} for GitHub; {} for a file.
    origin: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    imported_estimate = fields.CharField(max_length=20, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "story_links"
        unique_together = (("session", "provider", "external_key"),)


# One confirmed import into a session, by the digest of what it imported: the same
# preview confirmed again finds it and imports nothing.
class StoryImport(Model):
    id = fields.IntField(primary_key=True)
    session_id: uuid.UUID
    session: fields.ForeignKeyRelation[PokerSession] = fields.ForeignKeyField(
        "models.PokerSession", related_name="imports", on_delete=fields.CASCADE
    )
    digest = fields.CharField(max_length=64)
    provider = fields.CharField(max_length=16)
    story_ids: fields.Field[list[str]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "story_imports"
        unique_together = (("session", "digest"),)
