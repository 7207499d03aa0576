"""What moves a mission along: perform a tool call as the agent, put an action up for
review, and settle where the mission stands (awaiting approval, the next proposal of a
supervised mission, or completed)."""

from __future__ import annotations

from typing import Any

from models import Agent, AgentMission, AgentProposal
from services import sql
from services.actors import Actor
from services.agents import steps
from services.agents.missions import AWAITING, COMPLETED, FAILED, FINISHED
from services.errors import Forbidden
from services.timefmt import iso
from services.tools import boards, documents, pilotage, poker  # noqa: F401  (they register)
from services.tools.registry import call


def proposal_public(p: AgentProposal) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "missionId": str(p.mission_id),
        "tool": p.tool,
        "arguments": p.arguments,
        "summary": p.summary,
        "status": p.status,
        "reason": p.reason,
        "decidedBy": str(p.decided_by_id) if p.decided_by_id else None,
        "decidedAt": iso(p.decided_at),
        "outcome": p.outcome,
        "createdAt": iso(p.created_at),
    }


async def perform(
    agent: Agent, mission: AgentMission, actor: Actor, tool: str, arguments: dict[str, Any]
) -> Any:
    """One registry call as the agent, only of a tool on its whitelist; recorded as a
    step whatever comes of it. Refusals are the one error tree."""
    if tool not in agent.tools:
        await steps.record(mission, steps.TOOL_CALL, tool=tool, error="not on its whitelist")
        raise Forbidden(f"{agent.name} may not use the tool {tool}")
    try:
        result = await call(tool, actor, arguments)
    except Exception as exc:
        message = getattr(exc, "message", type(exc).__name__)
        await steps.record(mission, steps.TOOL_CALL, tool=tool, arguments=arguments, error=message)
        raise
    await steps.record(mission, steps.TOOL_CALL, tool=tool, arguments=arguments, ok=True)
    return result


async def propose(mission: AgentMission, planned: dict[str, Any]) -> AgentProposal:
    proposal = await AgentProposal.create(
        mission_id=mission.id,
        workspace_id=mission.workspace_id,
        tool=planned["tool"],
        arguments=planned["arguments"],
        summary=str(planned.get("summary", ""))[:500],
    )
    await steps.record(mission, steps.PROPOSAL, proposal=proposal_public(proposal))
    return proposal


async def _set(mission: AgentMission, **changes: Any) -> bool:
    changes["updated_at"] = sql.now()
    done = await AgentMission.filter(id=mission.id, status__not_in=FINISHED).update(**changes)
    if done:
        mission.update_from_dict(changes)
    return bool(done)


async def _next(mission: AgentMission) -> bool:
    return await _set(mission, cursor=mission.cursor + 1)


async def fail(mission: AgentMission, message: str) -> None:
    if await _set(mission, status=FAILED, error=message[:2000], finished_at=sql.now()):
        await steps.record(mission, steps.ERROR, message=message)
        await steps.record(mission, steps.STATUS, status=FAILED)


async def settle(mission: AgentMission) -> None:
    """Awaiting approval while a proposal is pending; a supervised mission puts up its
    next planned action once the last is decided; completed when nothing is left."""
    plan = mission.plan or []
    pending = await AgentProposal.filter(mission_id=mission.id, status="pending").exists()
    supervised = mission.autonomy_mode == "supervised"
    if not pending and supervised and mission.cursor < len(plan) and await _next(mission):
        await propose(mission, plan[mission.cursor - 1])
        pending = True
    if pending:
        if mission.status != AWAITING and await _set(mission, status=AWAITING):
            await steps.record(mission, steps.STATUS, status=AWAITING)
        return
    counts: dict[str, int] = {}
    for status in await AgentProposal.filter(mission_id=mission.id).values_list(
        "status", flat=True
    ):
        counts[str(status)] = counts.get(str(status), 0) + 1
    result = {"planned": len(plan), "done": mission.cursor, "proposals": counts}
    if await _set(mission, status=COMPLETED, result=result, finished_at=sql.now()):
        await steps.record(mission, steps.RESULT, **result)
        await steps.record(mission, steps.STATUS, status=COMPLETED)
