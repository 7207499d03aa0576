"""Cards: create, read, change, move, archive and delete, each in one locked transaction.

Every change bumps the card's `version`; a writer that names a stale version gets a
conflict carrying the current card, so two people never silently overwrite each other.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from models import Card, Notification
from services import group_commit, sql
from services.actors import Actor
from services.boards import attachments, moves, notify
from services.boards.access import ProjectAccess
from services.boards.card_rules import (
    assigned_steps,
    assignee_steps,
    check_dates,
    checklist_steps,
    column_steps,
)
from services.boards.columns import column_orders_steps, known_column
from services.boards.locate import (
    ProjectRef,
    board_access,
    board_access_steps,
    card_in,
    card_row_steps,
    claimed_project,
    locked_project,
    room_of,
    stale_card,
)
from services.boards.moves import move_card as move_card  # a drag: the board's hot path
from services.boards.new_card import create_card as create_card
from services.boards.ordering import Drop, Placement, Slot, place_steps
from services.boards.views import board_sorted, card_public, card_rows_steps, cards_steps
from services.errors import Invalid
from services.events import UnitOfWork, transact, unit_of_work

# Plain fields a PATCH may set; None clears the nullable ones (description clears to "").
# The longest a card's texts may be, on every face (REST, sockets, agents' tools).
TITLE_MAX, DESCRIPTION_MAX, ESTIMATE_MAX = 500, 5000, 20
FIELDS = ("title", "description", "priority", "start_date", "due_date", "assignee_id", "estimate")
MOVE_KEYS = ("column_id", "order", "after_id", "before_id")
# Field names as the wire spells them.
_WIRE_NAMES = {
    "start_date": "startDate",
    "due_date": "dueDate",
    "assignee_id": "assigneeId",
}
# What a change may write besides FIELDS; the row's other columns are left alone.
_ROW_FIELDS = ("column_id", "position", "archived", "archived_at", "version", "updated_at")


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
    """The project's cards in board order: the live ones, or with `archived` the trash.
    The caller's access, the columns and the cards are read in one hop, as rows, not
    models, as a board's snapshot reads them: a list may hold hundreds, and bots and
    agents ask for it often."""

    def listed() -> sql.Steps[list[dict[str, Any]]]:
        pid = (yield from board_access_steps(actor, ref)).project_id
        columns = yield from column_orders_steps(pid)
        column = known_column(column_id, columns) if column_id is not None else None
        found = yield from card_rows_steps(pid, archived=archived, column_id=column)
        return (yield from cards_steps(board_sorted(found, columns)))

    return await group_commit.read(listed)


async def get_card(*, actor: Actor, ref: ProjectRef, card_id: Any) -> dict[str, Any]:
    acc = await board_access(actor, ref)
    return await card_public(await card_in(acc.project.id, card_id))


_NAMES = "SELECT id, name FROM columns WHERE id IN (?, ?)"


class _Stale(Exception):
    """The card changed since the version the client named."""

    def __init__(self, project_id: uuid.UUID, card_id: uuid.UUID) -> None:
        self.project_id, self.card_id = project_id, card_id


class _Unchanged(Exception):
    """Nothing to write: the seq claimed (and any renumbering) rolls back, and the card
    is answered as it is."""

    def __init__(self, rendered: dict[str, Any]) -> None:
        self.rendered = rendered


def _card(project_id: uuid.UUID, card_id: Any) -> sql.Steps[Card]:
    return Card._init_from_db(**(yield from card_row_steps(project_id, card_id, "*")))


def _place(
    acc: ProjectAccess, card: Card, changes: dict[str, Any], *, to_trash: bool = False
) -> sql.Steps[Placement | None]:
    """Place the card per the move keys in `changes`; None when it stays where it is.
    `to_trash`: the same change archives the card, so it takes no place under the target
    column's WIP limit."""
    moves.require_live(card.archived)
    target = yield from column_steps(acc.project.id, changes.get("column_id") or card.column_id)
    crossing = target.id != card.column_id
    if crossing and not to_trash:
        target.require_room()
    drop = moves.drop_of(
        after_id=changes.get("after_id"),
        before_id=changes.get("before_id"),
        order=changes.get("order"),
    )
    if not (crossing or drop.names_a_card or drop.order is not None):
        return None
    staying = None if crossing else Slot(card.id, card.position)
    placement = yield from place_steps(target.id, drop, staying=staying)
    if placement.stays:
        return None
    card.column_id, card.position = target.id, placement.position
    return placement


