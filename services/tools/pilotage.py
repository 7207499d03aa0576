"""Pilotage tools: the state of a workspace as its cockpit shows it, the proposed
actions, and a proposal of one. Agents propose; a person reviews and applies, so no
tool here changes a board."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.actors import Actor
from services.pilotage import actions, state
from services.pilotage.catalog import ACTION_TYPES
from services.scopes import PILOTAGE_READ, PILOTAGE_WRITE
from services.tools.registry import tool

Slug = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StateArgs(_Args):
    org_slug: str = Slug
    ws_slug: str = Slug
    profile: Literal["pilotage", "execution", "revue"] = "pilotage"
    intent: (
        Literal["weekly_review", "daily_execution", "sprint_planning", "context_only"] | None
    ) = None
    detail_level: Literal["minimal", "standard", "detailed"] = "standard"


class ActionsArgs(_Args):
    org_slug: str = Slug
    ws_slug: str = Slug
    status: Literal["suggested", "approved", "rejected", "applied"] | None = None


class ProposeArgs(_Args):
    org_slug: str = Slug
    ws_slug: str = Slug
    action_type: str = Field(min_length=1, max_length=100, description="One of the action types")
    explanation: str = Field(min_length=1, max_length=500, description="Why, for the reviewer")
    payload: dict[str, Any] = Field(default_factory=dict, description="As the action type says")


def _catalog() -> str:
    lines = []
    for kind in ACTION_TYPES.values():
        fields = ", ".join(
            f.alias or name for name, f in kind.payload.model_fields.items() if f.is_required()
        )
        optional = ", ".join(
            f"{f.alias or name}?"
            for name, f in kind.payload.model_fields.items()
            if not f.is_required()
        )
        shape = ", ".join(p for p in (fields, optional) if p)
        lines.append(f"- {kind.name} {{{shape}}}: {kind.description}")
    return "\n".join(lines)


@tool(
    "get_pilotage_state",
    title="Read a workspace's pilotage state",
    description=(
        "The workspace's missions, active priorities, todos, decisions and active documents."
        " profile: pilotage (every mission, open todos), execution (open work only) or revue"
        " (everything); detail_level: minimal (open items by name), standard or detailed"
        " (with links and the actions awaiting review). `cycle` changes with every change."
    ),
    input=StateArgs,
    scope=PILOTAGE_READ,
)
async def get_pilotage_state(actor: Actor, args: StateArgs) -> dict[str, Any]:
    return await state.pilotage_state(
        actor=actor,
        org_slug=args.org_slug,
        ws_slug=args.ws_slug,
        profile=args.profile,
        intent=args.intent,
        detail_level=args.detail_level,
    )


@tool(
    "list_pilotage_actions",
    title="List proposed actions",
    description="The workspace's proposed actions, newest first, optionally of one status.",
    input=ActionsArgs,
    scope=PILOTAGE_READ,
)
async def list_pilotage_actions(actor: Actor, args: ActionsArgs) -> dict[str, Any]:
    found = await actions.list_actions(
        actor=actor, org_slug=args.org_slug, ws_slug=args.ws_slug, status=args.status
    )
    return {"actions": found}


@tool(
    "propose_pilotage_action",
    title="Propose an action for review",
    description=(
        "Suggest a change for a person to approve and apply; nothing changes until then."
        " Action types and their payloads (camelCase keys):\n" + _catalog()
    ),
    input=ProposeArgs,
    scope=PILOTAGE_WRITE,
    writes=True,
)
async def propose_pilotage_action(actor: Actor, args: ProposeArgs) -> dict[str, Any]:
    return await actions.propose_action(
        actor=actor,
        org_slug=args.org_slug,
        ws_slug=args.ws_slug,
        action_type_name=args.action_type,
        explanation=args.explanation,
        payload=args.payload,
    )
