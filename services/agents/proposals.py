"""Proposals: a project member approves one (its action runs at once as the agent, on
the approver's behalf, through the tool registry) or rejects it with a reason. A
proposal is decided once."""

from __future__ import annotations

import logging
from typing import Any

from models import Agent, AgentMission, AgentProposal
from services import sql
from services.actors import Actor
from services.agents import steps
from services.agents.access import agent_actor, mission_access, proposal_access
from services.agents.flow import perform, proposal_public, settle
from services.agents.limits import calls_left, over_calls
from services.errors import Conflict, DomainError

APPROVING = "approving"
log = logging.getLogger("roundtable.agents")


async def list_proposals(
    *, actor: Actor, org_slug: str, ws_slug: str, mission_id: Any
) -> list[dict[str, Any]]:
    found = await mission_access(actor, org_slug, ws_slug, mission_id)
    rows = await AgentProposal.filter(mission_id=found.mission.id).order_by("created_at", "id")
    return [proposal_public(p) for p in rows]


async def _claim(proposal: AgentProposal, status: str, **changes: Any) -> None:
    """Take the decision, or find it already taken (twice at once: one wins)."""
    done = await AgentProposal.filter(id=proposal.id, status="pending").update(
        status=status, **changes
    )
    if not done:
        current = await AgentProposal.get(id=proposal.id)
        raise Conflict(f"This proposal is already {current.status}")


async def approve(*, actor: Actor, org_slug: str, ws_slug: str, proposal_id: Any) -> dict[str, Any]:
    found, proposal = await proposal_access(actor, org_slug, ws_slug, proposal_id)
    mission = found.mission
    agent = await Agent.get(id=mission.agent_id)
    if proposal.status != "pending":
        raise Conflict(f"This proposal is already {proposal.status}")
    if await calls_left(agent) <= 0:
        raise over_calls(agent)
    await _claim(proposal, APPROVING, decided_by_id=actor.user_id, decided_at=sql.now())
    acting = agent_actor(
        agent,
        user_id=actor.user_id,
        scopes=sorted(actor.scopes) if actor.scopes is not None else None,
    )
    try:
        outcome = await perform(agent, mission, acting, proposal.tool, proposal.arguments)
    except DomainError as exc:
        status, result = "failed", {"error": exc.message}
    except Exception as exc:
        # Recorded as failed rather than left half-decided; the log has the traceback.
        log.exception("proposal %s raised", proposal.id)
        status, result = "failed", {"error": f"Internal error ({type(exc).__name__})"}
    else:
        status, result = "approved", {"result": outcome}
    await AgentProposal.filter(id=proposal.id).update(status=status, outcome=result)
    await proposal.refresh_from_db()
    await steps.record(mission, steps.DECISION, proposal=proposal_public(proposal))
    await settle(await AgentMission.get(id=mission.id))
    return proposal_public(proposal)


async def reject(
    *, actor: Actor, org_slug: str, ws_slug: str, proposal_id: Any, reason: str
) -> dict[str, Any]:
    found, proposal = await proposal_access(actor, org_slug, ws_slug, proposal_id)
    await _claim(
        proposal, "rejected", reason=reason, decided_by_id=actor.user_id, decided_at=sql.now()
    )
    await proposal.refresh_from_db()
    await steps.record(found.mission, steps.DECISION, proposal=proposal_public(proposal))
    await settle(await AgentMission.get(id=found.mission.id))
    return proposal_public(proposal)
