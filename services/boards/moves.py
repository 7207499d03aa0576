"""Moving a card: the placement step, and `card_moved`, which tells the board only what
changed (the card's column, key, neighbours and version), never the whole card.

A drag on the board is the hottest write there is, so `move_card` is a few plain
statements in one transaction: claim the room's next seq (which locks the board), read
the caller's access, read the card with the columns it leaves and enters, read its two
new neighbours, rewrite the four columns that change, append the event. It is written
as steps (`events.transact`), so on SQLite it runs in one hop to the database's thread
and shares its commit with the writes that arrive meanwhile.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models import Card, Notification
from services import sql
from services.actors import Actor
from services.boards import notify
from services.boards.access import ProjectAccess, parse_id
from services.boards.columns import check_room
from services.boards.locate import (
    ProjectRef,
    card_in,
    claimed_project,
    room_of,
    seen_project,
    stale_card,
)
from services.boards.ordering import (
    Drop,
    Edge,
    Placement,
    RenumberingNeeded,
    Slot,
    place_steps,
)
from services.boards.views import card_public
from services.errors import Conflict, NotFound
from services.events import UnitOfWork, transact, transact_unless_raced
from services.timefmt import iso


def require_live(archived: bool) -> None:
    if archived:
        raise Conflict("Restore the card from the trash before moving it")


def drop_of(
    *, after_id: Any = None, before_id: Any = None, order: Any = None, edge: Edge = "bottom"
) -> Drop:
    """The drop a client asked for; a named card that is not a card id is not found."""
    return Drop(
        after_id=parse_id(after_id, "Card") if after_id is not None else None,
        before_id=parse_id(before_id, "Card") if before_id is not None else None,
        order=int(order) if order is not None else None,
        edge=edge,
    )


def moved(
    card_id: uuid.UUID,
    from_column: uuid.UUID,
    placement: Placement,
    to_column: uuid.UUID,
    version: int,
    updated_at: datetime,
) -> dict[str, Any]:
    """`card_moved`'s data, and a move's answer: the card's column before and after, its
    key and neighbours there, its version and when it changed."""
    return {
        "cardId": str(card_id),
        "fromColumnId": str(from_column),
        "columnId": str(to_column),
        "position": placement.position,
        "afterId": str(placement.above) if placement.above else None,
        "beforeId": str(placement.below) if placement.below else None,
        "version": version,
        "updatedAt": iso(updated_at),
    }


def renumbered(column_id: uuid.UUID, keys: dict[uuid.UUID, str]) -> dict[str, Any]:
    """`column_renumbered`'s data: the column's new keys, told before the move that
    needed them."""
    positions = [{"id": str(cid), "position": key} for cid, key in keys.items()]
    return {"columnId": str(column_id), "positions": positions}


def notify_moved(
    actor: Actor, card: Card | _Moving, from_name: str, to_name: str
) -> sql.Steps[list[Notification]]:
    """A card that changed column is news for the project; reordering is not."""
    return notify.activity_steps(**_news(actor, card, from_name, to_name))


def _news(actor: Actor, card: Card | _Moving, from_name: str, to_name: str) -> dict[str, Any]:
    """What the project hears of a card that changed column."""
    return {
        "type": "card_moved",
        "actor": actor,
        "project_id": card.project_id,
        "card_id": card.id,
        "meta": {"title": card.title, "fromColumn": from_name, "toColumn": to_name},
    }


@dataclass(frozen=True)
class _Target:
    id: uuid.UUID
    name: str
    wip_limit: int | None
    live: int  # its live cards, counted only when it has a limit and the card is new there


@dataclass(frozen=True)
class _Moving:
    """The card as a move needs it, with the column it is in and the one it is asked into."""

    id: uuid.UUID
    project_id: uuid.UUID
    column_id: uuid.UUID
    column_name: str
    position: str
    version: int
    archived: bool
    title: str
    updated_at: datetime
    target: _Target | None  # None when no column of this project has that id


_MOVING = """
SELECT c.column_id, c.position, c.version, c.archived, c.title, c.updated_at,
       f.name AS from_name, t.id AS to_id, t.name AS to_name, t.wip_limit AS to_wip,
       CASE WHEN t.wip_limit IS NULL OR t.id = c.column_id THEN 0
            ELSE (SELECT COUNT(*) FROM cards n WHERE n.column_id = t.id AND n.archived = FALSE)
       END AS to_live
