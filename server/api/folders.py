"""REST for folders that organise a user's sessions. Another user's folder is not found."""

from __future__ import annotations

from typing import Any

from server.api.poker_schemas import (
    FolderCreate,
    FolderListResponse,
    FolderResponse,
    FolderUpdate,
    MessageResponse,
    path_id,
)
from server.api.routing import Api, Call
from services.poker import folders
from services.scopes import POKER_READ, POKER_WRITE

api = Api("poker-folders")

_NOT_FOUND = "Folder not found"


@api.route(
    "POST",
    "/folders",
    summary="Create a folder to organise sessions",
    body=FolderCreate,
    response=FolderResponse,
    status=201,
    scope=POKER_WRITE,
    errors=(409,),
)
async def create_folder(call: Call) -> Any:
    body: FolderCreate = call.body
    folder = await folders.create_folder(actor=call.user, name=body.name, color=body.color)
    return {"success": True, "folder": folder}


@api.route(
    "GET",
    "/folders",
    summary="List your folders with their session counts",
    response=FolderListResponse,
    scope=POKER_READ,
)
async def list_folders(call: Call) -> Any:
    return {"success": True, "folders": await folders.list_folders(actor=call.user)}


@api.route(
    "PATCH",
    "/folders/{folder_id}",
    summary="Rename or recolor a folder",
    body=FolderUpdate,
    response=FolderResponse,
    scope=POKER_WRITE,
    errors=(404, 409),
)
async def update_folder(call: Call) -> Any:
    body: FolderUpdate = call.body
    folder = await folders.update_folder(
        actor=call.user,
        folder_id=path_id(call.path["folder_id"], _NOT_FOUND),
        **body.model_dump(exclude_unset=True),
    )
    return {"success": True, "folder": folder}


@api.route(
    "DELETE",
    "/folders/{folder_id}",
    summary="Delete a folder; its sessions stay, unfiled",
    response=MessageResponse,
    scope=POKER_WRITE,
    errors=(404,),
)
async def delete_folder(call: Call) -> Any:
    await folders.delete_folder(
        actor=call.user, folder_id=path_id(call.path["folder_id"], _NOT_FOUND)
    )
    return {"success": True, "message": "Folder deleted"}
