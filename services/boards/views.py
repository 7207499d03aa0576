"""The public form of columns and cards. A list renders in a fixed number of queries,
whatever its length: nothing here queries once per card."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from tortoise.functions import Count

from models import (
    Attachment,
    Card,
    CardLabel,
    ChecklistItem,
    Column,
    Comment,
    Project,
    ProjectMember,
)
from services.boards.access import board_room
from services.boards.ordering import Slot, ordered
from services.events import current_seq
from services.timefmt import iso


def column_public(column: Column) -> dict[str, Any]:
    return {
        "id": str(column.id),
        "projectId": str(column.project_id),
        "scopeId": str(column.scope_id) if column.scope_id else None,
        "name": column.name,
        "order": column.order,
        "wipLimit": column.wip_limit,
        "version": column.version,
        "createdAt": iso(column.created_at),
        "updatedAt": iso(column.updated_at),
    }


def checklist_public(item: ChecklistItem) -> dict[str, Any]:
    """A checklist item: `_id` as the boards document shows it, and `id`, the name every
    other object here uses for the same value."""
    key = str(item.id)
    return {"_id": key, "id": key, "title": item.title, "done": item.done, "order": item.order}


def progress(items: list[dict[str, Any]]) -> int | None:
    if not items:
        return None
    return round(100 * sum(1 for i in items if i["done"]) / len(items))


async def _orders(cards: list[Card]) -> dict[uuid.UUID, int]:
    """Each card's 0-based index among the cards of its column that share its archived
    state (the live board, or that column's part of the trash)."""
    columns = {c.column_id for c in cards}
    rows = await Card.filter(column_id__in=list(columns)).values_list(
        "id", "position", "column_id", "archived"
    )
    groups: dict[tuple[str, bool], list[Slot]] = defaultdict(list)
    for cid, pos, col, archived in rows:
        groups[(str(col), bool(archived))].append(Slot(id=uuid.UUID(str(cid)), position=str(pos)))
    index: dict[uuid.UUID, int] = {}
    for slots in groups.values():
        for i, slot in enumerate(ordered(slots)):
            index[slot.id] = i
    return index


async def _counts(model: Any, ids: list[uuid.UUID]) -> dict[str, int]:
    rows = (
        await model.filter(card_id__in=ids)
        .annotate(n=Count("id"))
        .group_by("card_id")
        .values_list("card_id", "n")
    )
    return {str(cid): int(n) for cid, n in rows}


async def cards_public(cards: list[Card]) -> list[dict[str, Any]]:
    if not cards:
        return []
    ids = [c.id for c in cards]
    checklists: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in await ChecklistItem.filter(card_id__in=ids).order_by("order", "created_at"):
        checklists[str(item.card_id)].append(checklist_public(item))
    labels: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in await CardLabel.filter(card_id__in=ids).select_related("label"):
        label = link.label
        labels[str(link.card_id)].append(
            {"id": str(label.id), "name": label.name, "color": label.color}
        )
    comments = await _counts(Comment, ids)
    attachments = await _counts(Attachment, ids)
    orders = await _orders(cards)
    out = []
    for card in cards:
        key = str(card.id)
        items = checklists.get(key, [])
        out.append(
            {
                "id": key,
                "projectId": str(card.project_id),
                "columnId": str(card.column_id),
                "title": card.title,
                "description": card.description,
                "priority": card.priority,
                "startDate": iso(card.start_date),
                "dueDate": iso(card.due_date),
                "assigneeId": str(card.assignee_id) if card.assignee_id else None,
                "order": orders.get(card.id, 0),
                "position": card.position,
                "archived": card.archived,
                "version": card.version,
                "estimate": card.estimate,
                "checklist": items,
                "checklistProgress": progress(items),
                "labels": sorted(labels.get(key, []), key=lambda lb: (lb["name"], lb["id"])),
                "commentCount": comments.get(key, 0),
                "attachmentCount": attachments.get(key, 0),
                "createdAt": iso(card.created_at),
                "updatedAt": iso(card.updated_at),
            }
        )
    return out


async def card_public(card: Card) -> dict[str, Any]:
    return (await cards_public([card]))[0]


def board_sorted(cards: list[Card], column_order: dict[uuid.UUID, int]) -> list[Card]:
    """Cards as a board shows them: by column, then by (position, id)."""
    return sorted(
        cards,
        key=lambda c: (column_order.get(c.column_id, len(column_order)), c.position, str(c.id)),
    )


async def members_public(project_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await ProjectMember.filter(project_id=project_id).select_related("user")
    people = [
        {
            "userId": str(m.user_id),
            "name": m.user.name or m.user.email,  # type: ignore[attr-defined]
            "role": m.role,
        }
        for m in rows
    ]
    return sorted(people, key=lambda p: (p["name"].lower(), p["userId"]))


async def board_snapshot(project: Project) -> dict[str, Any]:
    """The live board: its seq first, so any change committed after the read arrives
    as an event with a later seq (events carry whole cards, or a move the card's new
    place and version, so applying one twice is harmless)."""
    seq = await current_seq(board_room(project.id))
    columns = await Column.filter(project_id=project.id).order_by("order", "created_at", "id")
    order = {c.id: c.order for c in columns}
    cards = await Card.filter(project_id=project.id, archived=False)
    return {
        "seq": seq,
        "project": {
            "id": str(project.id),
            "workspaceId": str(project.workspace_id),
            "name": project.name,
            "description": project.description,
        },
        "columns": [column_public(c) for c in columns],
        "cards": await cards_public(board_sorted(list(cards), order)),
        "members": await members_public(project.id),
    }
