"""The mission job: plan once (the plan is stored, so a mission taken up again after a
restart resumes where it stopped), then act on it as the agent's mode says."""

from __future__ import annotations

import logging
from typing import Any

from models import Agent, AgentMission, Card
from services import jobs
from services.agents import steps
from services.agents.access import agent_actor
from services.agents.flow import _set, fail, perform, propose, settle
from services.agents.limits import calls_left
from services.agents.missions import AWAITING, FINISHED, JOB_KIND, QUEUED, RUNNING
from services.agents.model import configured, model_plan
from services.agents.plans import builtin_plan
from services.boards.locate import ProjectRef, board_access
from services.errors import DomainError

log = logging.getLogger("roundtable.agents")


class _Wait(Exception):
    """Over the agent's calls per minute: the job is tried again after a backoff."""


@jobs.handler(JOB_KIND)
async def run_mission(job: jobs.Claimed) -> dict[str, Any]:
    mission = await AgentMission.filter(id=job.payload["mission"]).first()
    if mission is None:
        return {"skipped": "the mission was deleted"}
    if mission.status in FINISHED or mission.status == AWAITING:
        return {"skipped": f"the mission is {mission.status}"}
    agent = await Agent.get(id=mission.agent_id)
    try:
        await _run(agent, mission)
    except _Wait:
        message = f"{agent.name} is over its {agent.calls_per_minute} tool calls a minute"
        if job.attempts >= job.max_attempts:
            await fail(mission, message)
            return {"status": mission.status}
        await steps.record(mission, steps.NOTE, message=message + "; waiting")
        raise jobs.JobFailed(message, retry=True) from None
    except DomainError as exc:
        await fail(mission, exc.message)
    except Exception as exc:
        log.exception("mission %s raised", mission.id)
        await fail(mission, f"Internal error ({type(exc).__name__})")
    return {"status": mission.status}


async def _plan(agent: Agent, mission: AgentMission, card: Card) -> None:
    actor = agent_actor(agent, user_id=mission.started_by_id, scopes=mission.scopes)
    provider = configured()
    if provider is not None:
        await steps.record(mission, steps.NOTE, message="Asking the model")
        summary, planned = await model_plan(provider, agent, mission, actor, card)
        rules = ["model"]
    else:
        summary = ""
        rules, planned = await builtin_plan(card, mission.prompt)
    allowed = [a for a in planned if a["tool"] in agent.tools]
    for refused in {a["tool"] for a in planned} - set(agent.tools):
        await steps.record(mission, steps.NOTE, message=f"Skipped: {refused} is not allowed")
    await _set(mission, plan=allowed, cursor=0)
    await steps.record(
        mission,
        steps.NOTE,
        message=summary or f"Planned {len(allowed)} change(s) with: {', '.join(rules)}",
        plan=[a["summary"] for a in allowed],
    )


async def _run(agent: Agent, mission: AgentMission) -> None:
    if mission.status == QUEUED and await _set(mission, status=RUNNING):
        await steps.record(mission, steps.STATUS, status=RUNNING)
    actor = agent_actor(agent, user_id=mission.started_by_id, scopes=mission.scopes)
    if mission.plan is None:
        # The person's access to the card, as the agent: gone means the mission fails.
        await board_access(actor, ProjectRef(mission.project_id))
        card = await Card.filter(id=mission.card_id, archived=False).first()
        if card is None:
            await fail(mission, "The card is gone or in the trash")
            return
        await _plan(agent, mission, card)
    plan = mission.plan or []
    if mission.autonomy_mode == "autonomous":
        while mission.cursor < len(plan):
            await mission.refresh_from_db(fields=["status"])
            if mission.status in FINISHED:
                return
            if await calls_left(agent) <= 0:
                raise _Wait
            planned = plan[mission.cursor]
            await perform(agent, mission, actor, planned["tool"], planned["arguments"])
            await _set(mission, cursor=mission.cursor + 1)
    elif mission.autonomy_mode == "approval":
        while mission.cursor < len(plan):
            if not await _set(mission, cursor=mission.cursor + 1):
                return
            await propose(mission, plan[mission.cursor - 1])
    await settle(mission)
