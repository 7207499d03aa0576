"""Who may read and change a workspace's pilotage, and the workspace's room.

Any member of the workspace (and an organization admin, who sees every workspace) reads
it. The member's pilotage role decides the rest: a reviewer also proposes and reviews
actions; an owner changes everything and applies approved actions. Workspace and
organization admins count as owners: they assign pilotage roles, their own included.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from models import Room, Workspace
from services.actors import Actor
from services.boards.access import WorkspaceAccess, parse_id, workspace_access
from services.errors import Forbidden, NotFound
from services.events import UnitOfWork

Capability = Literal["read", "propose", "review", "write", "apply"]

# The pilotage roles that hold each capability.
GRANTS: dict[Capability, tuple[str, ...]] = {
    "read": ("viewer", "reviewer", "owner"),
    "propose": ("reviewer", "owner"),
    "review": ("reviewer", "owner"),
    "write": ("owner",),
    "apply": ("owner",),
}

_REFUSALS: dict[Capability, str] = {
    "read": "Only members of the workspace can read its pilotage",
    "propose": "Only a pilotage reviewer or owner can propose actions",
    "review": "Only a pilotage reviewer or owner can review actions",
    "write": "Only a pilotage owner can change the pilotage",
    "apply": "Only a pilotage owner can apply actions",
}


def workspace_room(workspace_id: uuid.UUID | str) -> str:
    return f"workspace:{workspace_id}"


@dataclass(frozen=True)
class PilotageAccess:
    ws: WorkspaceAccess
    role: str  # viewer | reviewer | owner, as it counts here

    @property
    def workspace_id(self) -> uuid.UUID:
        return self.ws.workspace.id

    @property
    def org_slug(self) -> str:
        return self.ws.org.org.slug

    @property
    def ws_slug(self) -> str:
        return self.ws.workspace.slug

    @property
    def room(self) -> str:
        return workspace_room(self.ws.workspace.id)

    def may(self, capability: Capability) -> bool:
        return self.role in GRANTS[capability]

    def require(self, capability: Capability) -> None:
        if not self.may(capability):
            raise Forbidden(_REFUSALS[capability])


def effective_role(ws: WorkspaceAccess) -> str:
    if ws.is_admin:
        return "owner"
    return ws.pilotage_role or "viewer"


async def pilotage_access(
    actor: Actor, org_slug: str, ws_slug: str, capability: Capability = "read"
) -> PilotageAccess:
    """The caller's access; a stranger to the workspace gets 404, as for any of it."""
    ws = await workspace_access(actor, org_slug, ws_slug)
    access = PilotageAccess(ws=ws, role=effective_role(ws))
    access.require(capability)
    return access


async def lock_workspace(uow: UnitOfWork, workspace_id: uuid.UUID) -> None:
    """Serialize the workspace's pilotage writers; the room row is made on first use."""
    room = workspace_room(workspace_id)
    if not await uow.lock(room):
        await Room.bulk_create([Room(key=room, seq=0)], ignore_conflicts=True)
        await uow.lock(room)


async def locked_pilotage(
    uow: UnitOfWork, actor: Actor, org_slug: str, ws_slug: str, capability: Capability
) -> PilotageAccess:
    """Access read once the workspace's room is locked for this transaction, so a
    removal or a role change committed meanwhile is seen. Every writer starts here."""
    first = await workspace_access(actor, org_slug, ws_slug)
    await lock_workspace(uow, first.workspace.id)
    return await pilotage_access(actor, org_slug, ws_slug, capability)


async def pilotage_access_by_id(actor: Actor, workspace_id: Any) -> PilotageAccess:
    """The same access from a bare workspace id (the /workspace socket may name only it);
    an id the caller cannot see is not found, whether it exists or not."""
    ws = (
        await Workspace.filter(id=parse_id(workspace_id, "Workspace")).select_related("org").first()
    )
    if ws is None:
        raise NotFound("Workspace not found")
    org = ws.org
    try:
        return await pilotage_access(actor, org.slug, ws.slug)
    except NotFound:
        raise NotFound("Workspace not found") from None


async def left_workspaces(
    uow: UnitOfWork, actor: Actor, user_id: uuid.UUID, workspace_ids: list[uuid.UUID]
) -> None:
    """Tell each workspace's room that the user left it, so their open sockets close."""
    for ws_id in sorted(set(workspace_ids)):
        await uow.emit(workspace_room(ws_id), "member_removed", {"userId": str(user_id)}, actor)
