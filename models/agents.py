"""Workspace agents: their configuration, the missions people start on cards, each
mission's stored steps (what its progress stream replays) and its proposals."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.models import Model


# An agent of a workspace: how freely it acts (`autonomy_mode`), the registry tools it
# may call, and its rate limits.
class Agent(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    workspace: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Workspace", related_name="agents", on_delete=fields.CASCADE
    )
    workspace_id: uuid.UUID
    name = fields.CharField(max_length=100)
    slug = fields.CharField(max_length=60)
    description = fields.CharField(max_length=500, default="")
    autonomy_mode = fields.CharField(max_length=16, default="supervised")
    tools: fields.Field[list[str]] = fields.JSONField(default=list)
    calls_per_minute = fields.IntField(default=30)
    missions_per_day = fields.IntField(default=50)
    created_by_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "agents"
        unique_together = (("workspace", "slug"),)


# A task on one card. `plan` holds the actions still to take or propose, `cursor` how
# many of them are done, so a mission taken up again after a restart resumes.
class AgentMission(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    agent: fields.ForeignKeyRelation[Agent] = fields.ForeignKeyField(
        "models.Agent", related_name="missions", on_delete=fields.CASCADE
    )
    agent_id: uuid.UUID
    workspace_id = fields.UUIDField()
    project_id = fields.UUIDField()
    card_id = fields.UUIDField()
    started_by_id = fields.UUIDField()
    # The PAT scopes of whoever started it (null: every scope, a signed-in session).
    scopes: fields.Field[list[str] | None] = fields.JSONField(null=True)
    prompt = fields.TextField()
    status = fields.CharField(max_length=20, default="queued")
    autonomy_mode = fields.CharField(max_length=16)
    plan: fields.Field[list[dict[str, Any]] | None] = fields.JSONField(null=True)
    cursor = fields.IntField(default=0)
    result: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    error: fields.Field[str | None] = fields.TextField(null=True)  # type: ignore[assignment]
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "agent_missions"
        indexes = (("agent_id", "created_at"),)


# One thing a mission did or said, in order: what its event stream sends, by id.
class AgentStep(Model):
    id = fields.BigIntField(primary_key=True)
    mission: fields.ForeignKeyRelation[AgentMission] = fields.ForeignKeyField(
        "models.AgentMission", related_name="steps", on_delete=fields.CASCADE
    )
    mission_id: uuid.UUID
    agent_id = fields.UUIDField()
    kind = fields.CharField(max_length=20)
    data: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "agent_steps"
        indexes = (("mission_id", "id"), ("agent_id", "kind", "created_at"))


# A change a mission wants to make: a registry tool and its arguments, waiting for a
# person's decision.
class AgentProposal(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    mission: fields.ForeignKeyRelation[AgentMission] = fields.ForeignKeyField(
        "models.AgentMission", related_name="proposals", on_delete=fields.CASCADE
    )
    mission_id: uuid.UUID
    workspace_id = fields.UUIDField()
    tool = fields.CharField(max_length=64)
    arguments: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    summary = fields.CharField(max_length=500, default="")
    status = fields.CharField(max_length=16, default="pending")
    reason = fields.CharField(max_length=500, default="")
    decided_by_id = fields.UUIDField(null=True)
    decided_at = fields.DatetimeField(null=True)
    outcome: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "agent_proposals"
        indexes = (("mission_id", "created_at"),)
