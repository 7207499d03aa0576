"""A new card, written as steps (`events.transact`), like a move: the board's seq
claimed first (its lock), the caller's access, the column with its WIP count, the
card's place at the bottom, the row, its checklist, the card rendered, its event and
the notifications, in one hop to SQLite's thread or one transaction on PostgreSQL.
Through the ORM a card cost about ten times a move."""

from __future__ import annotations

import uuid
from typing import Any

from models import Card, Notification
from services import sql
from services.actors import Actor
from services.boards import moves, notify
from services.boards.card_rules import (
    assigned_steps,
    assignee_steps,
    check_dates,
    checklist_steps,
    column_steps,
)
from services.boards.locate import ProjectRef, claimed_project, room_of
from services.boards.ordering import Drop, place_steps
from services.boards.views import cards_steps
from services.events import UnitOfWork, transact

_CARD_COLUMNS = (
    "id",
    "project_id",
    "column_id",
    "title",
    "description",
    "priority",
    "start_date",
    "due_date",
    "assignee_id",
    "position",
    "archived",
    "archived_at",
    "version",
    "estimate",
    "poker_session_id",
    "poker_story_id",
    "created_by_id",
    "created_at",
    "updated_at",
)
_INSERT = (
    f"INSERT INTO cards ({', '.join(_CARD_COLUMNS)}) VALUES ({sql.marks(list(_CARD_COLUMNS))})"
)


def _row(card: Card) -> tuple[Any, ...]:
    return tuple(sql.param(getattr(card, name)) for name in _CARD_COLUMNS)


def _create(
    uow: UnitOfWork, actor: Actor, ref: ProjectRef, column_id: Any, fields: dict[str, Any]
) -> sql.Steps[dict[str, Any]]:
    access, seq = yield from claimed_project(uow, actor, ref)
    pid = access.project.id
    column = yield from column_steps(pid, column_id)
    column.require_room()
    target = column.id
    placement = yield from place_steps(target, Drop())
    now = sql.now()
    card = Card(
        id=uuid.uuid4(),
        project_id=pid,
        column_id=target,
        title=fields["title"],
        description=fields.get("description") or "",
        priority=fields.get("priority"),
        start_date=fields.get("start_date"),
        due_date=fields.get("due_date"),
        assignee_id=(yield from assignee_steps(pid, fields.get("assignee_id"))),
        estimate=fields.get("estimate"),
        position=placement.position,
        archived=False,
        archived_at=None,
        version=1,
        poker_session_id=None,
        poker_story_id=None,
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    check_dates(card)
    yield sql.stmt(_INSERT, *_row(card))
    yield from checklist_steps(card.id, fields.get("checklist") or [])
    [rendered] = yield from cards_steps([card])
    room = room_of(access)
    if placement.renumbered:
        keys = moves.renumbered(target, placement.renumbered)
        yield from uow.append_steps(room, seq, "column_renumbered", keys, actor)
        seq = yield from uow.claim_steps(room)
    yield from uow.append_steps(room, seq, "card_created", {"card": rendered}, actor)
    notes: list[Notification] = yield from notify.activity_steps(
        type="card_created",
        actor=actor,
        project_id=pid,
        card_id=card.id,
        meta={"title": card.title, "column": column.name},
    )
    notes += yield from assigned_steps(actor, card, None)
    uow.record(*notify.created(notes))
    return rendered


async def create_card(
    *, actor: Actor, ref: ProjectRef, column_id: Any, fields: dict[str, Any]
) -> dict[str, Any]:
    """A new card at the bottom of its column. `fields`: title and optionally
    description, priority, start_date, due_date, assignee_id, estimate, checklist."""
    return await transact(lambda uow: _create(uow, actor, ref, column_id, fields))
