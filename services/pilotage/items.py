"""Missions, priorities, todos, decisions and active documents: one workspace's items,
listed, read, created, changed and deleted the same way, each change logged to the
workspace's room."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tortoise.models import Model

from models import ActiveDoc, Decision, Mission, Priority, Todo
from services.actors import Actor
from services.boards.access import parse_id
from services.errors import Conflict, NotFound, invalid_field
from services.events import UnitOfWork, unit_of_work
from services.pilotage import public
from services.pilotage.access import PilotageAccess, locked_pilotage, pilotage_access

# Items of one kind a workspace may hold.
MAX_ITEMS = 1000

MISSION_STATUSES = ("to_launch", "in_progress", "blocked", "done")
TODO_STATUSES = ("todo", "in_progress", "blocked", "done")
SOURCE_TYPES = ("product", "tech", "sprint", "ops")
BLOCKED_NEEDS_REASON = "blockedReason: a blocked mission needs a reason"


@dataclass(frozen=True)
class Kind:
    name: str  # mission, as its events name it
    what: str  # Mission, as its errors name it
    model: type[Model]
    render: Callable[[Any], dict[str, Any]]


MISSIONS = Kind("mission", "Mission", Mission, public.mission_public)
PRIORITIES = Kind("priority", "Priority", Priority, public.priority_public)
TODOS = Kind("todo", "Todo", Todo, public.todo_public)
DECISIONS = Kind("decision", "Decision", Decision, public.decision_public)
DOCS = Kind("doc", "Document", ActiveDoc, public.doc_public)
KINDS = {k.name: k for k in (MISSIONS, PRIORITIES, TODOS, DECISIONS, DOCS)}


async def item_in(kind: Kind, workspace_id: uuid.UUID, item_id: Any) -> Any:
    """An item of this workspace; any other id is simply not found."""
    row = await kind.model.filter(
        id=parse_id(item_id, kind.what), workspace_id=workspace_id
    ).first()
    if row is None:
        raise NotFound(f"{kind.what} not found")
    return row


async def rows_of(kind: Kind, workspace_id: uuid.UUID) -> list[Any]:
    return list(await kind.model.filter(workspace_id=workspace_id).order_by("created_at", "id"))


async def _check_links(access: PilotageAccess, row: Any, changes: dict[str, Any]) -> None:
    """A todo's mission and priority must be this workspace's."""
    for key, kind in (("mission_id", MISSIONS), ("priority_id", PRIORITIES)):
        if changes.get(key) is not None:
            changes[key] = (await item_in(kind, access.workspace_id, changes[key])).id


def check_mission(row: Mission, changes: dict[str, Any]) -> None:
    """A blocked mission needs a reason; leaving `blocked` clears it (in `changes`)."""
    if "status" in changes and changes["status"] != "blocked" and "blocked_reason" not in changes:
        # Leaving `blocked` clears the reason it was blocked for.
        changes["blocked_reason"] = None
    status = changes.get("status", row.status)
    reason = changes.get("blocked_reason", row.blocked_reason)
    if status == "blocked" and not reason:
        raise invalid_field("blockedReason", "a blocked mission needs a reason")


def _check_choice(changes: dict[str, Any], key: str, choices: tuple[str, ...], field: str) -> None:
    value = changes.get(key)
    if value is not None and value not in choices:
        raise invalid_field(field, f"must be one of {', '.join(choices)}")


async def _checked(kind: Kind, access: PilotageAccess, row: Any, changes: dict[str, Any]) -> None:
    if kind is MISSIONS:
        _check_choice(changes, "status", MISSION_STATUSES, "status")
        check_mission(row, changes)
    elif kind is TODOS:
        _check_choice(changes, "status", TODO_STATUSES, "status")
        await _check_links(access, row, changes)
    elif kind is DOCS:
        _check_choice(changes, "source_type", SOURCE_TYPES, "sourceType")


# Readers


async def list_items(*, actor: Actor, org_slug: str, ws_slug: str, kind: Kind) -> list[Any]:
    access = await pilotage_access(actor, org_slug, ws_slug)
    return [kind.render(r) for r in await rows_of(kind, access.workspace_id)]


async def get_item(
    *, actor: Actor, org_slug: str, ws_slug: str, kind: Kind, item_id: Any
) -> dict[str, Any]:
    access = await pilotage_access(actor, org_slug, ws_slug)
    return kind.render(await item_in(kind, access.workspace_id, item_id))


# Writers: each has a form that runs inside a unit of work already holding the
# workspace's lock (used when an approved action is applied) and one that opens it.


async def create_in(
    uow: UnitOfWork, access: PilotageAccess, actor: Actor, kind: Kind, fields: dict[str, Any]
) -> dict[str, Any]:
    if await kind.model.filter(workspace_id=access.workspace_id).count() >= MAX_ITEMS:
        raise Conflict(f"A workspace can have at most {MAX_ITEMS} of these")
    row = kind.model(workspace_id=access.workspace_id, created_by_id=actor.user_id)
    changes = dict(fields)
    await _checked(kind, access, row, changes)
    for key, value in changes.items():
        setattr(row, key, value)
    await row.save()
    rendered = kind.render(row)
    await uow.emit(access.room, f"{kind.name}_created", {kind.name: rendered}, actor)
    return rendered


async def update_in(
    uow: UnitOfWork,
    access: PilotageAccess,
    actor: Actor,
    kind: Kind,
    item_id: Any,
    changes: dict[str, Any],
) -> dict[str, Any]:
    row = await item_in(kind, access.workspace_id, item_id)
    changes = dict(changes)
    await _checked(kind, access, row, changes)
    changed = [k for k, v in changes.items() if getattr(row, k) != v]
    if not changed:
        return kind.render(row)
    for key in changed:
        setattr(row, key, changes[key])
    await row.save()
    rendered = kind.render(row)
    await uow.emit(access.room, f"{kind.name}_updated", {kind.name: rendered}, actor)
    return rendered


async def create_item(
    *, actor: Actor, org_slug: str, ws_slug: str, kind: Kind, fields: dict[str, Any]
) -> dict[str, Any]:
    async with unit_of_work() as uow:
        access = await locked_pilotage(uow, actor, org_slug, ws_slug, "write")
        return await create_in(uow, access, actor, kind, fields)


async def update_item(
    *,
    actor: Actor,
    org_slug: str,
    ws_slug: str,
    kind: Kind,
    item_id: Any,
    changes: dict[str, Any],
) -> dict[str, Any]:
    """Set what was sent: absent keys are left alone, None clears."""
    async with unit_of_work() as uow:
        access = await locked_pilotage(uow, actor, org_slug, ws_slug, "write")
        return await update_in(uow, access, actor, kind, item_id, changes)


async def delete_item(
    *, actor: Actor, org_slug: str, ws_slug: str, kind: Kind, item_id: Any
) -> None:
    """Delete the item; todos linked to a deleted mission or priority keep their label."""
    async with unit_of_work() as uow:
        access = await locked_pilotage(uow, actor, org_slug, ws_slug, "write")
        row = await item_in(kind, access.workspace_id, item_id)
        await row.delete()
        await uow.emit(access.room, f"{kind.name}_deleted", {"id": str(row.id)}, actor)
