"""A mission's steps, stored in order: the progress stream replays them by id, so a
client that reconnects with the last id it saw loses nothing."""

from __future__ import annotations

from typing import Any

from models import AgentMission, AgentStep
from services.timefmt import iso

STATUS, NOTE, TOOL_CALL, PROPOSAL, DECISION, RESULT, ERROR = (
    "status",
    "step",
    "tool_call",
    "proposal",
    "decision",
    "result",
    "error",
)


async def record(mission: AgentMission, kind: str, **data: Any) -> AgentStep:
    return await AgentStep.create(
        mission_id=mission.id, agent_id=mission.agent_id, kind=kind, data=data
    )


def step_public(step: AgentStep) -> dict[str, Any]:
    return {"id": str(step.id), "kind": step.kind, "data": step.data, "at": iso(step.created_at)}


async def after(mission_id: Any, last_id: int, *, limit: int = 200) -> list[AgentStep]:
    return await AgentStep.filter(mission_id=mission_id, id__gt=last_id).order_by("id").limit(limit)
