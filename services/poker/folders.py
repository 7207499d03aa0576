"""Folders that organise a user's sessions. Each user sees only their own."""

from __future__ import annotations

from typing import Any

from models import Folder, PokerSession
from services.actors import Actor
from services.auth import require_user
from services.errors import Conflict, NotFound
from services.timefmt import iso

MAX_FOLDERS = 200


def folder_public(folder: Folder, sessions_count: int = 0) -> dict[str, Any]:
    return {
        "id": folder.id,
        "name": folder.name,
        "color": folder.color,
        "sessions_count": sessions_count,
        "created_at": iso(folder.created_at),
        "updated_at": iso(folder.updated_at),
    }


async def _owned(actor: Actor, folder_id: int) -> Folder:
    folder = await Folder.filter(id=folder_id, owner_id=require_user(actor)).first()
    if folder is None:
        raise NotFound("Folder not found")
    return folder


async def create_folder(*, actor: Actor, name: str, color: str | None = None) -> dict[str, Any]:
    user_id = require_user(actor)
    if await Folder.filter(owner_id=user_id).count() >= MAX_FOLDERS:
        raise Conflict(f"You can have at most {MAX_FOLDERS} folders")
    if await Folder.filter(owner_id=user_id, name=name).exists():
        raise Conflict("You already have a folder with that name")
    folder = Folder(owner_id=user_id, name=name)
    if color:
        folder.color = color
    await folder.save()
    return folder_public(folder)


async def list_folders(*, actor: Actor) -> list[dict[str, Any]]:
    folders = await Folder.filter(owner_id=require_user(actor)).order_by("name", "id")
    result = []
    for folder in folders:
        count = await PokerSession.filter(folder_id=folder.id).count()
        result.append(folder_public(folder, count))
    return result


async def update_folder(
    *, actor: Actor, folder_id: int, name: str | None = None, color: str | None = None
) -> dict[str, Any]:
    folder = await _owned(actor, folder_id)
    if name is not None and name != folder.name:
        if await Folder.filter(owner_id=folder.owner_id, name=name).exists():
            raise Conflict("You already have a folder with that name")
        folder.name = name
    if color is not None:
        folder.color = color
    await folder.save()
    return folder_public(folder, await PokerSession.filter(folder_id=folder.id).count())


async def delete_folder(*, actor: Actor, folder_id: int) -> None:
    """Delete the folder; its sessions stay, unfiled."""
    folder = await _owned(actor, folder_id)
    await folder.delete()
