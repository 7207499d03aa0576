"""Scopes: work packages of a project, each with its own columns and a chosen view."""

from __future__ import annotations

from typing import Any

import orjson

from models import Card, Column, Project, Scope
from services.actors import Actor
from services.boards.access import find_in
from services.boards.attachments import discard_files, storage_keys_of_cards
from services.boards.locate import ProjectRef, board_access, locked_project, room_of
from services.errors import Conflict, invalid_field
from services.events import unit_of_work
from services.timefmt import iso

VIEWS = ("kanban", "list", "calendar", "roadmap", "stats")
NAME_MAX = 200
DESCRIPTION_MAX = 5000
SETTINGS_MAX_BYTES = 16 * 1024
MAX_SCOPES = 50


def scope_public(scope: Scope) -> dict[str, Any]:
    return {
        "id": str(scope.id),
        "projectId": str(scope.project_id),
        "name": scope.name,
        "description": scope.description,
        "activeView": scope.active_view,
        "settings": scope.settings,
        "position": scope.position,
        "createdAt": iso(scope.created_at),
        "updatedAt": iso(scope.updated_at),
    }


def views_public(scope: Scope) -> dict[str, Any]:
    return {"scopeId": str(scope.id), "views": list(VIEWS), "activeView": scope.active_view}


def _name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise invalid_field("name", f"must be 1-{NAME_MAX} characters")
    return name


def _description(text: str) -> str:
    if len(text) > DESCRIPTION_MAX:
        raise invalid_field("description", f"must be at most {DESCRIPTION_MAX} characters")
    return text


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _settings(settings: dict[str, Any]) -> dict[str, Any]:
    try:
        size = len(orjson.dumps(settings))
    except TypeError:
        # orjson, which stores it, takes integers of at most 64 bits.
        raise invalid_field("settings", "numbers must fit in 64 bits") from None
    if size > SETTINGS_MAX_BYTES:
        raise invalid_field("settings", f"must be at most {SETTINGS_MAX_BYTES} bytes of JSON")
    if _holds_nul(settings):
        # PostgreSQL's JSON cannot hold NUL, in a key or a value; SQLite would.
        raise invalid_field("settings", "must not contain NUL characters")
    return settings


async def scope_in(project: Project, scope_id: Any) -> Scope:
    return await find_in(Scope, "Scope", scope_id, project_id=project.id)


async def list_scopes(*, actor: Actor, ref: ProjectRef) -> list[dict[str, Any]]:
    access = await board_access(actor, ref)
    rows = await Scope.filter(project_id=access.project.id).order_by("position", "created_at")
    return [scope_public(s) for s in rows]


async def get_scope(*, actor: Actor, ref: ProjectRef, scope_id: Any) -> dict[str, Any]:
    """The scope with its columns and view configuration."""
    access = await board_access(actor, ref)
    scope = await scope_in(access.project, scope_id)
    columns = await Column.filter(scope_id=scope.id).order_by("order", "created_at")
    return {
        **scope_public(scope),
        "columns": [
            {"id": str(c.id), "name": c.name, "order": c.order, "wipLimit": c.wip_limit}
            for c in columns
        ],
        "views": views_public(scope),
    }


async def create_scope(
    *,
    actor: Actor,
    ref: ProjectRef,
    name: str,
    description: str = "",
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    name, description = _name(name), _description(description)
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        access.require_admin()
        count = await Scope.filter(project_id=access.project.id).count()
        if count >= MAX_SCOPES:
            raise Conflict(f"A project can have at most {MAX_SCOPES} scopes")
        scope = await Scope.create(
            project_id=access.project.id,
            name=name,
            description=description,
            settings=_settings(settings or {}),
            position=count,
        )
        public = scope_public(scope)
        await uow.emit(room_of(access), "scope_created", {"scope": public}, actor)
    return public


async def update_scope(
    *,
    actor: Actor,
    ref: ProjectRef,
    scope_id: Any,
    name: str | None = None,
    description: str | None = None,
    settings: dict[str, Any] | None = None,
    active_view: str | None = None,
) -> dict[str, Any]:
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        scope = await scope_in(access.project, scope_id)
        if name is not None or description is not None or settings is not None:
            access.require_admin()
        if name is not None:
            scope.name = _name(name)
        if description is not None:
            scope.description = _description(description)
        if settings is not None:
            scope.settings = _settings(settings)
        if active_view is not None:
            if active_view not in VIEWS:
                raise invalid_field("activeView", f"must be one of {', '.join(VIEWS)}")
            scope.active_view = active_view
        await scope.save()
        public = scope_public(scope)
        await uow.emit(room_of(access), "scope_updated", {"scope": public}, actor)
    return public


async def switch_view(
    *, actor: Actor, ref: ProjectRef, scope_id: Any, active_view: str
) -> dict[str, Any]:
    """Any member may switch the view: it is how the team looks at the scope."""
    await update_scope(actor=actor, ref=ref, scope_id=scope_id, active_view=active_view)
    return await scope_views(actor=actor, ref=ref, scope_id=scope_id)


async def scope_views(*, actor: Actor, ref: ProjectRef, scope_id: Any) -> dict[str, Any]:
    access = await board_access(actor, ref)
    return views_public(await scope_in(access.project, scope_id))


async def delete_scope(*, actor: Actor, ref: ProjectRef, scope_id: Any) -> None:
    """Delete the scope with its columns and their cards (and those cards' files)."""
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        access.require_admin()
        scope = await scope_in(access.project, scope_id)
        column_ids = await Column.filter(scope_id=scope.id).values_list("id", flat=True)
        card_ids = await Card.filter(column_id__in=column_ids).values_list("id", flat=True)
        files = await storage_keys_of_cards(card_ids)
        await Card.filter(id__in=card_ids).delete()
        await Column.filter(id__in=column_ids).delete()
        await scope.delete()
        await uow.emit(
            room_of(access),
            "scope_deleted",
            {
                "scope": scope_public(scope),
                "columnIds": sorted(str(c) for c in column_ids),
                "cardIds": sorted(str(c) for c in card_ids),
            },
            actor,
        )
    discard_files(files)
