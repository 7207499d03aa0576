"""The public form of columns and cards, and the live board a socket reads on connect.
A list renders in a fixed number of reads, whatever its length: nothing here reads once
per card."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from models import Card, ChecklistItem, Column, Project
from services import group_commit, sql
from services.actors import Actor
from services.boards.access import access_steps, board_room
from services.boards.ordering import Slot, ordered
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


# A list of cards renders in a fixed number of reads, whatever its length: nothing here
# reads once per card. Plain SQL, as steps, so a board's snapshot is one hop to SQLite's
# thread (`group_commit.read`): it is read on every connect, and a board's people all
# connect again at once after a restart.
_CHECKLISTS = """
SELECT * FROM checklist_items WHERE card_id IN ({marks}) ORDER BY "order", created_at
"""
_LABELS = """
SELECT cl.card_id, l.id, l.name, l.color
FROM card_labels cl JOIN labels l ON l.id = cl.label_id
WHERE cl.card_id IN ({marks})
"""
_COUNTS = "SELECT card_id, COUNT(id) AS n FROM {table} WHERE card_id IN ({marks}) GROUP BY card_id"
_PLACES = "SELECT id, position, column_id, archived FROM cards WHERE column_id IN ({marks})"


class CardRow(NamedTuple):
    """A card as a board shows it: what `_card` reads, from its row. A board's cards are
    read on every connect; a model of each cost more than the rest of the snapshot."""

    id: str
    project_id: str
    column_id: str
    title: str
    description: str
    priority: str | None
    start_date: datetime | None
    due_date: datetime | None
    assignee_id: Any
    position: str
    archived: bool
    version: int
    estimate: str | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, r: dict[str, Any]) -> CardRow:
        return cls(
            str(r["id"]),
            str(r["project_id"]),
            str(r["column_id"]),
            r["title"],
            r["description"],
            r["priority"],
            sql.datetime_value(r["start_date"]),
            sql.datetime_value(r["due_date"]),
            r["assignee_id"],
            r["position"],
            bool(r["archived"]),
            r["version"],
            r["estimate"],
            sql.datetime_value(r["created_at"]),
            sql.datetime_value(r["updated_at"]),
        )


Shown = Card | CardRow


@dataclass(frozen=True)
class _Details:
    """What a card shows beside its own row."""

    checklists: dict[str, list[dict[str, Any]]]
    labels: dict[str, list[dict[str, Any]]]
    comments: dict[str, int]
    attachments: dict[str, int]
    orders: dict[str, int]


def _details(cards: Sequence[Shown]) -> sql.Steps[_Details]:
    ids = [str(c.id) for c in cards]
    checklists: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in (yield from sql.in_chunks(_CHECKLISTS, ids)):
        item = ChecklistItem._init_from_db(**row)
        checklists[str(item.card_id)].append(checklist_public(item))
    labels: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in (yield from sql.in_chunks(_LABELS, ids)):
        labels[str(row["card_id"])].append(
            {"id": str(row["id"]), "name": row["name"], "color": row["color"]}
        )
    counts = []
    for table in ("comments", "attachments"):
        rows = yield from sql.in_chunks(_COUNTS.replace("{table}", table), ids)
        counts.append({str(r["card_id"]): int(r["n"]) for r in rows})
    columns = sorted({str(c.column_id) for c in cards})
    places = yield from sql.in_chunks(_PLACES, columns)
    return _Details(checklists, labels, counts[0], counts[1], _orders(places))


def _orders(places: sql.Rows) -> dict[str, int]:
    """Each card's 0-based index among the cards of its column that share its archived
    state (the live board, or that column's part of the trash)."""
    groups: dict[tuple[str, bool], list[Slot]] = defaultdict(list)
    for row in places:
        slot = Slot(id=uuid.UUID(str(row["id"])), position=str(row["position"]))
        groups[(str(row["column_id"]), bool(row["archived"]))].append(slot)
    index: dict[str, int] = {}
    for slots in groups.values():
        for i, slot in enumerate(ordered(slots)):
            index[str(slot.id)] = i
    return index


def cards_steps(cards: Sequence[Shown]) -> sql.Steps[list[dict[str, Any]]]:
    """`cards` as the API and the board show them."""
    if not cards:
        return []
    details = yield from _details(cards)
    return [_card(card, details) for card in cards]


async def cards_public(cards: list[Card]) -> list[dict[str, Any]]:
    """`cards_steps`, read on its own."""
    if not cards:
        return []
    return await group_commit.read(lambda: cards_steps(cards))


def _card(card: Shown, details: _Details) -> dict[str, Any]:
    key = str(card.id)
    items = details.checklists.get(key, [])
    return {
        "id": key,
        "projectId": str(card.project_id),
        "columnId": str(card.column_id),
        "title": card.title,
        "description": card.description,
        "priority": card.priority,
        "startDate": iso(card.start_date),
        "dueDate": iso(card.due_date),
        "assigneeId": str(card.assignee_id) if card.assignee_id else None,
        "order": details.orders.get(key, 0),
        "position": card.position,
        "archived": card.archived,
        "version": card.version,
        "estimate": card.estimate,
        "checklist": items,
        "checklistProgress": progress(items),
        "labels": sorted(details.labels.get(key, []), key=lambda lb: (lb["name"], lb["id"])),
        "commentCount": details.comments.get(key, 0),
        "attachmentCount": details.attachments.get(key, 0),
        "createdAt": iso(card.created_at),
        "updatedAt": iso(card.updated_at),
    }


async def card_public(card: Card) -> dict[str, Any]:
    return (await cards_public([card]))[0]


def board_sorted(cards: list[CardRow], column_order: dict[str, int]) -> list[CardRow]:
    """Cards as a board shows them: by column (`column_order`, by column id as text),
    then by (position, id)."""
    last = len(column_order)
    return sorted(cards, key=lambda c: (column_order.get(c.column_id, last), c.position, c.id))


_MEMBERS = """
SELECT m.user_id, m.role, u.name, u.email
FROM project_members m JOIN users u ON u.id = m.user_id
WHERE m.project_id = ?
"""
_SEQ = "SELECT seq FROM rooms WHERE key = ?"
_COLUMNS = 'SELECT * FROM columns WHERE project_id = ? ORDER BY "order", created_at, id'
_CARD_ROWS = """
SELECT id, project_id, column_id, title, description, priority, start_date, due_date,
assignee_id, position, archived, version, estimate, created_at, updated_at
FROM cards WHERE project_id = ? AND archived = ?
"""


def card_rows_steps(
    project_id: Any, *, archived: bool = False, column_id: Any = None
) -> sql.Steps[list[CardRow]]:
    """The project's live cards (or with `archived` its trash), of one column or all."""
    if column_id is None:
        rows = yield sql.stmt(_CARD_ROWS, str(project_id), archived)
    else:
        rows = yield sql.stmt(
            _CARD_ROWS + " AND column_id = ?", str(project_id), archived, str(column_id)
        )
    return [CardRow.of(row) for row in rows]


def trash_rows_steps(project_id: Any) -> sql.Steps[list[CardRow]]:
    """The project's archived cards, the most recently archived first."""
    rows = yield sql.stmt(_CARD_ROWS + " ORDER BY archived_at DESC, id", str(project_id), True)
    return [CardRow.of(row) for row in rows]


def _members(project_id: uuid.UUID) -> sql.Steps[list[dict[str, Any]]]:
    people = [
        {"userId": str(m["user_id"]), "name": m["name"] or m["email"], "role": m["role"]}
        for m in (yield sql.stmt(_MEMBERS, str(project_id)))
    ]
    return sorted(people, key=lambda p: (p["name"].lower(), p["userId"]))


def board_steps(project: Project) -> sql.Steps[dict[str, Any]]:
    """The live board: its seq first, so any change committed after the read arrives
    as an event with a later seq (events carry whole cards, or a move the card's new
    place and version, so applying one twice is harmless). Read in one hop on SQLite,
    where the seq and the rest come from one snapshot anyway."""
    pid = str(project.id)
    seq = yield sql.stmt(_SEQ, board_room(project.id))
    columns = [Column._init_from_db(**row) for row in (yield sql.stmt(_COLUMNS, pid))]
    cards = yield from card_rows_steps(pid)
    order = {str(c.id): c.order for c in columns}
    return {
        "seq": int(seq[0]["seq"]) if seq else 0,
        "project": {
            "id": pid,
            "workspaceId": str(project.workspace_id),
            "name": project.name,
            "description": project.description,
        },
        "columns": [column_public(c) for c in columns],
        "cards": (yield from cards_steps(board_sorted(cards, order))),
        "members": (yield from _members(project.id)),
    }


def _seen_board(actor: Actor, project_id: Any) -> sql.Steps[dict[str, Any]]:
    access = yield from access_steps(actor, project_id)
    return (yield from board_steps(access.project))


async def board_snapshot(actor: Actor, project_id: Any) -> dict[str, Any]:
    """The live board, if `actor` may see it (`access_steps`), in one read."""
    return await group_commit.read(lambda: _seen_board(actor, project_id))
