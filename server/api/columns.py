"""REST for a board's columns: list, create, rename, reorder, limit, delete."""

from __future__ import annotations

from typing import Any

from server.api.card_schemas import ColumnCreate, ColumnPublic, ColumnUpdate
from server.api.routing import Api, Call
from server.api.shared import BOARD, Ok, project_ref
from services.boards import columns
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("columns")


@api.route(
    "POST",
    f"{BOARD}/columns",
    summary="Create a column at the right end of the board (project admins)",
    body=ColumnCreate,
    response=ColumnPublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(403, 404, 409),
)
async def create_column(call: Call) -> Any:
    body: ColumnCreate = call.body
    return await columns.create_column(
        actor=call.user,
        ref=project_ref(call),
        name=body.name,
        wip_limit=body.wip_limit,
        scope_id=body.scope_id,
    )


@api.route(
    "GET",
    f"{BOARD}/columns",
    summary="List the project's columns, ordered by position",
    response=list[ColumnPublic],
    scope=PROJECTS_READ,
    errors=(403, 404),
)
async def list_columns(call: Call) -> Any:
    return await columns.list_columns(actor=call.user, ref=project_ref(call))


@api.route(
    "PATCH",
    f"{BOARD}/columns/{{column_id}}",
    summary="Rename, reorder (order: 0-based index) or limit a column; wipLimit null clears it",
    body=ColumnUpdate,
    response=ColumnPublic,
    scope=PROJECTS_WRITE,
    errors=(403, 404),
)
async def update_column(call: Call) -> Any:
    body: ColumnUpdate = call.body
    return await columns.update_column(
        actor=call.user,
        ref=project_ref(call),
        column_id=call.path["column_id"],
        changes=body.model_dump(exclude_unset=True),
    )


@api.route(
    "DELETE",
    f"{BOARD}/columns/{{column_id}}",
    summary="Delete an empty column; one that still holds cards answers 409",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(403, 404, 409),
)
async def delete_column(call: Call) -> Any:
    return await columns.delete_column(
        actor=call.user, ref=project_ref(call), column_id=call.path["column_id"]
    )
