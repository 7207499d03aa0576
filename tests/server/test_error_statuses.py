"""Each API's own error table: the boards API (seed 001) has no 422, so invalid input
of any kind is 400 there; the poker API (seed 000) keeps 422."""

from __future__ import annotations

import json

import httpx
import pytest

from server.errors import is_poker_path, render
from services.errors import Invalid, ValidationFailed, invalid_field
from tests.factories import bearer, create_board, jwt_for


@pytest.mark.parametrize(
    "error",
    [
        Invalid("startDate must not be after dueDate"),
        ValidationFailed("title: too long"),
        invalid_field("cards.3.columnIndex", "names no column"),
    ],
)
def test_invalid_input_renders_per_api(error: Invalid) -> None:
    boards = render("/api/orgs/acme/workspaces/eng/projects/p/cards/c", error)
    assert boards.status_code == 400
    body = json.loads(bytes(boards.body))
    assert (body["statusCode"], body["error"]) == (400, "Bad Request")
    assert body["message"] == error.message
    poker = render("/api/sessions/ABC234/stories", error)
    assert poker.status_code == 422
    assert json.loads(bytes(poker.body))["success"] is False


async def test_the_schema_lists_no_422_outside_the_poker_api(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/api/openapi.json")).json()
    listed = {
        (method, path): set(op["responses"])
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
    }
    boards = {key: codes for key, codes in listed.items() if not is_poker_path(key[1])}
    assert not [key for key, codes in boards.items() if "422" in codes]
    assert "422" in listed[("post", "/api/sessions/{code}/stories")]
    assert (
        "400"
        in listed[
            (
                "patch",
                "/api/orgs/{org_slug}/workspaces/{ws_slug}/projects/{project_id}/cards/{card_id}",
            )
        ]
    )


async def test_rule_violations_on_board_paths_are_400(client: httpx.AsyncClient) -> None:
    board = await create_board()
    auth = bearer(jwt_for(board.owner))
    made = await client.post(
        f"{board.base}/columns/{board.columns[0].id}/cards",
        json={"title": "t", "dueDate": "2026-04-01"},
        headers=auth,
    )
    url = f"{board.base}/cards/{made.json()['id']}"
    # A start date after the due date the card already has.
    late = await client.patch(url, json={"startDate": "2026-05-01"}, headers=auth)
    assert late.json() == {
        "statusCode": 400,
        "message": "startDate must not be after dueDate",
        "error": "Bad Request",
    }
    # An assignee id that is not even an id.
    odd = await client.patch(url, json={"assigneeId": "someone"}, headers=auth)
    assert (odd.status_code, odd.json()["statusCode"]) == (400, 400)
    # A query of the wrong shape.
    listed = await client.get(f"{board.base}/cards?archived=maybe", headers=auth)
    assert (listed.status_code, listed.json()["error"]) == (400, "Bad Request")