def _update(
    uow: UnitOfWork,
    actor: Actor,
    ref: ProjectRef,
    card_id: Any,
    changes: dict[str, Any],
    version: int | None,
) -> sql.Steps[dict[str, Any]]:
    acc, seq = yield from claimed_project(uow, actor, ref)
    pid = acc.project.id
    card = yield from _card(pid, card_id)
    if version is not None and version != card.version:
        raise _Stale(pid, card.id)
    was_assigned, was_archived, was_in = card.assignee_id, card.archived, card.column_id
    changed: list[str] = []
    for name in FIELDS:
        if name not in changes:
            continue
        value = changes[name]
        if name == "description" and value is None:
            value = ""
        if name == "assignee_id":
            value = yield from assignee_steps(pid, value)
        if getattr(card, name) != value:
            setattr(card, name, value)
            changed.append(name)
    check_dates(card)
    if "checklist" in changes:
        yield sql.stmt("DELETE FROM checklist_items WHERE card_id = ?", str(card.id))
        yield from checklist_steps(card.id, changes["checklist"] or [])
        changed.append("checklist")
    archiving = changes.get("archived") is True and not card.archived
    restored = False
    placements: list[Placement] = []
    if changes.get("archived") is False and was_archived:
        column = yield from column_steps(pid, card.column_id)
        column.require_room()
        placements.append((yield from place_steps(card.column_id, Drop())))
        card.archived, card.archived_at, restored = False, None, True
        card.position = placements[-1].position
    moved: Placement | None = None
    if any(changes.get(k) is not None for k in MOVE_KEYS):
        # Before the archive, so a move sent with it is applied too, never dropped.
        moved = yield from _place(acc, card, changes, to_trash=archiving)
        placements += [moved] if moved else []
    archived = False
    if archiving:
        card.archived, card.archived_at, archived = True, sql.now(), True
    if not (changed or moved or archived or restored):
        [rendered] = yield from cards_steps([card])
        raise _Unchanged(rendered)
    card.version += 1
    card.updated_at = sql.now()
    written = [*_ROW_FIELDS, *(f for f in changed if f in FIELDS)]
    yield sql.stmt(
        f"UPDATE cards SET {', '.join(f'{f} = ?' for f in written)} WHERE id = ?",
        *(sql.param(getattr(card, f)) for f in written),
        str(card.id),
    )
    [rendered] = yield from cards_steps([card])
    room = room_of(acc)
    for placement in placements:
        if placement.renumbered:
            keys = moves.renumbered(card.column_id, placement.renumbered)
            yield from uow.append_steps(room, seq, "column_renumbered", keys, actor)
            seq = yield from uow.claim_steps(room)
    kind, data = _event(card, rendered, was_in, moved, archived, restored, bool(changed))
    if kind == "card_updated":
        # Which fields changed, so a listener (an automation) can tell an assignment.
        data["fields"] = [_WIRE_NAMES.get(f, f) for f in changed]
    yield from uow.append_steps(room, seq, kind, data, actor)
    notes = yield from _activity(actor, card, kind, changed, was_in)
    notes += yield from assigned_steps(actor, card, was_assigned)
    uow.record(*notify.created(notes))
    return rendered


async def update_card(
    *,
    actor: Actor,
    ref: ProjectRef,
    card_id: Any,
    changes: dict[str, Any],
    version: int | None = None,
) -> dict[str, Any]:
    """Apply what was sent (absent keys are left alone; None clears). `changes` may move
    the card (column_id, order, after_id, before_id), archive or restore it (archived),
    replace its checklist, or set any field in FIELDS. A move and `archived: true`
    together move the card, then archive it in its new column (where a restore puts it
    back). With `version`, a card changed since then is a conflict whose details carry
    the current card. Written as steps (`events.transact`), like a move."""
    try:
        return await transact(lambda uow: _update(uow, actor, ref, card_id, changes, version))
    except _Unchanged as same:
        return same.rendered
    except _Stale as stale:
        current = await card_public(await card_in(stale.project_id, stale.card_id))
        raise stale_card(current) from None


def _event(
    card: Card,
    rendered: dict[str, Any],
    was_in: uuid.UUID,
    moved: Placement | None,
    archived: bool,
    restored: bool,
    changed: bool,
) -> tuple[str, dict[str, Any]]:
    """How the board hears of a change: an archive or a restore with the whole card, a
    bare move as only what moved, anything else as the whole card."""
    if archived or restored:
        return ("card_archived" if archived else "card_restored"), {"card": rendered}
    if moved is not None and not changed:
        return "card_moved", moves.moved(
            card.id, was_in, moved, card.column_id, card.version, card.updated_at
        )
    data: dict[str, Any] = {"card": rendered}
    if card.column_id != was_in:
        data["fromColumnId"] = str(was_in)
    return "card_updated", data


def _activity(
    actor: Actor, card: Card, kind: str, changed: list[str], was_in: uuid.UUID
) -> sql.Steps[list[Notification]]:
    """Who hears of a change: a new column is news (reordering is not), so is any other
    change to the card."""
    if card.column_id != was_in and kind in ("card_moved", "card_updated"):
        rows = yield sql.stmt(_NAMES, str(was_in), str(card.column_id))
        names = {uuid.UUID(str(r["id"])): r["name"] for r in rows}
        return (yield from moves.notify_moved(actor, card, names[was_in], names[card.column_id]))
    if kind == "card_moved":
        return []
    meta: dict[str, Any] = {"title": card.title}
    if kind == "card_updated":
        meta["fields"] = changed
    elif kind == "card_restored":
        kind, meta["fields"] = "card_updated", ["archived"]
    return (
        yield from notify.activity_steps(
            type=kind, actor=actor, project_id=card.project_id, card_id=card.id, meta=meta
        )
    )


async def delete_card(*, actor: Actor, ref: ProjectRef, card_id: Any) -> dict[str, Any]:
    """Permanently, with its checklist, comments and attachments (files too, once
    committed)."""
    async with unit_of_work() as uow:
        acc = await locked_project(uow, actor, ref)
        pid = acc.project.id
        card = await card_in(pid, card_id)
        data = {"cardId": str(card.id), "columnId": str(card.column_id)}
        files = await attachments.storage_keys_of_cards([card.id])
        await card.delete()
        await uow.emit(room_of(acc), "card_deleted", data, actor)
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
