"""Permission matrix rows of workspace agents: workspace admins configure them, everyone
in the workspace lists them; missions and proposals belong to those who see the card's
project (a workspace member outside it gets 404); anyone else gets 404."""

from __future__ import annotations

from models import Agent, AgentMission, AgentProposal, AgentStep
from tests.matrix import (
    ADMIN_CREATE,
    ADMIN_WRITE,
    READ,
    TENANT_IDS,
    Req,
    World,
    expect,
    row,
    unique,
)

WS = "/orgs/{org_slug}/workspaces/{ws_slug}"
AGENTS = WS + "/agents"
AGENT = AGENTS + "/{agent_id}"
MISSION = WS + "/missions/{mission_id}"
PROPOSAL = WS + "/proposals/{proposal_id}"

TENANT_IDS.extend(["agent_id", "mission_id", "proposal_id"])

IN_PROJECT_READ = expect(200, 200, 200, pat_read=200, ws_member=404)
IN_PROJECT_WRITE = expect(200, 200, 200, ws_member=404)


async def seeded_agent(w: World) -> Agent:
    return await Agent.create(
        workspace_id=w.board.workspace.id,
        name=(w.tag + "Planner")[:100],
        slug=unique("planner")[:60],
        autonomy_mode="supervised",
        tools=["get_card", "add_checklist_item", "add_comment"],
        calls_per_minute=1000,
        missions_per_day=10_000,
    )


async def seeded_mission(w: World, status: str = "awaiting_approval") -> AgentMission:
    agent = await seeded_agent(w)
    card = await w.card()
    mission = await AgentMission.create(
        agent_id=agent.id,
        workspace_id=w.board.workspace.id,
        project_id=w.board.project.id,
        card_id=card,
        started_by_id=w.owner.id,
        prompt=w.tag + "Break it down",
        status=status,
        autonomy_mode="supervised",
        plan=[],
    )
    await AgentStep.create(
        mission_id=mission.id, agent_id=agent.id, kind="status", data={"status": status}
    )
    return mission


async def seeded_proposal(w: World) -> str:
    mission = await seeded_mission(w)
    proposal = await AgentProposal.create(
        mission_id=mission.id,
        workspace_id=mission.workspace_id,
        tool="add_checklist_item",
        arguments={
            "project_id": str(mission.project_id),
            "card_id": str(mission.card_id),
            "title": "Draft it",
        },
        summary=w.tag + "Add a checklist item",
    )
    return str(proposal.id)


async def new_agent(w: World, caller: str) -> Req:
    return Req(json={"name": "Planner", "slug": unique("planner"), "tools": ["get_card"]})


async def an_agent(w: World, caller: str) -> Req:
    return Req({"agent_id": str((await seeded_agent(w)).id)})


async def rename_agent(w: World, caller: str) -> Req:
    return Req({"agent_id": str((await seeded_agent(w)).id)}, json={"name": "Renamed"})


async def new_mission(w: World, caller: str) -> Req:
    agent = await seeded_agent(w)
    card = await w.card("Sign in", description="- Draft the form\n- Check it")
    return Req({"agent_id": str(agent.id)}, json={"cardId": card, "prompt": "Break it down"})


async def a_mission(w: World, caller: str) -> Req:
    return Req({"mission_id": str((await seeded_mission(w)).id)})


async def a_finished_mission(w: World, caller: str) -> Req:
    return Req({"mission_id": str((await seeded_mission(w, "completed")).id)})


async def a_proposal(w: World, caller: str) -> Req:
    return Req({"proposal_id": await seeded_proposal(w)})


async def a_rejection(w: World, caller: str) -> Req:
    return Req({"proposal_id": await seeded_proposal(w)}, json={"reason": "Not now"})


row("POST", AGENTS, ADMIN_CREATE, new_agent)
row("GET", AGENTS, READ)
row("GET", AGENT, READ, an_agent)
row("PATCH", AGENT, ADMIN_WRITE, rename_agent)
row("DELETE", AGENT, ADMIN_WRITE, an_agent)
row("POST", AGENT + "/missions", expect(201, 201, 201, ws_member=404), new_mission)
row("GET", AGENT + "/missions", READ, an_agent)
row("GET", MISSION, IN_PROJECT_READ, a_mission)
row("POST", MISSION + "/cancel", expect(403, 200, 200, ws_member=404), a_mission)
row("GET", MISSION + "/events", IN_PROJECT_READ, a_finished_mission)
row("GET", MISSION + "/proposals", IN_PROJECT_READ, a_mission)
row("POST", PROPOSAL + "/approve", IN_PROJECT_WRITE, a_proposal)
row("POST", PROPOSAL + "/reject", IN_PROJECT_WRITE, a_rejection)


async def seed(w: World) -> dict[str, str]:
    """Ids for the schema fuzzer: an agent, and a finished mission (its event stream
    ends) with a pending proposal."""
    mission = await seeded_mission(w, "completed")
    proposal = await AgentProposal.create(
        mission_id=mission.id,
        workspace_id=mission.workspace_id,
        tool="add_checklist_item",
        arguments={
            "project_id": str(mission.project_id),
            "card_id": str(mission.card_id),
            "title": "Draft it",
        },
    )
    return {
        "agent_id": str(mission.agent_id),
        "mission_id": str(mission.id),
        "proposal_id": str(proposal.id),
    }
