"""Request and response schemas of workspace agents, their missions and proposals (seed
001 shapes, camelCase)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictBool, StringConstraints, model_validator

from server.api.automation_conditions import Id
from server.api.card_schemas import _refuse_nulls, unchanged
from server.api.schemas import CamelInput, CamelOutput, Input, NoNul, Slug, StrictInt
from services.tools.registry import TOOLS

Mode = Literal["supervised", "autonomous", "approval"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100), NoNul]
Description = Annotated[str, StringConstraints(max_length=500), NoNul]
# The schema lists the registry's tools; a name it does not know is refused with 400.
ToolName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$"),
    Field(json_schema_extra=lambda s: s.update(enum=sorted(TOOLS))),
]
Tools = Annotated[list[ToolName], Field(max_length=100)]
PerMinute = Annotated[StrictInt, Field(ge=1, le=1000)]
PerDay = Annotated[StrictInt, Field(ge=1, le=10_000)]
Prompt = Annotated[str, StringConstraints(min_length=1, max_length=4000), NoNul]
Reason = Annotated[str, StringConstraints(max_length=500), NoNul]


class AgentCreate(CamelInput):
    """Workspace admins only; the slug is unique in the workspace."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Planner",
                    "slug": "planner",
                    "autonomyMode": "supervised",
                    "tools": ["get_card", "add_checklist_item", "add_comment"],
                    "callsPerMinute": 30,
                    "missionsPerDay": 50,
                }
            ]
        }
    )

    name: Name
    slug: Slug
    description: Description = ""
    autonomy_mode: Mode = Field(
        default="supervised",
        description="supervised: each change is proposed, one at a time; approval: all "
        "changes proposed together at the end; autonomous: changes are made directly",
    )
    tools: Tools = Field(default_factory=list, description="The registry tools it may call")
    calls_per_minute: PerMinute = 30
    missions_per_day: PerDay = 50


class AgentUpdate(CamelInput):
    """Only the fields sent change."""

    name: Name = unchanged()
    slug: Slug = unchanged()
    description: Description = unchanged()
    autonomy_mode: Mode = unchanged()
    tools: Tools = unchanged()
    calls_per_minute: PerMinute = unchanged()
    missions_per_day: PerDay = unchanged()

    @model_validator(mode="after")
    def _not_null(self) -> AgentUpdate:
        _refuse_nulls(self, tuple(type(self).model_fields))
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class AgentMissionCreate(CamelInput):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"cardId": "0b7e1a52-3f1c-4c55-9a57-2d8b1f0c9e11", "prompt": "Break it down"}
            ]
        }
    )

    card_id: Id = Field(description="A live card of a project you can see in this workspace")
    prompt: Prompt


class ProposalReject(CamelInput):
    reason: Reason = ""


class EventsQuery(Input):
    follow: StrictBool | Literal["true", "false"] = Field(
        default=True,
        description="Keep the stream open for new steps (true), or send the stored ones "
        "and close (false)",
    )


# Responses


class AgentPublic(CamelOutput):
    id: str
    workspace_id: str
    name: str
    slug: str
    description: str
    autonomy_mode: str
    tools: list[str]
    calls_per_minute: int
    missions_per_day: int
    created_at: str
    updated_at: str


class AgentMissionPublic(CamelOutput):
    id: str
    agent_id: str
    project_id: str
    card_id: str
    started_by: str
    prompt: str
    status: Literal["queued", "running", "awaiting_approval", "completed", "failed", "cancelled"]
    autonomy_mode: str
    plan: list[dict[str, Any]] = Field(description="Its planned actions: tool, arguments, summary")
    done: int = Field(description="How many planned actions are done or put up for review")
    result: dict[str, Any] | None
    error: str | None
    created_at: str
    updated_at: str
    finished_at: str | None


class ProposalPublic(CamelOutput):
    id: str
    mission_id: str
    tool: str
    arguments: dict[str, Any]
    summary: str
    status: Literal["pending", "approving", "approved", "failed", "rejected", "withdrawn"]
    reason: str
    decided_by: str | None
    decided_at: str | None
    outcome: dict[str, Any] | None
    created_at: str
