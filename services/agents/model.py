"""The plan of the configured OpenAI-compatible model (`services.ai`: AI_BASE_URL,
AI_API_KEY, AI_MODEL), by tool calling over the agent's whitelist. Tools that only read
run at once and their answer goes back to the model; tools that change something become
planned actions, carried out or proposed like the built-in plan's."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from models import Agent, AgentMission, Card
from services import ai
from services.actors import Actor
from services.agents import steps
from services.agents.flow import perform
from services.agents.plans import action
from services.ai.provider import LLM_PREFIX
from services.errors import DomainError, UpstreamFailed
from services.tools.registry import TOOLS

if TYPE_CHECKING:
    # The model's SDK is loaded only where a model is configured (see services/ai).
    from services.ai.llm import LlmProvider

MAX_TURNS = 8
SYSTEM = (
    "You are {name}, an agent working on one card of a kanban board. Use the tools to do"
    " what the person asks. Changes you make may be reviewed before they apply. The card:"
    " project_id={project}, card_id={card}, title={title!r}. Answer with a one-line summary"
    " when you are done."
)


def configured() -> LlmProvider | None:
    """The model in use, or None when the built-in rules answer."""
    provider = ai.current()
    if not provider.name.startswith(LLM_PREFIX):
        return None
    from services.ai.llm import LlmProvider

    return provider if isinstance(provider, LlmProvider) else None


def _functions(agent: Agent) -> list[dict[str, Any]]:
    return [
        {
            "type": "function",
            "function": {
                "name": name,
                "description": TOOLS[name].description,
                "parameters": TOOLS[name].input_schema(),
            },
        }
        for name in agent.tools
        if name in TOOLS
    ]


async def model_plan(
    provider: LlmProvider, agent: Agent, mission: AgentMission, actor: Actor, card: Card
) -> tuple[str, list[dict[str, Any]]]:
    """The model's summary and the changes it asked for."""
    from openai import OpenAIError

    system = SYSTEM.format(name=agent.name, project=card.project_id, card=card.id, title=card.title)
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system},
        {"role": "user", "content": mission.prompt},
    ]
    planned: list[dict[str, Any]] = []
    functions = _functions(agent)
    for _ in range(MAX_TURNS):
        try:
            answer = await provider.client.chat.completions.create(
                model=provider.config.model or "",
                max_tokens=provider.config.max_tokens,
                messages=messages,  # type: ignore[arg-type]
                tools=functions,  # type: ignore[arg-type]
            )
        except OpenAIError as exc:
            raise UpstreamFailed(f"The model did not answer: {type(exc).__name__}") from None
        if not answer.choices:
            raise UpstreamFailed("The model gave no answer")
        message = answer.choices[0].message
        calls = message.tool_calls or []
        if not calls:
            return (message.content or "").strip()[:2000], planned
        messages.append(message.model_dump(exclude_none=True))
        for tc in calls:
            name = getattr(getattr(tc, "function", None), "name", "")
            raw = getattr(getattr(tc, "function", None), "arguments", "") or "{}"
            reply = await _answer(agent, mission, actor, name, raw, planned)
            messages.append({"role": "tool", "tool_call_id": tc.id, "content": reply})
    return "Stopped after the most turns a mission may take", planned


async def _answer(
    agent: Agent,
    mission: AgentMission,
    actor: Actor,
    name: str,
    raw: str,
    planned: list[dict[str, Any]],
) -> str:
    try:
        arguments = json.loads(raw)
    except ValueError:
        return json.dumps({"error": "arguments are not JSON"})
    if not isinstance(arguments, dict):
        return json.dumps({"error": "arguments must be an object"})
    found = TOOLS.get(name)
    if found is None or name not in agent.tools:
        await steps.record(mission, steps.NOTE, message=f"The model asked for {name!r}: refused")
        return json.dumps({"error": f"no tool {name!r} is available"})
    if found.writes:
        planned.append(action(name, f"{found.title}", **arguments))
        return json.dumps({"accepted": True, "note": "planned; it may await a person's review"})
    try:
        result = await perform(agent, mission, actor, name, arguments)
    except DomainError as exc:
        return json.dumps({"error": exc.message})
    return json.dumps(result, default=str)[:20_000]
