"""Custom fields over REST: definitions, typed values on cards, and what deletion clears."""

from __future__ import annotations

from typing import Any

import httpx

from models import CustomFieldValue
from tests.card_details import captured, make_card, of_type, pat_headers
from tests.factories import add_member, bearer, create_board, create_user, jwt_for


async def _field(client: httpx.AsyncClient, base: str, headers: Any, **body: Any) -> dict[str, Any]:
    res = await client.post(f"{base}/custom-fields", json=body, headers=headers)
    assert res.status_code == 201, res.text
    created: dict[str, Any] = res.json()
    return created


async def test_values_are_checked_against_their_type(client: httpx.AsyncClient) -> None:
    board = await create_board()
    card = await make_card(board)
    h = bearer(jwt_for(board.owner))
    size = await _field(client, board.base, h, name="Size", type="select", options=["S", "M", "L"])
    tags = await _field(client, board.base, h, name="Tags", type="multi-select", options=["a", "b"])
    points = await _field(client, board.base, h, name="Points", type="number")
    due = await _field(client, board.base, h, name="Review", type="date")
    ok = await _field(client, board.base, h, name="Signed", type="boolean")
    note = await _field(client, board.base, h, name="Note", type="text")
    assert size["options"] == ["S", "M", "L"] and points["options"] == []
    url = f"{board.base}/cards/{card.id}/custom-fields"
    good = {
        size["id"]: "M",
        tags["id"]: ["a", "b"],
        points["id"]: 3.5,
        due["id"]: "2026-04-01",
        ok["id"]: True,
        note["id"]: "hello",
    }
    with captured() as seen:
        res = await client.patch(url, json=good, headers=h)
    assert res.status_code == 200, res.text
    assert res.json() == {"cardId": str(card.id), "values": good}
    assert of_type(seen, "card_custom_fields_changed") == [res.json()]
    bad_values = [
        (size, "XL"),
        (size, ["S"]),
        (tags, ["c"]),
        (tags, "a"),
        (tags, ["a", "a"]),
        (points, "3"),
        (points, True),
        (due, "next week"),
        (due, 20260401),
        (ok, "true"),
        (note, 5),
    ]
    for f, value in bad_values:
        res = await client.patch(url, json={f["id"]: value}, headers=h)
        assert res.status_code == 400, (f["type"], value)
        assert res.json()["message"].startswith(f["name"] + ":")
        assert f["id"] in res.json()["errors"]
    res = await client.patch(url, json={size["id"]: None, points["id"]: 8}, headers=h)
    values = res.json()["values"]
    assert size["id"] not in values and values[points["id"]] == 8
    assert (await client.get(url, headers=h)).json()["values"] == values
    res = await client.delete(f"{board.base}/custom-fields/{points['id']}", headers=h)
    assert res.json() == {"ok": True}
    assert points["id"] not in (await client.get(url, headers=h)).json()["values"]


async def test_a_text_value_with_a_nul_character_is_400_on_every_backend(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    card = await make_card(board)
    h = bearer(jwt_for(board.owner))
    note = await _field(client, board.base, h, name="Note", type="text")
    url = f"{board.base}/cards/{card.id}/custom-fields"
    res = await client.patch(url, json={note["id"]: "a\x00b"}, headers=h)
    assert res.status_code == 400, res.text
    assert res.json()["errors"] == {note["id"]: ["must not contain NUL characters"]}
    assert (await client.get(url, headers=h)).json()["values"] == {}


async def test_definitions_are_validated(client: httpx.AsyncClient) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    url = f"{board.base}/custom-fields"
    for body in (
        {"name": "X", "type": "color"},
        {"name": "X", "type": "select"},
        {"name": "X", "type": "select", "options": []},
        {"name": "X", "type": "select", "options": ["a", "a"]},
        {"name": "X", "type": "select", "options": [str(n) for n in range(51)]},
        {"name": "X", "type": "text", "options": ["a"]},
        {"name": "", "type": "text"},
        {"type": "text"},
    ):
        assert (await client.post(url, json=body, headers=h)).status_code == 400, body


async def test_changing_options_clears_values_that_no_longer_fit(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    card = await make_card(board)
    h = bearer(jwt_for(board.owner))
    size = await _field(client, board.base, h, name="Size", type="select", options=["S", "M"])
    await client.patch(
        f"{board.base}/cards/{card.id}/custom-fields", json={size["id"]: "M"}, headers=h
    )
    with captured() as seen:
        res = await client.patch(
            f"{board.base}/custom-fields/{size['id']}", json={"options": ["S", "L"]}, headers=h
        )
    assert res.status_code == 200
    assert res.json()["options"] == ["S", "L"]
    assert of_type(seen, "custom_field_updated")[0]["clearedCardIds"] == [str(card.id)]
    assert await CustomFieldValue.all().count() == 0


async def test_permissions_and_other_projects(client: httpx.AsyncClient) -> None:
    board, other = await create_board(), await create_board()
    card, foreign_card = await make_card(board), await make_card(other)
    h = bearer(jwt_for(board.owner))
    theirs = await _field(client, other.base, bearer(jwt_for(other.owner)), name="T", type="text")
    res = await client.patch(
        f"{board.base}/cards/{card.id}/custom-fields", json={theirs["id"]: "x"}, headers=h
    )
    assert res.status_code == 404
    mine = await _field(client, board.base, h, name="M", type="text")
    res = await client.patch(
        f"{board.base}/cards/{foreign_card.id}/custom-fields", json={mine["id"]: "x"}, headers=h
    )
    assert res.status_code == 404
    member = await create_user()
    await add_member(board, member)
    mh = bearer(jwt_for(member))
    res = await client.post(
        f"{board.base}/custom-fields", json={"name": "N", "type": "text"}, headers=mh
    )
    assert res.status_code == 403
    res = await client.patch(
        f"{board.base}/cards/{card.id}/custom-fields",
        json={mine["id"]: "set by a member"},
        headers=mh,
    )
    assert res.status_code == 200
    reader = await pat_headers(board.owner, "projects:read")
    res = await client.patch(
        f"{board.base}/cards/{card.id}/custom-fields", json={mine["id"]: "x"}, headers=reader
    )
    assert res.status_code == 403
    res = await client.patch(f"{board.base}/cards/{card.id}/custom-fields", json=[1], headers=h)
    assert res.status_code == 400
