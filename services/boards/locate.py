"""Where a board change lands: the project named by a REST path or by a socket, the
caller's access to it, the board's lock, and cards looked up only inside the project."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from models import Card, Room
from services import sql
from services.actors import Actor
from services.boards.access import (
    ProjectAccess,
    access_steps,
    access_with_seq_steps,
    board_room,
    find_in,
    parse_id,
)
from services.errors import Conflict, NotFound
from services.events import UnitOfWork


@dataclass(frozen=True)
class ProjectRef:
    """A project as the edge named it: REST gives org and workspace slugs too, a socket
    only the project id. Both resolve through the same access rule."""

    project_id: Any
    org_slug: str | None = None
    ws_slug: str | None = None


def _slugs(ref: ProjectRef) -> tuple[str, str] | None:
    if ref.org_slug is not None and ref.ws_slug is not None:
        return ref.org_slug, ref.ws_slug
    return None


async def board_access(actor: Actor, ref: ProjectRef) -> ProjectAccess:
    """The caller's access to the project. A writer asks `locked_project` or
    `claimed_project` instead, inside its transaction."""
    return await sql.drive(board_access_steps(actor, ref))


def board_access_steps(actor: Actor, ref: ProjectRef) -> sql.Steps[ProjectAccess]:
    """`board_access` as steps, for a read that goes on in the same hop."""
    return access_steps(actor, ref.project_id, _slugs(ref))


async def lock_board(uow: UnitOfWork, project_id: uuid.UUID) -> None:
    """Serialize the board's writers; the room row is made on first use without racing
    another first writer (the insert ignores a row that appeared meanwhile)."""
    room = board_room(project_id)
    if not await uow.lock(room):
        await Room.bulk_create([Room(key=room, seq=0)], ignore_conflicts=True)
        await uow.lock(room)


async def locked_project(uow: UnitOfWork, actor: Actor, ref: ProjectRef) -> ProjectAccess:
    """Write access to the project, read once its board is locked for this transaction,
    so a removal committed meanwhile is seen. Every board writer starts here."""
    await lock_board(uow, parse_id(ref.project_id, "Project"))
    return await board_access(actor, ref)


def claimed_project(
    uow: UnitOfWork, actor: Actor, ref: ProjectRef
) -> sql.Steps[tuple[ProjectAccess, int]]:
    """The same, for a writer written as steps (`events.transact`): the board is locked
    by claiming its next seq in the same statement. The writer logs an event with that
    seq or fails and rolls back, since a claimed seq left unused would be a gap in the
    room's log."""
    seq = yield from uow.claim_steps(board_room(parse_id(ref.project_id, "Project")))
    access = yield from access_steps(actor, ref.project_id, _slugs(ref))
    return access, seq


def seen_project(actor: Actor, ref: ProjectRef) -> sql.Steps[tuple[int | None, ProjectAccess]]:
    """PostgreSQL, for a writer that takes no lock (see a move's): the caller's access
    and the board's seq, from one snapshot. The writer claims the next seq only if it is
    still this one (`events.UnitOfWork.append_if_unchanged`)."""
    return (yield from access_with_seq_steps(actor, ref.project_id, _slugs(ref)))


def room_of(access: ProjectAccess) -> str:
    return board_room(access.project_id)


async def card_in(project_id: uuid.UUID, card_id: Any) -> Card:
    """A card of this project; any other id is simply not found."""
    return await find_in(Card, "Card", card_id, project_id=project_id)


def card_row_steps(
    project_id: uuid.UUID, card_id: Any, columns: str = "id"
) -> sql.Steps[dict[str, Any]]:
    """`card_in` as a step: the card's `columns`, when the card is on this project; any
    other id is simply not found."""
    cid = parse_id(card_id, "Card")
    rows = yield sql.stmt(
        f"SELECT {columns} FROM cards WHERE id = ? AND project_id = ?", str(cid), str(project_id)
    )
    if not rows:
        raise NotFound("Card not found")
    return rows[0]


def stale_card(current: dict[str, Any]) -> Conflict:
    """What a writer who named a card's version gets once someone else changed it: the
    card as it is now, so the client can merge and retry."""
    return Conflict(
        "This card was changed by someone else; review the current version",
        details={"current": current},
    )
