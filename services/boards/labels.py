"""Project labels and which cards carry them."""

from __future__ import annotations

import re
from typing import Any

from models import Card, CardLabel, Label, Project
from services.actors import Actor
from services.boards.access import find_in
from services.boards.locate import ProjectRef, board_access, card_in, locked_project, room_of
from services.errors import Conflict, invalid_field
from services.events import unit_of_work
from services.timefmt import iso

NAME_MAX = 50
MAX_LABELS = 100
COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def label_public(label: Label) -> dict[str, Any]:
    return {
        "id": str(label.id),
        "projectId": str(label.project_id),
        "name": label.name,
        "color": label.color,
        "createdAt": iso(label.created_at),
    }


def _name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise invalid_field("name", f"must be 1-{NAME_MAX} characters")
    return name


def _color(color: str) -> str:
    if not COLOR.match(color):
        raise invalid_field("color", "must be a #RRGGBB hex color")
    return color


async def label_in(project: Project, label_id: Any) -> Label:
    return await find_in(Label, "Label", label_id, project_id=project.id)


async def labels_of_card(card: Card) -> list[dict[str, Any]]:
    rows = await Label.filter(card_labels__card_id=card.id).order_by("name", "id")
    return [{"id": str(lb.id), "name": lb.name, "color": lb.color} for lb in rows]


async def list_labels(*, actor: Actor, ref: ProjectRef) -> list[dict[str, Any]]:
    access = await board_access(actor, ref)
    rows = await Label.filter(project_id=access.project.id).order_by("name", "id")
    return [label_public(lb) for lb in rows]


async def create_label(*, actor: Actor, ref: ProjectRef, name: str, color: str) -> dict[str, Any]:
    name, color = _name(name), _color(color)
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        if await Label.filter(project_id=access.project.id).count() >= MAX_LABELS:
            raise Conflict(f"A project can have at most {MAX_LABELS} labels")
        label = await Label.create(project_id=access.project.id, name=name, color=color)
        public = label_public(label)
        await uow.emit(room_of(access), "label_created", {"label": public}, actor)
    return public


async def update_label(
    *,
    actor: Actor,
    ref: ProjectRef,
    label_id: Any,
    name: str | None = None,
    color: str | None = None,
) -> dict[str, Any]:
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        label = await label_in(access.project, label_id)
        if name is not None:
            label.name = _name(name)
        if color is not None:
            label.color = _color(color)
        await label.save()
        public = label_public(label)
        await uow.emit(room_of(access), "label_updated", {"label": public}, actor)
    return public


async def delete_label(*, actor: Actor, ref: ProjectRef, label_id: Any) -> None:
    """Delete the label; the foreign key takes it off every card in the same statement."""
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        label = await label_in(access.project, label_id)
        card_ids = await CardLabel.filter(label_id=label.id).values_list("card_id", flat=True)
        await label.delete()
        await uow.emit(
            room_of(access),
            "label_deleted",
            {"label": label_public(label), "cardIds": sorted(str(c) for c in card_ids)},
            actor,
        )


async def set_card_label(
    *, actor: Actor, ref: ProjectRef, card_id: Any, label_id: Any, applied: bool
) -> dict[str, Any]:
    """Put the label on the card or take it off; doing it twice changes nothing."""
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        card = await card_in(access.project.id, card_id)
        label = await label_in(access.project, label_id)
        existing = await CardLabel.filter(card_id=card.id, label_id=label.id).first()
        changed = False
        if applied and existing is None:
            await CardLabel.create(card_id=card.id, label_id=label.id)
            changed = True
        elif not applied and existing is not None:
            await existing.delete()
            changed = True
        result = {"cardId": str(card.id), "labels": await labels_of_card(card)}
        if changed:
            await uow.emit(room_of(access), "card_labels_changed", result, actor)
    return result
