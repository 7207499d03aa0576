"""Checklist items on a card and the card's progress."""

from __future__ import annotations

from typing import Any

from models import Card, ChecklistItem
from services.actors import Actor
from services.boards.access import find_in
from services.boards.locate import ProjectRef, board_access, card_in, locked_project, room_of
from services.boards.views import checklist_public, progress
from services.errors import Conflict, ValidationFailed
from services.events import UnitOfWork, unit_of_work

TITLE_MAX = 500
MAX_ITEMS = 100


def item_public(item: ChecklistItem) -> dict[str, Any]:
    return checklist_public(item)


def progress_of(items: list[ChecklistItem]) -> int | None:
    """Percent done as the card shows it; None for a card without a checklist."""
    return progress([checklist_public(i) for i in items])


def _title(title: str) -> str:
    title = title.strip()
    if not 1 <= len(title) <= TITLE_MAX:
        message = f"must be 1-{TITLE_MAX} characters"
        raise ValidationFailed(f"title: {message}", details={"errors": {"title": [message]}})
    return title


async def _items(card: Card) -> list[ChecklistItem]:
    return await ChecklistItem.filter(card_id=card.id).order_by("order", "created_at", "id")


async def _progress(card: Card) -> int | None:
    return progress_of(await _items(card))


async def _renumber(items: list[ChecklistItem]) -> None:
    for index, item in enumerate(items):
        if item.order != index:
            item.order = index
            await item.save(update_fields=["order"])


async def _item_in(card: Card, item_id: Any) -> ChecklistItem:
    return await find_in(ChecklistItem, "Checklist item", item_id, card_id=card.id)


async def _changed(
    uow: UnitOfWork, room: str, event: str, card: Card, item: ChecklistItem, actor: Actor
) -> dict[str, Any]:
    result = {"cardId": str(card.id), "item": item_public(item), "progress": await _progress(card)}
    await uow.emit(room, event, result, actor)
    return result


async def list_items(*, actor: Actor, ref: ProjectRef, card_id: Any) -> dict[str, Any]:
    access = await board_access(actor, ref)
    card = await card_in(access.project.id, card_id)
    items = await _items(card)
    return {
        "cardId": str(card.id),
        "items": [item_public(i) for i in items],
        "progress": progress_of(items),
    }


async def add_item(*, actor: Actor, ref: ProjectRef, card_id: Any, title: str) -> dict[str, Any]:
    title = _title(title)
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        card = await card_in(access.project.id, card_id)
        count = await ChecklistItem.filter(card_id=card.id).count()
        if count >= MAX_ITEMS:
            raise Conflict(f"A card can have at most {MAX_ITEMS} checklist items")
        item = await ChecklistItem.create(card_id=card.id, title=title, order=count)
        return await _changed(uow, room_of(access), "checklist_item_added", card, item, actor)


async def update_item(
    *,
    actor: Actor,
    ref: ProjectRef,
    card_id: Any,
    item_id: Any,
    title: str | None = None,
    done: bool | None = None,
    order: int | None = None,
) -> dict[str, Any]:
    """Rename, tick or move an item; `order` is its new 0-based place in the list."""
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        card = await card_in(access.project.id, card_id)
        item = await _item_in(card, item_id)
        if title is not None:
            item.title = _title(title)
        if done is not None:
            item.done = done
        await item.save()
        if order is not None:
            others = [i for i in await _items(card) if i.id != item.id]
            others.insert(max(0, min(order, len(others))), item)
            await _renumber(others)
        return await _changed(uow, room_of(access), "checklist_item_updated", card, item, actor)


async def delete_item(
    *, actor: Actor, ref: ProjectRef, card_id: Any, item_id: Any
) -> dict[str, Any]:
    async with unit_of_work() as uow:
        access = await locked_project(uow, actor, ref)
        card = await card_in(access.project.id, card_id)
        item = await _item_in(card, item_id)
        await item.delete()
        await _renumber(await _items(card))
        return await _changed(uow, room_of(access), "checklist_item_deleted", card, item, actor)
