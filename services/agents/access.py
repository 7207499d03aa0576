"""Who reaches an agent, a mission or a proposal: everyone who sees the workspace sees
its agents; a mission and its proposals are seen by those who see its card's project.
Anything else is simply not found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models import Agent, AgentMission, AgentProposal
from services.actors import Actor
from services.boards.access import ProjectAccess, WorkspaceAccess, find_in, workspace_access
from services.boards.locate import ProjectRef, board_access
from services.errors import NotFound


@dataclass(frozen=True)
class MissionAccess:
    ws: WorkspaceAccess
    mission: AgentMission
    project: ProjectAccess


async def agent_in(ws: WorkspaceAccess, agent_id: Any) -> Agent:
    return await find_in(Agent, "Agent", agent_id, workspace_id=ws.workspace.id)


async def _seen(actor: Actor, ws: WorkspaceAccess, mission: AgentMission) -> MissionAccess:
    ref = ProjectRef(mission.project_id, ws.org.org.slug, ws.workspace.slug)
    try:
        project = await board_access(actor, ref)
    except NotFound:
        raise NotFound("Mission not found") from None
    return MissionAccess(ws, mission, project)


async def mission_access(
    actor: Actor, org_slug: str, ws_slug: str, mission_id: Any
) -> MissionAccess:
    ws = await workspace_access(actor, org_slug, ws_slug)
    mission = await find_in(AgentMission, "Mission", mission_id, workspace_id=ws.workspace.id)
    return await _seen(actor, ws, mission)


async def proposal_access(
    actor: Actor, org_slug: str, ws_slug: str, proposal_id: Any
) -> tuple[MissionAccess, AgentProposal]:
    ws = await workspace_access(actor, org_slug, ws_slug)
    proposal = await find_in(AgentProposal, "Proposal", proposal_id, workspace_id=ws.workspace.id)
    mission = await AgentMission.get(id=proposal.mission_id)
    try:
        return await _seen(actor, ws, mission), proposal
    except NotFound:
        raise NotFound("Proposal not found") from None


def agent_actor(agent: Agent, *, user_id: Any, scopes: list[str] | None) -> Actor:
    """The agent as the board sees it, with the rights (and token scopes) of the person
    it acts for: never more than theirs."""
    return Actor(
        kind="agent",
        name=agent.name,
        via="system",
        user_id=user_id,
        scopes=frozenset(scopes) if scopes is not None else None,
        agent_id=agent.id,
    )