FROM cards c
JOIN columns f ON f.id = c.column_id
LEFT JOIN columns t ON t.id = ? AND t.project_id = c.project_id
WHERE c.id = ? AND c.project_id = ?
"""
_UPDATED_AT = Card._meta.fields_map["updated_at"]


def _moving(project_id: uuid.UUID, card_id: Any, column_id: Any) -> sql.Steps[_Moving]:
    cid = parse_id(card_id, "Card")
    try:
        target_id: str | None = str(uuid.UUID(str(column_id)))
    except ValueError:
        target_id = None  # not found either, once the card is
    rows = yield sql.stmt(_MOVING, target_id, str(cid), str(project_id))
    if not rows:
        raise NotFound("Card not found")
    row = rows[0]
    target = None
    if row["to_id"] is not None:
        target = _Target(
            id=uuid.UUID(str(row["to_id"])),
            name=row["to_name"],
            wip_limit=row["to_wip"],
            live=int(row["to_live"]),
        )
    return _Moving(
        id=cid,
        project_id=project_id,
        column_id=uuid.UUID(str(row["column_id"])),
        column_name=row["from_name"],
        position=str(row["position"]),
        version=int(row["version"]),
        archived=bool(row["archived"]),
        title=row["title"],
        updated_at=_UPDATED_AT.to_python_value(row["updated_at"]),
        target=target,
    )


def _write(
    uow: UnitOfWork,
    room: str,
    seq: int,
    card: _Moving,
    target: _Target,
    placement: Placement,
    actor: Actor,
) -> sql.Steps[dict[str, Any]]:
    """Rewrite only the columns a move changes, and log it with the seq claimed first
    (after the column's new keys, when it had to be renumbered)."""
    now, version = sql.now(), card.version + 1
    update = sql.stmt(
        "UPDATE cards SET column_id = ?, position = ?, version = ?, updated_at = ? WHERE id = ?"
        " RETURNING id",
        str(target.id),
        placement.position,
        version,
        now,
        str(card.id),
    )
    answer = moved(card.id, card.column_id, placement, target.id, version, now)
    if not placement.renumbered:
        # The row and its event in one statement on PostgreSQL.
        yield from uow.append_with(update, room, seq, "card_moved", answer, actor)
        return answer
    yield update
    keys = renumbered(target.id, placement.renumbered)
    yield from uow.append_steps(room, seq, "column_renumbered", keys, actor)
    seq = yield from uow.claim_steps(room)
    yield from uow.append_steps(room, seq, "card_moved", answer, actor)
    return answer


class _Unchanged(Exception):
    """A drop onto the place the card already holds: nothing to write or log, so the
    transaction (and the seq it claimed) rolls back."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer


class _Stale(Exception):
    """The card changed since the version the client named."""

    def __init__(self, project_id: uuid.UUID, card_id: uuid.UUID) -> None:
        self.project_id, self.card_id = project_id, card_id


@dataclass(frozen=True)
class _Asked:
    """The move a caller asked for."""

    actor: Actor
    ref: ProjectRef
    card_id: Any
    column_id: Any
    after_id: Any
    before_id: Any
    version: int | None


@dataclass(frozen=True)
class _Planned:
    """A move judged on what was read: the card, where it goes and its new key."""

    card: _Moving
    target: _Target
    placement: Placement

    @property
    def crossing(self) -> bool:
        return self.target.id != self.card.column_id


def _planned(access: ProjectAccess, asked: _Asked, *, locked: bool = True) -> sql.Steps[_Planned]:
    """Read the card, its columns and its new neighbours, and judge the move; a drop
    onto the place the card holds already is `_Unchanged`. Only with the board `locked`
    are the column's keys renumbered when they have grown too long (see
    `ordering.place_steps`); nothing else here writes."""
    pid = access.project_id
    card = yield from _moving(pid, asked.card_id, asked.column_id)
    if asked.version is not None and asked.version != card.version:
        raise _Stale(pid, card.id)
    require_live(card.archived)
    target = card.target
    if target is None:
        raise NotFound("Column not found")
    crossing = target.id != card.column_id
    if crossing:
        check_room(target.name, target.wip_limit, target.live)
    drop = drop_of(after_id=asked.after_id, before_id=asked.before_id, edge="top")
    staying = None if crossing else Slot(card.id, card.position)
    placement = yield from place_steps(target.id, drop, staying=staying, renumber=locked)
    if placement.stays:
        here = (card.id, card.column_id, placement, target.id)
        raise _Unchanged(moved(*here, card.version, card.updated_at))
    return _Planned(card, target, placement)


def _move(uow: UnitOfWork, asked: _Asked) -> sql.Steps[dict[str, Any]]:
    """The move under the board's lock: claim the seq, read, judge, write."""
    access, seq = yield from claimed_project(uow, asked.actor, asked.ref)
    plan = yield from _planned(access, asked)
    card, target = plan.card, plan.target
    answer = yield from _write(uow, room_of(access), seq, card, target, plan.placement, asked.actor)
    if plan.crossing:
        notes = yield from notify_moved(asked.actor, card, card.column_name, target.name)
        uow.record(*notify.created(notes))
    return answer


