"""A workspace's room hears that its document tree changed, so every documents page open
on that workspace reads its tree again.

The event names no document and carries nothing of one: the workspace's room admits
every member, and a project's documents are for the project's members only. Each
reader's own listing decides what it shows.
"""

from __future__ import annotations

import uuid

from models import Document, Workspace
from services.actors import Actor
from services.events import UnitOfWork
from services.pilotage.access import lock_workspace, workspace_room

TREE_CHANGED = "documents_changed"


async def tree_changed(uow: UnitOfWork, doc: Document, actor: Actor | None) -> None:
    """Tell the rooms of the workspaces whose tree shows `doc`: its own workspace's, or
    every workspace of the organization for an organization's document. Called inside
    the change's transaction, after the document's own room was claimed."""
    ids: list[uuid.UUID]
    if doc.scope_type == "organization":
        ids = [w.id for w in await Workspace.filter(org_id=doc.org_id).only("id")]
    elif doc.workspace_id is not None:
        ids = [doc.workspace_id]
    else:
        ids = []
    # In one order, so two writers of organization documents never wait on each other.
    for ws_id in sorted(ids, key=str):
        await lock_workspace(uow, ws_id)
        await uow.emit(workspace_room(ws_id), TREE_CHANGED, {}, actor)
