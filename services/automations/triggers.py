"""The seven triggers, and which of them a committed board event is.

A trigger names a kind of change to one card; its options narrow it (moved from or to a
column, a status, an assignee). `occurrences` reads a board event as the triggers it
fires, with the details rules match their options against.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from models import Column
from services.events import Event

TASK_MOVED = "task_moved"
TASK_CREATED = "task_created"
CHECKLIST_COMPLETE = "checklist_complete"
DUE_DATE_REACHED = "due_date_reached"
TASK_STATUS_CHANGED = "task_status_changed"
TASK_ASSIGNED = "task_assigned"
TASK_ADDED_TO_BOARD = "task_added_to_board"
TRIGGERS = (
    TASK_MOVED,
    TASK_CREATED,
    CHECKLIST_COMPLETE,
    DUE_DATE_REACHED,
    TASK_STATUS_CHANGED,
    TASK_ASSIGNED,
    TASK_ADDED_TO_BOARD,
)
# A card's status: in the trash, in the project's last column (done), or anywhere else.
STATUSES = ("open", "done", "archived")

# Each trigger's options: the option and what it names (a column, a member, a status).
OPTIONS: dict[str, dict[str, str]] = {
    TASK_MOVED: {"fromColumnId": "column", "toColumnId": "column"},
    TASK_CREATED: {"columnId": "column"},
    TASK_ADDED_TO_BOARD: {"columnId": "column"},
    CHECKLIST_COMPLETE: {},
    DUE_DATE_REACHED: {},
    TASK_STATUS_CHANGED: {"from": "status", "to": "status"},
    TASK_ASSIGNED: {"userId": "member"},
}

# The board events that can fire a trigger.
EVENT_TYPES = frozenset(
    {
        "card_created",
        "card_moved",
        "card_updated",
        "card_archived",
        "card_restored",
        "checklist_item_updated",
        "checklist_item_deleted",
    }
)


@dataclass(frozen=True)
class Occurrence:
    trigger: str
    card_id: str
    details: dict[str, Any]


def matches(options: dict[str, Any], occurrence: Occurrence) -> bool:
    """Whether a rule's trigger options accept the occurrence (an unset option accepts
    anything)."""
    return all(
        value is None or occurrence.details.get(name) == value for name, value in options.items()
    )


async def last_column(project_id: str) -> str | None:
    row = await Column.filter(project_id=uuid.UUID(project_id)).order_by("-order", "-id").first()
    return str(row.id) if row else None


def _status(column: str | None, done: str | None, archived: bool = False) -> str:
    if archived:
        return "archived"
    return "done" if column is not None and column == done else "open"


def occurrences(event: Event, done_column: str | None) -> list[Occurrence]:
    """The triggers `event` fires; `done_column` is its project's last column."""
    data, kind = event.data, event.type
    card = data.get("card") if isinstance(data.get("card"), dict) else None
    found: list[Occurrence] = []

    def add(trigger: str, card_id: Any, **details: Any) -> None:
        found.append(Occurrence(trigger, str(card_id), details))

    if kind == "card_created" and card:
        add(TASK_CREATED, card["id"], columnId=card["columnId"])
        add(TASK_ADDED_TO_BOARD, card["id"], columnId=card["columnId"])
        if card.get("assigneeId"):
            add(TASK_ASSIGNED, card["id"], userId=card["assigneeId"])
    elif kind == "card_restored" and card:
        add(TASK_ADDED_TO_BOARD, card["id"], columnId=card["columnId"])
        to = _status(card["columnId"], done_column)
        add(TASK_STATUS_CHANGED, card["id"], **{"from": "archived", "to": to})
    elif kind == "card_archived" and card:
        was = _status(card["columnId"], done_column)
        add(TASK_STATUS_CHANGED, card["id"], **{"from": was, "to": "archived"})
    elif kind == "card_moved":
        _moved(add, data["cardId"], data.get("fromColumnId"), data.get("columnId"), done_column)
    elif kind == "card_updated" and card:
        came_from = data.get("fromColumnId")
        if came_from:
            _moved(add, card["id"], came_from, card["columnId"], done_column)
        if "assigneeId" in data.get("fields", ()) and card.get("assigneeId"):
            add(TASK_ASSIGNED, card["id"], userId=card["assigneeId"])
    elif kind in ("checklist_item_updated", "checklist_item_deleted"):
        item = data.get("item") or {}
        ticked = item.get("done") if kind == "checklist_item_updated" else not item.get("done")
        if ticked and data.get("progress") == 100:
            add(CHECKLIST_COMPLETE, data["cardId"])
    return found


def _moved(add: Any, card_id: Any, before: Any, after: Any, done: str | None) -> None:
    if before is None or after is None or before == after:
        return
    add(TASK_MOVED, card_id, fromColumnId=before, toColumnId=after)
    was, now = _status(before, done), _status(after, done)
    if was != now:
        add(TASK_STATUS_CHANGED, card_id, **{"from": was, "to": now})
