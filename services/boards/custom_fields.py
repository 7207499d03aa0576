"""Project custom fields and their values on cards, each value checked against its type."""

from __future__ import annotations

import json
import math
import uuid
from datetime import date, datetime
from typing import Any

from models import Card, CustomField, CustomFieldValue, Project
from services.actors import Actor
from services.boards.access import find_in
from services.boards.locate import ProjectRef, board_access, card_in, locked_project, room_of
from services.errors import Conflict, NotFound, ValidationFailed, invalid_field
from services.events import unit_of_work
from services.timefmt import iso

TYPES = ("text", "number", "select", "multi-select", "date", "boolean")
SELECT_TYPES = ("select", "multi-select")
NAME_MAX = 100
OPTION_MAX = 100
OPTIONS_MAX = 50
TEXT_MAX = 5000
MAX_FIELDS = 50


def field_public(f: CustomField) -> dict[str, Any]:
    return {
        "id": str(f.id),
        "projectId": str(f.project_id),
        "name": f.name,
        "type": f.type,
        "options": list(f.options or []),
        "position": f.position,
        "createdAt": iso(f.created_at),
    }


def _name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise invalid_field("name", f"must be 1-{NAME_MAX} characters")
    return name


def _definition(type: str, options: list[str] | None) -> list[str]:
    """The options a field of `type` keeps: 1-50 unique strings for select types, none else."""
    if type not in TYPES:
        raise invalid_field("type", f"must be one of {', '.join(TYPES)}")
    if type not in SELECT_TYPES:
        if options:
            raise invalid_field("options", f"only {' and '.join(SELECT_TYPES)} fields have options")
        return []
    cleaned = [o.strip() for o in options or []]
    if not 1 <= len(cleaned) <= OPTIONS_MAX:
        raise invalid_field("options", f"a {type} field needs 1-{OPTIONS_MAX} options")
    if any(not 1 <= len(o) <= OPTION_MAX for o in cleaned):
        raise invalid_field("options", f"each option must be 1-{OPTION_MAX} characters")
    if len(set(cleaned)) != len(cleaned):
        raise invalid_field("options", "options must be unique")
    return cleaned


def check_value(f: CustomField, value: Any) -> Any:
    """The value to store for field `f`, or ValidationFailed naming the field."""
    key = str(f.id)

    def bad(message: str) -> ValidationFailed:
        return ValidationFailed(f"{f.name}: {message}", details={"errors": {key: [message]}})

    if f.type == "text":
        if not isinstance(value, str) or len(value) > TEXT_MAX:
            raise bad(f"must be a string of at most {TEXT_MAX} characters")
        if "\x00" in value:
            # PostgreSQL's JSON cannot hold NUL; refusing it keeps both backends alike.
            raise bad("must not contain NUL characters")
        return value
    if f.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad("must be a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise bad("must be a finite number")
        return value
    if f.type == "boolean":
        if not isinstance(value, bool):
            raise bad("must be true or false")
        return value
    if f.type == "date":
        return _date(value, bad)
    if f.type == "select":
        if not isinstance(value, str) or value not in f.options:
            raise bad(f"must be one of {', '.join(f.options)}")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad("must be a list of options")
    unknown = [v for v in value if v not in f.options]
    if unknown:
        raise bad(f"unknown option {unknown[0]!r}; choose from {', '.join(f.options)}")
    if len(set(value)) != len(value):
        raise bad("options must not repeat")
    return value


def _date(value: Any, bad: Any) -> str:
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return date.fromisoformat(value).isoformat()
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if parsed.tzinfo is not None:
                return parsed.isoformat().replace("+00:00", "Z")
            return parsed.isoformat()
        except ValueError:
            pass
    raise bad("must be an ISO date such as 2026-04-01")


async def field_in(project: Project, field_id: Any) -> CustomField:
    return await find_in(CustomField, "Custom field", field_id, project_id=project.id)


async def values_of(card: Card) -> dict[str, Any]:
    rows = await CustomFieldValue.filter(card_id=card.id)
    return {str(r.field_id): r.value for r in rows}


async def list_fields(*, actor: Actor, ref: ProjectRef) -> list[dict[str, Any]]:
    access = await board_access(actor, ref)
    rows = await CustomField.filter(project_id=access.project.id).order_by("position", "created_at")
    return [field_public(f) for f in rows]


async def create_field(
    *, actor: Actor, ref: ProjectRef, name: str, type: str, options: list[str] | None = None
) -> dict[str, Any]:
    name, opts = _name(name), _definition(type, options)
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        access.require_admin()
        count = await CustomField.filter(project_id=access.project.id).count()
        if count >= MAX_FIELDS:
            raise Conflict(f"A project can have at most {MAX_FIELDS} custom fields")
        f = await CustomField.create(
            project_id=access.project.id, name=name, type=type, options=opts, position=count
        )
        public = field_public(f)
        await uow.emit(room_of(access), "custom_field_created", {"field": public}, actor)
    return public


async def update_field(
    *,
    actor: Actor,
    ref: ProjectRef,
    field_id: Any,
    name: str | None = None,
    type: str | None = None,
    options: list[str] | None = None,
) -> dict[str, Any]:
    """Rename, retype or change options; values that no longer fit are cleared."""
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        access.require_admin()
        f = await field_in(access.project, field_id)
        if name is not None:
            f.name = _name(name)
        new_type = type or f.type
        if type is not None or options is not None:
            both_select = new_type in SELECT_TYPES and f.type in SELECT_TYPES
            keep = options if options is not None else (f.options if both_select else None)
            f.options = _definition(new_type, keep)
        f.type = new_type
        await f.save()
        cleared = []
        for row in await CustomFieldValue.filter(field_id=f.id):
            try:
                check_value(f, row.value)
            except ValidationFailed:
                cleared.append(str(row.card_id))
                await row.delete()
        public = field_public(f)
        await uow.emit(
            room_of(access),
            "custom_field_updated",
            {"field": public, "clearedCardIds": sorted(cleared)},
            actor,
        )
    return public


async def delete_field(*, actor: Actor, ref: ProjectRef, field_id: Any) -> None:
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        access.require_admin()
        f = await field_in(access.project, field_id)
        await f.delete()
        await uow.emit(room_of(access), "custom_field_deleted", {"field": field_public(f)}, actor)


async def card_values(*, actor: Actor, ref: ProjectRef, card_id: Any) -> dict[str, Any]:
    access = await board_access(actor, ref)
    card = await card_in(access.project.id, card_id)
    return {"cardId": str(card.id), "values": await values_of(card)}


async def set_card_values(
    *, actor: Actor, ref: ProjectRef, card_id: Any, values: dict[str, Any]
) -> dict[str, Any]:
    """Set several fields at once (null clears one); nothing is written if any is wrong."""
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        card = await card_in(access.project.id, card_id)
        checked: dict[uuid.UUID, Any] = {}
        for key, value in values.items():
            try:
                f = await field_in(access.project, key)
            except NotFound:
                raise NotFound(f"Custom field {key} not found") from None
            checked[f.id] = None if value is None else check_value(f, value)
        for fid, value in checked.items():
            row = await CustomFieldValue.filter(card_id=card.id, field_id=fid).first()
            if value is None:
                if row is not None:
                    await row.delete()
            else:
                row = row or CustomFieldValue(card_id=card.id, field_id=fid)
                # The JSON field takes a str as encoded JSON, so every value goes encoded.
                row.value = json.dumps(value)
                await row.save()
        result = {"cardId": str(card.id), "values": await values_of(card)}
        await uow.emit(room_of(access), "card_custom_fields_changed", result, actor)
    return result
