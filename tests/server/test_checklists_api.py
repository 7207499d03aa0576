"""Checklists over REST: items, order, progress, and the 100-item cap."""

from __future__ import annotations

import httpx

from models import ChecklistItem
from services.boards import checklists
from tests.card_details import captured, make_card, of_type, pat_headers
from tests.factories import bearer, create_board, jwt_for


async def test_items_and_progress(client: httpx.AsyncClient) -> None:
    board = await create_board()
    card = await make_card(board)
    headers = bearer(jwt_for(board.owner))
    url = f"{board.base}/cards/{card.id}/checklist"
    ids = []
    for title in ("Routes", "Tests", "Docs"):
        with captured() as seen:
            res = await client.post(url, json={"title": title}, headers=headers)
        assert res.status_code == 201, res.text
        assert res.json()["progress"] == 0
        assert of_type(seen, "checklist_item_added") == [res.json()]
        ids.append(res.json()["item"]["id"])
    res = await client.patch(f"{url}/{ids[0]}", json={"done": True}, headers=headers)
    assert res.status_code == 200
    assert res.json()["progress"] == 33
    assert res.json()["item"] == {
        "_id": ids[0],
        "id": ids[0],
        "title": "Routes",
        "done": True,
        "order": 0,
    }
    res = await client.patch(
        f"{url}/{ids[2]}", json={"order": 0, "title": "Docs first"}, headers=headers
    )
    assert res.json()["item"]["order"] == 0
    listed = (await client.get(url, headers=headers)).json()
    assert [i["title"] for i in listed["items"]] == ["Docs first", "Routes", "Tests"]
    assert [i["order"] for i in listed["items"]] == [0, 1, 2]
    await client.patch(f"{url}/{ids[1]}", json={"done": True}, headers=headers)
    with captured() as seen:
        res = await client.delete(f"{url}/{ids[2]}", headers=headers)
    assert res.json() == {"ok": True, "progress": 100}
    assert of_type(seen, "checklist_item_deleted")[0]["progress"] == 100


async def test_bad_input_and_strangers(client: httpx.AsyncClient) -> None:
    board, other = await create_board(), await create_board()
    card, foreign = await make_card(board), await make_card(other)
    headers = bearer(jwt_for(board.owner))
    url = f"{board.base}/cards/{card.id}/checklist"
    for body in ({"title": ""}, {"title": "x" * 501}, {}, {"title": "a", "done": 1}):
        assert (await client.post(url, json=body, headers=headers)).status_code == 400, body
    item = (await client.post(url, json={"title": "a"}, headers=headers)).json()["item"]
    for body in ({"done": "yes"}, {"order": -1}, {"order": "1"}, {"weight": 2}):
        res = await client.patch(f"{url}/{item['id']}", json=body, headers=headers)
        assert res.status_code == 400, body
    res = await client.patch(
        f"{board.base}/cards/{foreign.id}/checklist/{item['id']}",
        json={"done": True},
        headers=headers,
    )
    assert res.status_code == 404
    other_card = await make_card(board)
    res = await client.delete(
        f"{board.base}/cards/{other_card.id}/checklist/{item['id']}", headers=headers
    )
    assert res.status_code == 404
    stranger = bearer(jwt_for(other.owner))
    assert (await client.post(url, json={"title": "b"}, headers=stranger)).status_code == 404
    reader = await pat_headers(board.owner, "projects:read")
    assert (await client.post(url, json={"title": "b"}, headers=reader)).status_code == 403
    assert (await client.post(url, json={"title": "b"})).status_code == 401


async def test_at_most_a_hundred_items(client: httpx.AsyncClient) -> None:
    board = await create_board()
    card = await make_card(board)
    await ChecklistItem.bulk_create(
        [
            ChecklistItem(card_id=card.id, title=f"i{n}", order=n)
            for n in range(checklists.MAX_ITEMS)
        ]
    )
    res = await client.post(
        f"{board.base}/cards/{card.id}/checklist",
        json={"title": "one more"},
        headers=bearer(jwt_for(board.owner)),
    )
    assert res.status_code == 409
