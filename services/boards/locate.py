"""Where a board change lands: the project named by a REST path or by a socket, the
caller's access to it, and the board's lock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from models import Room
from services.actors import Actor
from services.boards.access import (
    WRITE,
    ProjectAccess,
    board_room,
    project_access,
    project_by_id,
)
from services.events import UnitOfWork


@dataclass(frozen=True)
class ProjectRef:
    """A project as the edge named it: REST gives org and workspace slugs too, a socket
    only the project id. Both resolve through the same access rule."""

    project_id: Any
    org_slug: str | None = None
    ws_slug: str | None = None


async def board_access(actor: Actor, ref: ProjectRef, *, write: bool = False) -> ProjectAccess:
    if ref.org_slug is not None and ref.ws_slug is not None:
        return await project_access(actor, ref.org_slug, ref.ws_slug, ref.project_id, write=write)
    if write:
        actor.require_scope(WRITE)
    return await project_by_id(actor, ref.project_id)


async def lock_board(uow: UnitOfWork, project_id: uuid.UUID) -> None:
    """Serialize the board's writers; the room row is made on first use without racing
    another first writer (the insert ignores a row that appeared meanwhile)."""
    room = board_room(project_id)
    if not await uow.lock(room):
        await Room.bulk_create([Room(key=room, seq=0)], ignore_conflicts=True)
        await uow.lock(room)