_UPDATE_IF_CLAIMED = (
    "UPDATE cards SET column_id = ?::uuid, position = ?::text, version = ?::int,"
    " updated_at = ?::timestamptz FROM claimed WHERE cards.id = ?::uuid RETURNING cards.id"
)


def _move_unless_raced(uow: UnitOfWork, asked: _Asked) -> sql.Steps[dict[str, Any] | None]:
    """PostgreSQL, with no lock held: read access with the board's seq, then the card
    and its neighbours, judge, and write the card, its notifications and the event in
    one statement only if the board's seq has not moved. None when it moved (another
    writer of the board came first) or the column's keys must be renumbered first, and
    nothing was written: then `_move`."""
    seen, access = yield from seen_project(asked.actor, asked.ref)
    if seen is None:
        return None
    try:
        plan = yield from _planned(access, asked, locked=False)
    except RenumberingNeeded:
        return None
    card, target, placement = plan.card, plan.target, plan.placement
    now, version = sql.now(), card.version + 1
    update = sql.stmt(
        _UPDATE_IF_CLAIMED, str(target.id), placement.position, version, now, str(card.id)
    )
    notes: list[Notification] = []
    riders: list[sql.Stmt] = []
    if plan.crossing:
        news = _news(asked.actor, card, card.column_name, target.name)
        notes, riders = yield from notify.activity_riders(**news)
    answer = moved(card.id, card.column_id, placement, target.id, version, now)
    written = yield from uow.append_if_unchanged(
        update, room_of(access), seen, "card_moved", answer, asked.actor, riders
    )
    if written is None:
        return None
    uow.record(*notify.created(notes))
    return answer


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
    `before_id`; naming neither puts it at the top. With `version`, a card changed since
    then is a conflict whose details carry the current card. Answers what `card_moved`
    tells the board. On PostgreSQL it first tries without the lock, as a vote does:
    reads, then one statement that writes only if nobody changed the board in between;
    when somebody did, it moves again under the lock."""
    asked = _Asked(actor, ref, card_id, column_id, after_id, before_id, version)
    try:
        answer = None
        if sql.is_postgres():
            answer = await transact_unless_raced(lambda uow: _move_unless_raced(uow, asked))
        if answer is None:
            answer = await transact(lambda uow: _move(uow, asked))
        return answer
    except _Unchanged as same:
        return same.answer
    except _Stale as stale:
        current = await card_public(await card_in(stale.project_id, stale.card_id))
        raise stale_card(current) from None
