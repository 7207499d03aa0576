"""An agent's configuration: workspace admins create, change and delete agents; everyone
who sees the workspace lists them. Its tools are names from the tool registry."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import Agent
from services.actors import Actor
from services.agents.access import agent_in
from services.boards.access import workspace_access
from services.boards.workspaces import require_ws_admin
from services.errors import BadRequest, Conflict
from services.timefmt import iso
from services.tools.registry import TOOLS

MODES = ("supervised", "autonomous", "approval")
MAX_AGENTS = 100


def agent_public(agent: Agent) -> dict[str, Any]:
    return {
        "id": str(agent.id),
        "workspaceId": str(agent.workspace_id),
        "name": agent.name,
        "slug": agent.slug,
        "description": agent.description,
        "autonomyMode": agent.autonomy_mode,
        "tools": list(agent.tools),
        "callsPerMinute": agent.calls_per_minute,
        "missionsPerDay": agent.missions_per_day,
        "createdAt": iso(agent.created_at),
        "updatedAt": iso(agent.updated_at),
    }


def check_tools(names: list[str]) -> list[str]:
    """The whitelist as given, without repeats; a name the registry does not know is
    refused."""
    unknown = [n for n in names if n not in TOOLS]
    if unknown:
        raise BadRequest(
            f"Unknown tool: {unknown[0]}",
            details={"errors": {"tools": [f"unknown tool {n!r}" for n in unknown]}},
        )
    return list(dict.fromkeys(names))


def _taken(slug: str) -> Conflict:
    return Conflict(f"An agent with the slug {slug!r} already exists in this workspace")


async def list_agents(*, actor: Actor, org_slug: str, ws_slug: str) -> list[dict[str, Any]]:
    ws = await workspace_access(actor, org_slug, ws_slug)
    rows = await Agent.filter(workspace_id=ws.workspace.id).order_by("name", "created_at")
    return [agent_public(a) for a in rows]


async def get_agent(*, actor: Actor, org_slug: str, ws_slug: str, agent_id: Any) -> dict[str, Any]:
    ws = await workspace_access(actor, org_slug, ws_slug)
    return agent_public(await agent_in(ws, agent_id))


async def create_agent(
    *, actor: Actor, org_slug: str, ws_slug: str, fields: dict[str, Any]
) -> dict[str, Any]:
    ws = await workspace_access(actor, org_slug, ws_slug)
    require_ws_admin(ws, "configure agents")
    fields["tools"] = check_tools(fields.get("tools") or [])
    if await Agent.filter(workspace_id=ws.workspace.id).count() >= MAX_AGENTS:
        raise Conflict(f"A workspace can have at most {MAX_AGENTS} agents")
    if await Agent.filter(workspace_id=ws.workspace.id, slug=fields["slug"]).exists():
        raise _taken(fields["slug"])
    try:
        async with in_transaction():
            agent = await Agent.create(
                workspace_id=ws.workspace.id, created_by_id=actor.user_id, **fields
            )
    except IntegrityError:
        raise _taken(fields["slug"]) from None
    return agent_public(agent)


async def update_agent(
    *, actor: Actor, org_slug: str, ws_slug: str, agent_id: Any, changes: dict[str, Any]
) -> dict[str, Any]:
    ws = await workspace_access(actor, org_slug, ws_slug)
    agent = await agent_in(ws, agent_id)
    require_ws_admin(ws, "configure agents")
    if "tools" in changes:
        changes["tools"] = check_tools(changes["tools"])
    slug = changes.get("slug")
    taken = Agent.filter(workspace_id=ws.workspace.id, slug=slug).exclude(id=agent.id)
    if slug is not None and await taken.exists():
        raise _taken(slug)
    agent.update_from_dict(changes)
    try:
        async with in_transaction():
            await agent.save()
    except IntegrityError:
        raise _taken(str(slug)) from None
    return agent_public(agent)


async def delete_agent(*, actor: Actor, org_slug: str, ws_slug: str, agent_id: Any) -> None:
    """Deleting an agent deletes its missions, their steps and proposals."""
    ws = await workspace_access(actor, org_slug, ws_slug)
    agent = await agent_in(ws, agent_id)
    require_ws_admin(ws, "configure agents")
    await agent.delete()
