"""Cards: create, read, change, move, archive and delete, each in one locked transaction.

Every change bumps the card's `version`; a writer that names a stale version gets a
conflict carrying the current card, so two people never silently overwrite each other.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from models import Card, ChecklistItem, Column, Notification, ProjectMember
from services.actors import Actor
from services.boards import attachments, notify
from services.boards.access import ProjectAccess, board_room, parse_id
from services.boards.columns import column_in, ordered_columns, require_room
from services.boards.locate import ProjectRef, board_access, card_in, lock_board
from services.boards.ordering import (
    Edge,
    column_slots,
    index_for_order,
    insert_index,
    place,
)
from services.boards.views import board_sorted, card_public, cards_public
from services.errors import Conflict, Invalid
from services.events import UnitOfWork, unit_of_work

# Plain fields a PATCH may set; None clears the nullable ones (description clears to "").
FIELDS = ("title", "description", "priority", "start_date", "due_date", "assignee_id", "estimate")
MOVE_KEYS = ("column_id", "order", "after_id", "before_id")


def parse_date(value: Any) -> datetime | None:
    """An ISO date ("2026-04-01", midnight UTC) or date-time (UTC when no offset)."""
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise Invalid("must be an ISO 8601 date string")
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid("must be an ISO 8601 date (YYYY-MM-DD) or date-time") from None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def list_cards(
    *, actor: Actor, ref: ProjectRef, column_id: Any = None, archived: bool = False
) -> list[dict[str, Any]]:
    """The project's cards in board order: the live ones, or with `archived` the trash."""
    acc = await board_access(actor, ref)
    pid = acc.project.id
    query = Card.filter(project_id=pid, archived=archived)
    if column_id is not None:
        query = query.filter(column_id=(await column_in(pid, column_id)).id)
    columns = {c.id: c.order for c in await ordered_columns(pid)}
    return await cards_public(board_sorted(await query, columns))


async def get_card(*, actor: Actor, ref: ProjectRef, card_id: Any) -> dict[str, Any]:
    acc = await board_access(actor, ref)
    return await card_public(await card_in(acc.project.id, card_id))


async def _check_assignee(project_id: uuid.UUID, assignee_id: Any) -> uuid.UUID | None:
    if assignee_id is None:
        return None
    try:
        uid = uuid.UUID(str(assignee_id))
    except ValueError:
        raise Invalid("assigneeId must be a member of the project") from None
    if not await ProjectMember.filter(project_id=project_id, user_id=uid).exists():
        raise Invalid("assigneeId must be a member of the project")
    return uid


def _check_dates(card: Card) -> None:
    if card.start_date and card.due_date and card.start_date > card.due_date:
        raise Invalid("startDate must not be after dueDate")


async def _replace_checklist(card: Card, items: list[dict[str, Any]]) -> None:
    await ChecklistItem.filter(card_id=card.id).delete()
    if items:
        await ChecklistItem.bulk_create(
            [
                ChecklistItem(
                    card_id=card.id,
                    title=item["title"],
                    done=bool(item.get("done", False)),
                    order=item["order"] if item.get("order") is not None else i,
                )
                for i, item in enumerate(items)
            ]
        )


async def _notify_assigned(
    actor: Actor, card: Card, notes: list[Notification], before: uuid.UUID | None
) -> None:
    if card.assignee_id is not None and card.assignee_id != before:
        notes += await notify.activity(
            type="card_assigned",
            actor=actor,
            project_id=card.project_id,
            card_id=card.id,
            meta={"title": card.title},
            recipients=[card.assignee_id],
        )


