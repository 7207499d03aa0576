"""A board's columns: the workflow stages, their order and their WIP limits.

Reading them is for anyone on the project; shaping the workflow (create, rename,
reorder, limit, delete) is for project admins.
"""

from __future__ import annotations

import uuid
from typing import Any

from models import Card, Column, Scope
from services import sql
from services.actors import Actor
from services.boards.access import find_in, parse_id
from services.boards.locate import ProjectRef, board_access, locked_project, room_of
from services.boards.views import column_public
from services.errors import Conflict, NotFound
from services.events import unit_of_work

MAX_COLUMNS = 50
# The longest a column's name may be, on every face.
NAME_MAX = 100


async def column_in(project_id: uuid.UUID, column_id: Any) -> Column:
    """A column of this project; any other id is simply not found."""
    return await find_in(Column, "Column", column_id, project_id=project_id)


async def ordered_columns(project_id: uuid.UUID) -> list[Column]:
    return await Column.filter(project_id=project_id).order_by("order", "created_at", "id")


_ORDERS = 'SELECT id, "order" FROM columns WHERE project_id = ?'


def column_orders_steps(project_id: uuid.UUID) -> sql.Steps[dict[str, int]]:
    """Each column's place on the board, by its id as text (see `views.board_sorted`)."""
    return {str(r["id"]): r["order"] for r in (yield sql.stmt(_ORDERS, str(project_id)))}


def known_column(column_id: Any, orders: dict[str, int]) -> uuid.UUID:
    """`column_id` if it names one of `orders`' columns; any other is simply not found."""
    cid = parse_id(column_id, "Column")
    if str(cid) not in orders:
        raise NotFound("Column not found")
    return cid


def check_room(name: str, wip_limit: int | None, live: int, *, adding: int = 1) -> None:
    """Refuse a card that would take a column holding `live` cards past its WIP limit."""
    if wip_limit is not None and live + adding > wip_limit:
        raise Conflict(
            f"Column '{name}' is at its WIP limit of {wip_limit}; finish or move a card first"
        )


async def require_room(column: Column, *, adding: int = 1) -> None:
    """The same, counting the column's live cards."""
    if column.wip_limit is not None:
        live = await Card.filter(column_id=column.id, archived=False).count()
        check_room(column.name, column.wip_limit, live, adding=adding)


async def _renumber(columns: list[Column]) -> None:
    for i, col in enumerate(columns):
        if col.order != i:
            col.order = i
            await Column.filter(id=col.id).update(order=i)


async def list_columns(*, actor: Actor, ref: ProjectRef) -> list[dict[str, Any]]:
    acc = await board_access(actor, ref)
    return [column_public(c) for c in await ordered_columns(acc.project.id)]


async def _scope(project_id: uuid.UUID, scope_id: Any) -> uuid.UUID | None:
    """The id of the board scope `scope_id` names in this project; None for none."""
    if scope_id is None:
        return None
    scope: Scope = await find_in(Scope, "Scope", scope_id, project_id=project_id)
    return scope.id


async def create_column(
    *,
    actor: Actor,
    ref: ProjectRef,
    name: str,
    wip_limit: int | None = None,
    scope_id: Any = None,
) -> dict[str, Any]:
    """A new column at the right end; with `scope_id`, inside that scope of the board."""
    async with unit_of_work() as uow:
        acc = await locked_project(uow, actor, ref)
        acc.require_admin()
        pid = acc.project.id
        count = await Column.filter(project_id=pid).count()
        if count >= MAX_COLUMNS:
            raise Conflict(f"A board holds at most {MAX_COLUMNS} columns")
        scope = await _scope(pid, scope_id)
        column = await Column.create(
            project_id=pid, name=name, order=count, wip_limit=wip_limit, scope_id=scope
        )
        rendered = column_public(column)
        await uow.emit(room_of(acc), "column_created", {"column": rendered}, actor)
    return rendered


async def update_column(
    *, actor: Actor, ref: ProjectRef, column_id: Any, changes: dict[str, Any]
) -> dict[str, Any]:
    """`changes` holds only what was sent: name, order (a 0-based target index, clamped),
    wip_limit (None clears it) and scope_id (the board scope it belongs to; None puts it
    back on the whole board only)."""
    async with unit_of_work() as uow:
        acc = await locked_project(uow, actor, ref)
        acc.require_admin()
        pid = acc.project.id
        column = await column_in(pid, column_id)
        data: dict[str, Any] = {}
        if "name" in changes and changes["name"] != column.name:
            column.name = changes["name"]
        if "wip_limit" in changes:
            column.wip_limit = changes["wip_limit"]
        if "scope_id" in changes:
            column.scope_id = await _scope(pid, changes["scope_id"])
        if "order" in changes and changes["order"] != column.order:
            others = [c for c in await ordered_columns(pid) if c.id != column.id]
            at = max(0, min(int(changes["order"]), len(others)))
            others.insert(at, column)
            await _renumber(others)
            data["columns"] = [column_public(c) for c in others]
        column.version += 1
        await column.save(
            update_fields=["name", "wip_limit", "scope_id", "order", "version", "updated_at"]
        )
        data["column"] = column_public(column)
        if "columns" in data:
            data["columns"] = [
                data["column"] if c["id"] == data["column"]["id"] else c for c in data["columns"]
            ]
        await uow.emit(room_of(acc), "column_updated", data, actor)
    rendered: dict[str, Any] = data["column"]
    return rendered


async def delete_column(*, actor: Actor, ref: ProjectRef, column_id: Any) -> dict[str, Any]:
    """Only an empty column goes: its cards (archived ones too) must be moved or deleted
    first, so nothing disappears with it by surprise."""
    async with unit_of_work() as uow:
        acc = await locked_project(uow, actor, ref)
        acc.require_admin()
        pid = acc.project.id
        column = await column_in(pid, column_id)
        cards = await Card.filter(column_id=column.id).count()
        if cards:
            raise Conflict(
                f"Column '{column.name}' still holds {cards} card(s), archived ones included; "
                "move or delete its cards first"
            )
        rendered = column_public(column)
        await column.delete()
        rest = await ordered_columns(pid)
        await _renumber(rest)
        await uow.emit(
            room_of(acc),
            "column_deleted",
            {"column": rendered, "columns": [column_public(c) for c in rest]},
            actor,
        )
    return {"ok": True}
