"""REST for workspace agents (seed 001): workspace admins configure agents; members start
missions on cards they can see, follow them (a server-sent event stream), and approve
or reject their proposals. Strangers get 404."""

from __future__ import annotations

from typing import Any

from server.api.agent_schemas import (
    AgentCreate,
    AgentMissionCreate,
    AgentMissionPublic,
    AgentPublic,
    AgentUpdate,
    EventsQuery,
    ProposalPublic,
    ProposalReject,
)
from server.api.routing import Api, Call
from server.api.shared import WS, Ok, ws_where
from services.agents import agents, missions, proposals, stream
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("agents")

AGENTS = WS + "/agents"
AGENT = AGENTS + "/{agent_id}"
MISSION = WS + "/missions/{mission_id}"
PROPOSAL = WS + "/proposals/{proposal_id}"


@api.route(
    "POST",
    AGENTS,
    summary="Create an agent: its autonomy mode, tools and rate limits (workspace admins)",
    body=AgentCreate,
    response=AgentPublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(400, 404, 409),
)
async def create_agent(call: Call) -> Any:
    body: AgentCreate = call.body
    return await agents.create_agent(actor=call.user, **ws_where(call), fields=body.model_dump())


@api.route(
    "GET",
    AGENTS,
    summary="List the workspace's agents",
    response=list[AgentPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_agents(call: Call) -> Any:
    return await agents.list_agents(actor=call.user, **ws_where(call))


@api.route(
    "GET",
    AGENT,
    summary="Get an agent and its configuration",
    response=AgentPublic,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def get_agent(call: Call) -> Any:
    return await agents.get_agent(actor=call.user, **ws_where(call), agent_id=call.path["agent_id"])


@api.route(
    "PATCH",
    AGENT,
    summary="Change an agent's configuration (workspace admins)",
    body=AgentUpdate,
    response=AgentPublic,
    scope=PROJECTS_WRITE,
    errors=(400, 404, 409),
)
async def update_agent(call: Call) -> Any:
    body: AgentUpdate = call.body
    return await agents.update_agent(
        actor=call.user, **ws_where(call), agent_id=call.path["agent_id"], changes=body.changes()
    )


@api.route(
    "DELETE",
    AGENT,
    summary="Delete an agent with its missions (workspace admins)",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(404,),
)
async def delete_agent(call: Call) -> Any:
    await agents.delete_agent(actor=call.user, **ws_where(call), agent_id=call.path["agent_id"])
    return {"ok": True}


@api.route(
    "POST",
    AGENT + "/missions",
    summary="Start a mission on a card you can see; 429 once the agent has started its "
    "missions for the day",
    body=AgentMissionCreate,
    response=AgentMissionPublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(404, 429),
)
async def start_mission(call: Call) -> Any:
    body: AgentMissionCreate = call.body
    return await missions.start_mission(
        actor=call.user,
        **ws_where(call),
        agent_id=call.path["agent_id"],
        card_id=body.card_id,
        prompt=body.prompt,
    )


@api.route(
    "GET",
    AGENT + "/missions",
    summary="The agent's missions on the projects you see, newest first (at most 200)",
    response=list[AgentMissionPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_missions(call: Call) -> Any:
    return await missions.list_missions(
        actor=call.user, **ws_where(call), agent_id=call.path["agent_id"]
    )


@api.route(
    "GET",
    MISSION,
    summary="Get a mission: its status, plan and result",
    response=AgentMissionPublic,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def get_mission(call: Call) -> Any:
    return await missions.get_mission(
        actor=call.user, **ws_where(call), mission_id=call.path["mission_id"]
    )


@api.route(
    "POST",
    MISSION + "/cancel",
    summary="Cancel a mission that has not finished (whoever started it, or a project "
    "admin); its pending proposals are withdrawn",
    response=AgentMissionPublic,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def cancel_mission(call: Call) -> Any:
    return await missions.cancel_mission(
        actor=call.user, **ws_where(call), mission_id=call.path["mission_id"]
    )


@api.route(
    "GET",
    MISSION + "/events",
    summary="A mission's progress as server-sent events (text/event-stream): its steps, "
    "tool calls, proposals and result, each with an id; send Last-Event-ID to resume",
    query=EventsQuery,
    scope=PROJECTS_READ,
    errors=(404,),
)
async def mission_events(call: Call) -> Any:
    query: EventsQuery = call.query
    return await stream.events(
        actor=call.user,
        **ws_where(call),
        mission_id=call.path["mission_id"],
        last_event_id=call.request.headers.get("last-event-id"),
        follow=query.follow in (True, "true"),
    )


@api.route(
    "GET",
    MISSION + "/proposals",
    summary="A mission's proposals, oldest first",
    response=list[ProposalPublic],
    scope=PROJECTS_READ,
    errors=(404,),
)
async def list_proposals(call: Call) -> Any:
    return await proposals.list_proposals(
        actor=call.user, **ws_where(call), mission_id=call.path["mission_id"]
    )


@api.route(
    "POST",
    PROPOSAL + "/approve",
    summary="Approve a proposal: its action runs at once, as the agent on your behalf",
    response=ProposalPublic,
    scope=PROJECTS_WRITE,
    errors=(404, 409, 429),
)
async def approve_proposal(call: Call) -> Any:
    return await proposals.approve(
        actor=call.user, **ws_where(call), proposal_id=call.path["proposal_id"]
    )


@api.route(
    "POST",
    PROPOSAL + "/reject",
    summary="Reject a proposal, with a reason",
    body=ProposalReject,
    response=ProposalPublic,
    scope=PROJECTS_WRITE,
    errors=(404, 409),
)
async def reject_proposal(call: Call) -> Any:
    body: ProposalReject = call.body
    return await proposals.reject(
        actor=call.user,
        **ws_where(call),
        proposal_id=call.path["proposal_id"],
        reason=body.reason,
    )
