"""REST for cards: list, create, read, change (and move, archive), delete, and the trash."""

from __future__ import annotations

from typing import Any

from server.api.card_schemas import CardCreate, CardListQuery, CardPublic, CardUpdate
from server.api.routing import Api, Call
from server.api.shared import BOARD, Ok, project_ref
from services.boards import cards, trash
from services.scopes import PROJECTS_READ, PROJECTS_WRITE

api = Api("cards")


@api.route(
    "GET",
    f"{BOARD}/cards",
    summary="The project's cards in board order (archived=true lists the archived ones)",
    query=CardListQuery,
    response=list[CardPublic],
    scope=PROJECTS_READ,
    errors=(403, 404),
)
async def list_cards(call: Call) -> Any:
    query: CardListQuery = call.query
    return await cards.list_cards(
        actor=call.user,
        ref=project_ref(call),
        column_id=query.column_id,
        archived=query.archived == "true",
    )


@api.route(
    "POST",
    f"{BOARD}/columns/{{column_id}}/cards",
    summary="Create a card at the bottom of a column",
    body=CardCreate,
    response=CardPublic,
    status=201,
    scope=PROJECTS_WRITE,
    errors=(403, 404, 409),
)
async def create_card(call: Call) -> Any:
    body: CardCreate = call.body
    return await cards.create_card(
        actor=call.user,
        ref=project_ref(call),
        column_id=call.path["column_id"],
        fields=body.fields(),
    )


@api.route(
    "GET",
    f"{BOARD}/cards/{{card_id}}",
    summary="One card",
    response=CardPublic,
    scope=PROJECTS_READ,
    errors=(403, 404),
)
async def get_card(call: Call) -> Any:
    return await cards.get_card(
        actor=call.user, ref=project_ref(call), card_id=call.path["card_id"]
    )


@api.route(
    "PATCH",
    f"{BOARD}/cards/{{card_id}}",
    summary=(
        "Change any card field (null clears); columnId/order/afterId/beforeId move it, "
        "archived archives it; a stale version answers 409 with the current card"
    ),
    body=CardUpdate,
    response=CardPublic,
    scope=PROJECTS_WRITE,
    errors=(403, 404, 409),
)
async def update_card(call: Call) -> Any:
    body: CardUpdate = call.body
    return await cards.update_card(
        actor=call.user,
        ref=project_ref(call),
        card_id=call.path["card_id"],
        changes=body.changes(),
        version=body.version,
    )


@api.route(
    "DELETE",
    f"{BOARD}/cards/{{card_id}}",
    summary="Delete a card permanently",
    response=Ok,
    scope=PROJECTS_WRITE,
    errors=(403, 404),
)
async def delete_card(call: Call) -> Any:
    return await cards.delete_card(
        actor=call.user, ref=project_ref(call), card_id=call.path["card_id"]
    )


@api.route(
    "GET",
    f"{BOARD}/trash",
    summary="Archived cards, the most recently archived first",
    response=list[CardPublic],
    scope=PROJECTS_READ,
    errors=(403, 404),
)
async def list_trash(call: Call) -> Any:
    return await trash.list_trash(actor=call.user, ref=project_ref(call))


@api.route(
    "POST",
    f"{BOARD}/cards/{{card_id}}/restore",
    summary="Put an archived card back at the bottom of its column",
    response=CardPublic,
    scope=PROJECTS_WRITE,
    errors=(403, 404, 409),
)
async def restore_card(call: Call) -> Any:
    return await trash.restore_card(
        actor=call.user, ref=project_ref(call), card_id=call.path["card_id"]
    )