async def create_card(
    *, actor: Actor, ref: ProjectRef, column_id: Any, fields: dict[str, Any]
) -> dict[str, Any]:
    """A new card at the bottom of its column. `fields`: title and optionally
    description, priority, start_date, due_date, assignee_id, estimate, checklist."""
    acc = await board_access(actor, ref, write=True)
    pid = acc.project.id
    notes: list[Notification] = []
    async with unit_of_work() as uow:
        await lock_board(uow, pid)
        column = await column_in(pid, column_id)
        await require_room(column)
        slots = await column_slots(column.id)
        placement = await place(slots, len(slots))
        card = Card(
            project_id=pid,
            column_id=column.id,
            title=fields["title"],
            description=fields.get("description") or "",
            priority=fields.get("priority"),
            start_date=fields.get("start_date"),
            due_date=fields.get("due_date"),
            assignee_id=await _check_assignee(pid, fields.get("assignee_id")),
            estimate=fields.get("estimate"),
            position=placement.position,
            created_by_id=actor.user_id,
        )
        _check_dates(card)
        await card.save()
        await _replace_checklist(card, fields.get("checklist") or [])
        rendered = await card_public(card)
        await _renumbered(uow, pid, column.id, placement.renumbered, actor)
        await uow.emit(board_room(pid), "card_created", {"card": rendered}, actor)
        notes += await notify.activity(
            type="card_created",
            actor=actor,
            project_id=pid,
            card_id=card.id,
            meta={"title": card.title, "column": column.name},
        )
        await _notify_assigned(actor, card, notes, None)
    await notify.deliver(notes)
    return rendered


async def _renumbered(
    uow: UnitOfWork, pid: uuid.UUID, column_id: uuid.UUID, keys: dict[uuid.UUID, str], actor: Actor
) -> None:
    """Tell the board when a column's keys were renumbered, before the move that did it."""
    if keys:
        positions = [{"id": str(cid), "position": key} for cid, key in keys.items()]
        await uow.emit(
            board_room(pid),
            "column_renumbered",
            {"columnId": str(column_id), "positions": positions},
            actor,
        )


async def _move(
    acc: ProjectAccess, card: Card, changes: dict[str, Any], edge: Edge
) -> tuple[bool, Column | None, dict[uuid.UUID, str]]:
    """Place the card per `changes`; returns (moved, the column it left if it changed
    column, renumbered keys)."""
    pid = acc.project.id
    if card.archived:
        raise Conflict("Restore the card from the trash before moving it")
    target = await column_in(pid, changes.get("column_id") or card.column_id)
    crossing = target.id != card.column_id
    if crossing:
        await require_room(target)
    slots = await column_slots(target.id, exclude=card.id)
    after, before = changes.get("after_id"), changes.get("before_id")
    if after is not None or before is not None or (edge == "top" and "order" not in changes):
        at = insert_index(
            slots,
            after_id=parse_id(after, "Card") if after is not None else None,
            before_id=parse_id(before, "Card") if before is not None else None,
            edge=edge,
        )
    elif changes.get("order") is not None:
        at = index_for_order(slots, int(changes["order"]))
    elif crossing:
        at = len(slots)
    else:
        return False, None, {}
    low = slots[at - 1].position if at > 0 else None
    high = slots[at].position if at < len(slots) else None
    if (
        not crossing
        and (low is None or low < card.position)
        and (high is None or card.position < high)
    ):
        return False, None, {}  # already there
    placement = await place(slots, at)
    left = await Column.get(id=card.column_id) if crossing else None
    card.column_id = target.id
    card.position = placement.position
    return True, left, placement.renumbered


