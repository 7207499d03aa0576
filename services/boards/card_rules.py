"""What a card's fields must satisfy, and how its checklist and its assignment are
written: one definition for a new card (`new_card`, as steps) and a changed one
(`cards.update_card`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from models import Card, Notification
from services import sql
from services.actors import Actor
from services.boards import notify
from services.boards.access import parse_id
from services.boards.columns import check_room
from services.errors import Invalid, NotFound

# A column of the project, and how many live cards it holds when it has a WIP limit.
_COLUMN = """
SELECT c.id, c.name, c.wip_limit,
       CASE WHEN c.wip_limit IS NULL THEN 0 ELSE
         (SELECT COUNT(*) FROM cards k WHERE k.column_id = c.id AND k.archived = ?) END AS live
FROM columns c WHERE c.id = ? AND c.project_id = ?
"""
_MEMBER = "SELECT 1 AS found FROM project_members WHERE project_id = ? AND user_id = ?"
_ITEM = 'INSERT INTO checklist_items (id, card_id, title, done, "order", created_at) VALUES '


@dataclass(frozen=True)
class Target:
    """A column a card is put into."""

    id: uuid.UUID
    name: str
    wip_limit: int | None
    live: int

    def require_room(self) -> None:
        """Refuse one more card past the column's WIP limit."""
        check_room(self.name, self.wip_limit, self.live)


def column_steps(project_id: uuid.UUID, column_id: Any) -> sql.Steps[Target]:
    """A column of this project; any other id is simply not found."""
    wanted = parse_id(column_id, "Column")
    found = yield sql.stmt(_COLUMN, False, str(wanted), str(project_id))
    if not found:
        raise NotFound("Column not found")
    row = found[0]
    return Target(wanted, row["name"], row["wip_limit"], int(row["live"]))


def assignee_steps(project_id: uuid.UUID, assignee_id: Any) -> sql.Steps[uuid.UUID | None]:
    """The assignee's id, who must be a member of the project; None for nobody."""
    if assignee_id is None:
        return None
    try:
        uid = uuid.UUID(str(assignee_id))
    except ValueError:
        raise Invalid("assigneeId must be a member of the project") from None
    if not (yield sql.stmt(_MEMBER, str(project_id), str(uid))):
        raise Invalid("assigneeId must be a member of the project")
    return uid


def check_dates(card: Card) -> None:
    if card.start_date and card.due_date and card.start_date > card.due_date:
        raise Invalid("startDate must not be after dueDate")


def checklist_steps(card_id: uuid.UUID, items: list[dict[str, Any]]) -> sql.Steps[None]:
    """Write `items` as the card's checklist (the card has none yet), in one statement."""
    if not items:
        return
    at = sql.now()
    args: list[Any] = []
    for i, item in enumerate(items):
        order = item["order"] if item.get("order") is not None else i
        done = bool(item.get("done", False))
        # A microsecond apart, as rows made one after another: items of equal order keep
        # the order they were sent in.
        made: datetime = at + timedelta(microseconds=i)
        args += [str(uuid.uuid4()), str(card_id), item["title"], done, order, made]
    yield sql.stmt(_ITEM + ", ".join(["(?, ?, ?, ?, ?, ?)"] * len(items)), *args)


def assigned_steps(
    actor: Actor, card: Card, before: uuid.UUID | None
) -> sql.Steps[list[Notification]]:
    """The new assignee hears of it (not someone assigned already)."""
    if card.assignee_id is None or card.assignee_id == before:
        return []
    return (
        yield from notify.activity_steps(
            type="card_assigned",
            actor=actor,
            project_id=card.project_id,
            card_id=card.id,
            meta={"title": card.title},
            recipients=[card.assignee_id],
        )
    )
