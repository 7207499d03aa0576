"""An agent's rate limits: missions started per day, tool calls per minute (its own
and those of the proposals people approve)."""

from __future__ import annotations

from datetime import timedelta

from models import Agent, AgentMission, AgentStep
from services import sql
from services.agents.steps import TOOL_CALL
from services.errors import RateLimited


async def check_mission_quota(agent: Agent) -> None:
    since = sql.now() - timedelta(days=1)
    started = await AgentMission.filter(agent_id=agent.id, created_at__gte=since).count()
    if started >= agent.missions_per_day:
        raise RateLimited(
            f"{agent.name} has started its {agent.missions_per_day} missions for the last"
            " 24 hours; try again later or raise its missionsPerDay"
        )


async def calls_left(agent: Agent) -> int:
    since = sql.now() - timedelta(minutes=1)
    made = await AgentStep.filter(agent_id=agent.id, kind=TOOL_CALL, created_at__gte=since).count()
    return agent.calls_per_minute - made


def over_calls(agent: Agent) -> RateLimited:
    return RateLimited(
        f"{agent.name} has made its {agent.calls_per_minute} tool calls for this minute;"
        " try again in a minute"
    )
