"""Shared lookups for what hangs off a card (comments, attachments, labels, fields,
relations, checklists): the project a request names, and rows looked up only inside it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from models import Card, OrgMember, Project, ProjectMember, Workspace, WorkspaceMember
from services.actors import Actor
from services.boards.access import ProjectAccess, board_room, parse_id
from services.boards.locate import ProjectRef, board_access, lock_board
from services.errors import NotFound
from services.events import UnitOfWork

__all__ = ["ProjectRef", "card_in", "iso", "locked_project", "resolve", "room_of", "who_can_see"]


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


async def resolve(actor: Actor, ref: ProjectRef, *, write: bool = False) -> ProjectAccess:
    return await board_access(actor, ref, write=write)


async def locked_project(uow: UnitOfWork, actor: Actor, ref: ProjectRef) -> ProjectAccess:
    """Write access to the project, with its board room locked for this transaction."""
    access = await board_access(actor, ref, write=True)
    await lock_board(uow, access.project.id)
    return access


def room_of(access: ProjectAccess) -> str:
    return board_room(access.project.id)


async def card_in(project: Project, card_id: Any) -> Card:
    """A card of this project; another project's card is simply not found."""
    card = await Card.filter(id=parse_id(card_id, "Card"), project_id=project.id).first()
    if card is None:
        raise NotFound("Card not found")
    return card


async def who_can_see(project: Project, user_ids: Iterable[uuid.UUID | None]) -> set[uuid.UUID]:
    """The users among `user_ids` who may still open this project (members, or admins above)."""
    wanted = {u for u in user_ids if u is not None}
    if not wanted:
        return set()
    members = await ProjectMember.filter(project_id=project.id, user_id__in=wanted).values_list(
        "user_id", flat=True
    )
    seen = {uuid.UUID(str(u)) for u in members}
    rest = wanted - seen
    if rest:
        ws_admins = await WorkspaceMember.filter(
            workspace_id=project.workspace_id, user_id__in=rest, role="admin"
        ).values_list("user_id", flat=True)
        seen |= {uuid.UUID(str(u)) for u in ws_admins}
        rest -= seen
    if rest:
        ws = await Workspace.get(id=project.workspace_id)
        org_admins = await OrgMember.filter(
            org_id=ws.org_id, user_id__in=rest, role__in=("owner", "admin")
        ).values_list("user_id", flat=True)
        seen |= {uuid.UUID(str(u)) for u in org_admins}
    return seen