async def update_card(
    *,
    actor: Actor,
    ref: ProjectRef,
    card_id: Any,
    changes: dict[str, Any],
    version: int | None = None,
    edge: Edge = "bottom",
) -> dict[str, Any]:
    """Apply what was sent (absent keys are left alone; None clears). `changes` may move
    the card (column_id, order, after_id, before_id), archive or restore it (archived),
    replace its checklist, or set any field in FIELDS. With `version`, a card changed
    since then is a conflict whose details carry the current card."""
    acc = await board_access(actor, ref, write=True)
    pid = acc.project.id
    notes: list[Notification] = []
    async with unit_of_work() as uow:
        await lock_board(uow, pid)
        card = await card_in(pid, card_id)
        if version is not None and version != card.version:
            raise Conflict(
                "This card was changed by someone else; review the current version",
                details={"current": await card_public(card)},
            )
        was_assigned, was_archived = card.assignee_id, card.archived
        changed: list[str] = []
        for name in FIELDS:
            if name not in changes:
                continue
            value = changes[name]
            if name == "description" and value is None:
                value = ""
            if name == "assignee_id":
                value = await _check_assignee(pid, value)
            if getattr(card, name) != value:
                setattr(card, name, value)
                changed.append(name)
        _check_dates(card)
        if "checklist" in changes:
            await _replace_checklist(card, changes["checklist"] or [])
            changed.append("checklist")
        archived, restored = False, False
        if changes.get("archived") is True and not card.archived:
            card.archived, card.archived_at, archived = True, datetime.now(UTC), True
        renumbered: dict[uuid.UUID, str] = {}
        if changes.get("archived") is False and was_archived:
            column = await Column.get(id=card.column_id)
            await require_room(column)
            slots = await column_slots(column.id)
            placement = await place(slots, len(slots))
            card.archived, card.archived_at, restored = False, None, True
            card.position, renumbered = placement.position, placement.renumbered
        moved, left = False, None
        if any(changes.get(k) is not None for k in MOVE_KEYS) and not archived:
            moved, left, more = await _move(acc, card, changes, edge)
            renumbered |= more
        if not (changed or moved or archived or restored):
            return await card_public(card)
        card.version += 1
        await card.save()
        rendered = await card_public(card)
        await _renumbered(uow, pid, card.column_id, renumbered, actor)
        kind = (
            "card_archived"
            if archived
            else "card_restored"
            if restored
            else "card_moved"
            if moved
            else "card_updated"
        )
        data: dict[str, Any] = {"card": rendered}
        if left is not None:
            data["fromColumnId"] = str(left.id)
        await uow.emit(board_room(pid), kind, data, actor)
        notes += await _activity(actor, card, kind, changed, left)
        await _notify_assigned(actor, card, notes, was_assigned)
    await notify.deliver(notes)
    return rendered


async def _activity(
    actor: Actor, card: Card, kind: str, changed: list[str], left: Column | None
) -> list[Notification]:
    meta: dict[str, Any] = {"title": card.title}
    if kind == "card_moved":
        if left is None:
            return []  # reordering within a column is not news
        meta |= {"fromColumn": left.name, "toColumn": (await Column.get(id=card.column_id)).name}
    elif kind == "card_updated":
        meta["fields"] = changed
    elif kind == "card_restored":
        kind, meta["fields"] = "card_updated", ["archived"]
    return await notify.activity(
        type=kind, actor=actor, project_id=card.project_id, card_id=card.id, meta=meta
    )


async def move_card(
    *,
    actor: Actor,
    ref: ProjectRef,
    card_id: Any,
    column_id: Any,
    after_id: Any = None,
    before_id: Any = None,
    version: int | None = None,
) -> dict[str, Any]:
    """Drop a card into `column_id` right below `after_id` and/or right above
    `before_id`; naming neither puts it at the top."""
    return await update_card(
        actor=actor,
        ref=ref,
        card_id=card_id,
        changes={"column_id": column_id, "after_id": after_id, "before_id": before_id},
        version=version,
        edge="top",
    )


async def delete_card(*, actor: Actor, ref: ProjectRef, card_id: Any) -> dict[str, Any]:
    """Permanently, with its checklist, comments and attachments (files too, once
    committed)."""
    acc = await board_access(actor, ref, write=True)
    pid = acc.project.id
    async with unit_of_work() as uow:
        await lock_board(uow, pid)
        card = await card_in(pid, card_id)
        data = {"cardId": str(card.id), "columnId": str(card.column_id)}
        files = await attachments.storage_keys_of_cards([card.id])
        await card.delete()
        await uow.emit(board_room(pid), "card_deleted", data, actor)
        notes = await notify.activity(
            type="card_deleted",
            actor=actor,
            project_id=pid,
            card_id=card.id,
            meta={"title": card.title},
        )
    attachments.discard_files(files)
    await notify.deliver(notes)
    return {"ok": True}
