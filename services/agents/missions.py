"""Missions: a person starts one of an agent's missions on a card they can see; it is
queued as a job (in the same transaction) and runs as the agent on their behalf."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from models import AgentMission, AgentProposal, Card
from services import jobs, sql
from services.actors import Actor
from services.agents import steps
from services.agents.access import agent_in, mission_access
from services.agents.limits import check_mission_quota
from services.auth import require_user
from services.boards.access import parse_id, workspace_access
from services.boards.locate import ProjectRef, board_access
from services.boards.projects import visible_projects
from services.errors import Conflict, Forbidden, NotFound
from services.timefmt import iso

JOB_KIND = "agent_mission"
QUEUED, RUNNING, AWAITING, COMPLETED, FAILED, CANCELLED = (
    "queued",
    "running",
    "awaiting_approval",
    "completed",
    "failed",
    "cancelled",
)
FINISHED = (COMPLETED, FAILED, CANCELLED)
MAX_LISTED = 200


def mission_public(m: AgentMission) -> dict[str, Any]:
    return {
        "id": str(m.id),
        "agentId": str(m.agent_id),
        "projectId": str(m.project_id),
        "cardId": str(m.card_id),
        "startedBy": str(m.started_by_id),
        "prompt": m.prompt,
        "status": m.status,
        "autonomyMode": m.autonomy_mode,
        "plan": list(m.plan or []),
        "done": m.cursor,
        "result": m.result,
        "error": m.error,
        "createdAt": iso(m.created_at),
        "updatedAt": iso(m.updated_at),
        "finishedAt": iso(m.finished_at),
    }


async def start_mission(
    *, actor: Actor, org_slug: str, ws_slug: str, agent_id: Any, card_id: str, prompt: str
) -> dict[str, Any]:
    user_id = require_user(actor)
    ws = await workspace_access(actor, org_slug, ws_slug)
    agent = await agent_in(ws, agent_id)
    card = await Card.filter(id=parse_id(card_id, "Card"), archived=False).first()
    if card is None:
        raise NotFound("Card not found")
    try:
        project = await board_access(actor, ProjectRef(card.project_id, org_slug, ws_slug))
    except NotFound:
        raise NotFound("Card not found") from None
    if project.project.workspace_id != ws.workspace.id:
        raise NotFound("Card not found")
    await check_mission_quota(agent)
    async with in_transaction():
        mission = await AgentMission.create(
            agent_id=agent.id,
            workspace_id=ws.workspace.id,
            project_id=card.project_id,
            card_id=card.id,
            started_by_id=user_id,
            scopes=sorted(actor.scopes) if actor.scopes is not None else None,
            prompt=prompt,
            status=QUEUED,
            autonomy_mode=agent.autonomy_mode,
        )
        await steps.record(mission, steps.STATUS, status=QUEUED)
        await jobs.enqueue(
            JOB_KIND,
            {"mission": str(mission.id)},
            subject=f"agent:{agent.id}",
            ref=str(mission.id),
            max_attempts=20,
        )
    return mission_public(mission)


async def list_missions(
    *, actor: Actor, org_slug: str, ws_slug: str, agent_id: Any
) -> list[dict[str, Any]]:
    """The agent's missions on the projects the caller sees, newest first."""
    ws = await workspace_access(actor, org_slug, ws_slug)
    agent = await agent_in(ws, agent_id)
    visible = await visible_projects(actor=actor, org_slug=org_slug, ws_slug=ws_slug)
    seen = [p.id for p, _ in visible]
    rows = (
        await AgentMission.filter(agent_id=agent.id, project_id__in=seen)
        .order_by("-created_at", "-id")
        .limit(MAX_LISTED)
    )
    return [mission_public(m) for m in rows]


async def get_mission(
    *, actor: Actor, org_slug: str, ws_slug: str, mission_id: Any
) -> dict[str, Any]:
    found = await mission_access(actor, org_slug, ws_slug, mission_id)
    return mission_public(found.mission)


async def cancel_mission(
    *, actor: Actor, org_slug: str, ws_slug: str, mission_id: Any
) -> dict[str, Any]:
    """Whoever started it, or a project admin, cancels a mission that has not finished;
    its pending proposals are withdrawn."""
    found = await mission_access(actor, org_slug, ws_slug, mission_id)
    mission = found.mission
    if mission.started_by_id != actor.user_id and not found.project.is_admin:
        raise Forbidden("Only whoever started the mission, or a project admin, can cancel it")
    async with in_transaction():
        done = await AgentMission.filter(id=mission.id, status__not_in=FINISHED).update(
            status=CANCELLED, finished_at=sql.now(), updated_at=sql.now()
        )
        if not done:
            current = await AgentMission.get(id=mission.id)
            raise Conflict(f"This mission is already {current.status}")
        await AgentProposal.filter(mission_id=mission.id, status="pending").update(
            status="withdrawn"
        )
        await steps.record(mission, steps.STATUS, status=CANCELLED)
    return mission_public(await AgentMission.get(id=mission.id))
