"""Columns over REST: list, create, rename, reorder, WIP limits, delete, and who may."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from services.tokens import create_token
from tests.factories import (
    add_member,
    bearer,
    create_board,
    jwt_for,
    user_actor,
    user_with_headers,
)


async def _owner_board() -> tuple[Any, dict[str, Any]]:
    board = await create_board()
    return board, bearer(jwt_for(board.owner))


async def test_columns_are_listed_in_order(client: httpx.AsyncClient) -> None:
    board, auth = await _owner_board()
    answer = await client.get(f"{board.base}/columns", headers=auth)
    assert answer.status_code == 200
    body = answer.json()
    assert [c["name"] for c in body] == ["To Do", "Doing", "Done"]
    assert [c["order"] for c in body] == [0, 1, 2]
    assert set(body[0]) == {
        "id",
        "projectId",
        "scopeId",
        "name",
        "order",
        "wipLimit",
        "version",
        "createdAt",
        "updatedAt",
    }
    assert body[0]["createdAt"].endswith("Z")


async def test_create_appends_a_column(client: httpx.AsyncClient) -> None:
    board, auth = await _owner_board()
    answer = await client.post(
        f"{board.base}/columns", json={"name": "In Review", "wipLimit": 3}, headers=auth
    )
    assert answer.status_code == 201
    assert answer.json()["order"] == 3
    assert answer.json()["wipLimit"] == 3
    listed = (await client.get(f"{board.base}/columns", headers=auth)).json()
    assert [c["name"] for c in listed][-1] == "In Review"


async def test_create_refuses_bad_input(client: httpx.AsyncClient) -> None:
    board, auth = await _owner_board()
    url = f"{board.base}/columns"
    for body, field in (
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 5}, "name"),
        ({"name": "A", "wipLimit": 0}, "wipLimit"),
        ({"name": "A", "wipLimit": "3"}, "wipLimit"),
        ({"name": "A", "colour": "red"}, "colour"),
    ):
        answer = await client.post(url, json=body, headers=auth)
        assert answer.status_code == 400, body
        assert answer.json()["statusCode"] == 400
        assert field in answer.json()["errors"], answer.json()
    malformed = await client.post(
        url, content=b"{nope", headers={**auth, "content-type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["message"] == "Malformed JSON body"


async def test_reordering_renumbers_every_column(client: httpx.AsyncClient) -> None:
    board, auth = await _owner_board()
    done = board.columns[2]
    answer = await client.patch(f"{board.base}/columns/{done.id}", json={"order": 0}, headers=auth)
    assert answer.status_code == 200
    assert answer.json()["order"] == 0
    listed = (await client.get(f"{board.base}/columns", headers=auth)).json()
    assert [(c["name"], c["order"]) for c in listed] == [("Done", 0), ("To Do", 1), ("Doing", 2)]


async def test_rename_and_clear_the_wip_limit(client: httpx.AsyncClient) -> None:
    board, auth = await _owner_board()
    url = f"{board.base}/columns/{board.columns[0].id}"
    first = await client.patch(url, json={"name": "Backlog", "wipLimit": 2}, headers=auth)
    assert first.json()["name"] == "Backlog"
    assert first.json()["wipLimit"] == 2
    cleared = await client.patch(url, json={"wipLimit": None}, headers=auth)
    assert cleared.json()["wipLimit"] is None
    assert cleared.json()["name"] == "Backlog"
    assert (await client.patch(url, json={"name": None}, headers=auth)).status_code == 400


async def test_a_column_at_its_wip_limit_refuses_more_cards(client: httpx.AsyncClient) -> None:
    board, auth = await _owner_board()
    col = board.columns[0]
    await client.patch(f"{board.base}/columns/{col.id}", json={"wipLimit": 1}, headers=auth)
    url = f"{board.base}/columns/{col.id}/cards"
    assert (await client.post(url, json={"title": "one"}, headers=auth)).status_code == 201
    refused = await client.post(url, json={"title": "two"}, headers=auth)
    assert refused.status_code == 409
    assert "WIP limit of 1" in refused.json()["message"]
    other = await client.post(
        f"{board.base}/columns/{board.columns[1].id}/cards", json={"title": "x"}, headers=auth
    )
    moved = await client.patch(
        f"{board.base}/cards/{other.json()['id']}", json={"columnId": str(col.id)}, headers=auth
    )
    assert moved.status_code == 409


async def test_delete_only_an_empty_column(client: httpx.AsyncClient) -> None:
    board, auth = await _owner_board()
    todo, doing = board.columns[0], board.columns[1]
    await client.post(f"{board.base}/columns/{todo.id}/cards", json={"title": "x"}, headers=auth)
    refused = await client.delete(f"{board.base}/columns/{todo.id}", headers=auth)
    assert refused.status_code == 409
    assert "move or delete its cards first" in refused.json()["message"]
    gone = await client.delete(f"{board.base}/columns/{doing.id}", headers=auth)
    assert gone.status_code == 200
    assert gone.json() == {"ok": True}
    listed = (await client.get(f"{board.base}/columns", headers=auth)).json()
    assert [(c["name"], c["order"]) for c in listed] == [("To Do", 0), ("Done", 1)]
    again = await client.delete(f"{board.base}/columns/{doing.id}", headers=auth)
    assert again.status_code == 404


async def test_who_may_touch_columns(client: httpx.AsyncClient) -> None:
    board, owner = await _owner_board()
    col = f"{board.base}/columns/{board.columns[0].id}"
    member, member_auth = await user_with_headers()
    await add_member(board, member)
    _, stranger = await user_with_headers()
    _, reader_pat = await create_token(
        actor=user_actor(board.owner), name="ro", scopes=["projects:read"]
    )
    reader = bearer(reader_pat)
    assert (await client.get(f"{board.base}/columns")).status_code == 401
    assert (await client.get(f"{board.base}/columns", headers=stranger)).status_code == 404
    assert (await client.get(f"{board.base}/columns", headers=member_auth)).status_code == 200
    assert (await client.get(f"{board.base}/columns", headers=reader)).status_code == 200
    for method, url, body in (
        ("POST", f"{board.base}/columns", {"name": "X"}),
        ("PATCH", col, {"name": "Y"}),
        ("DELETE", col, None),
    ):
        assert (await client.request(method, url, json=body)).status_code == 401
        assert (await client.request(method, url, json=body, headers=stranger)).status_code == 404
        low = await client.request(method, url, json=body, headers=member_auth)
        assert low.status_code == 403, (method, low.json())
        assert (await client.request(method, url, json=body, headers=reader)).status_code == 403
    other = await create_board()
    foreign = f"{board.base}/columns/{other.columns[0].id}"
    assert (await client.patch(foreign, json={"name": "Z"}, headers=owner)).status_code == 404
    missing = f"{board.base}/columns/{uuid.uuid4()}"
    assert (await client.delete(missing, headers=owner)).status_code == 404
    assert (await client.delete(f"{board.base}/columns/nope", headers=owner)).status_code == 404


async def test_a_column_is_put_in_a_scope_and_taken_out(client: httpx.AsyncClient) -> None:
    board, auth = await _owner_board()
    mine = await client.post(f"{board.base}/scopes", json={"name": "Mobile"}, headers=auth)
    assert mine.status_code == 201, mine.text
    scope_id = mine.json()["id"]
    made = await client.post(
        f"{board.base}/columns", json={"name": "App review", "scopeId": scope_id}, headers=auth
    )
    assert made.status_code == 201, made.text
    column = made.json()
    assert column["scopeId"] == scope_id
    listed = await client.get(f"{board.base}/columns", headers=auth)
    assert [c["scopeId"] for c in listed.json()] == [None, None, None, scope_id]

    out = await client.patch(
        f"{board.base}/columns/{column['id']}", json={"scopeId": None}, headers=auth
    )
    assert out.status_code == 200 and out.json()["scopeId"] is None
    back = await client.patch(
        f"{board.base}/columns/{board.columns[0].id}", json={"scopeId": scope_id}, headers=auth
    )
    assert back.status_code == 200 and back.json()["scopeId"] == scope_id

    # Another board's scope, or no scope at all, is not found here; a wrong type is 400.
    other, other_auth = await _owner_board()
    theirs = await client.post(f"{other.base}/scopes", json={"name": "Theirs"}, headers=other_auth)
    for bad in (theirs.json()["id"], str(uuid.uuid4()), "not-an-id"):
        refused = await client.post(
            f"{board.base}/columns", json={"name": "X", "scopeId": bad}, headers=auth
        )
        assert refused.status_code == 404, refused.text
        assert "Theirs" not in refused.text
    wrong = await client.post(
        f"{board.base}/columns", json={"name": "X", "scopeId": 5}, headers=auth
    )
    assert wrong.status_code == 400
