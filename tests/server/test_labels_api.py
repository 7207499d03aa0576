"""Labels over REST: project CRUD, labels on cards, and deletion from every card."""

from __future__ import annotations

import httpx

from models import CardLabel
from tests.card_details import captured, make_card, of_type, pat_headers
from tests.factories import bearer, create_board, jwt_for


async def test_label_lifecycle(client: httpx.AsyncClient) -> None:
    board = await create_board()
    card, other = await make_card(board), await make_card(board, "Second")
    headers = bearer(jwt_for(board.owner))
    with captured() as seen:
        res = await client.post(
            f"{board.base}/labels", json={"name": "Bug", "color": "#FF0000"}, headers=headers
        )
    assert res.status_code == 201, res.text
    label = res.json()
    assert set(label) == {"id", "projectId", "name", "color", "createdAt"}
    assert of_type(seen, "label_created") == [{"label": label}]
    res = await client.patch(
        f"{board.base}/labels/{label['id']}", json={"name": "Defect"}, headers=headers
    )
    assert res.json()["name"] == "Defect" and res.json()["color"] == "#FF0000"
    for c in (card, other):
        with captured() as seen:
            res = await client.post(
                f"{board.base}/cards/{c.id}/labels/{label['id']}", headers=headers
            )
        assert res.status_code == 200
        expected = {
            "cardId": str(c.id),
            "labels": [{"id": label["id"], "name": "Defect", "color": "#FF0000"}],
        }
        assert res.json() == expected
        assert of_type(seen, "card_labels_changed") == [expected]
    again = await client.post(f"{board.base}/cards/{card.id}/labels/{label['id']}", headers=headers)
    assert again.status_code == 200
    assert (await client.get(f"{board.base}/labels", headers=headers)).json()[0]["name"] == "Defect"
    with captured() as seen:
        res = await client.delete(f"{board.base}/labels/{label['id']}", headers=headers)
    assert res.json() == {"ok": True}
    [deleted] = of_type(seen, "label_deleted")
    assert deleted["label"]["id"] == label["id"]
    assert sorted(deleted["cardIds"]) == sorted([str(card.id), str(other.id)])
    assert await CardLabel.all().count() == 0


async def test_remove_label_from_card(client: httpx.AsyncClient) -> None:
    board = await create_board()
    card = await make_card(board)
    headers = bearer(jwt_for(board.owner))
    label = (
        await client.post(
            f"{board.base}/labels", json={"name": "UI", "color": "#00aa00"}, headers=headers
        )
    ).json()
    url = f"{board.base}/cards/{card.id}/labels/{label['id']}"
    await client.post(url, headers=headers)
    with captured() as seen:
        res = await client.delete(url, headers=headers)
    assert res.json() == {"ok": True}
    assert of_type(seen, "card_labels_changed") == [{"cardId": str(card.id), "labels": []}]


async def test_bad_label_input(client: httpx.AsyncClient) -> None:
    board = await create_board()
    headers = bearer(jwt_for(board.owner))
    for body in (
        {"name": "", "color": "#FF0000"},
        {"name": "x" * 51, "color": "#FF0000"},
        {"name": "Bug", "color": "red"},
        {"name": "Bug", "color": "#FF00001"},
        {"name": "Bug"},
        {"name": 3, "color": "#FF0000"},
        {"name": "Bug", "color": "#FF0000", "icon": "x"},
    ):
        res = await client.post(f"{board.base}/labels", json=body, headers=headers)
        assert res.status_code == 400, body


async def test_other_projects_labels_and_cards_are_not_found(client: httpx.AsyncClient) -> None:
    board, other = await create_board(), await create_board()
    card, foreign_card = await make_card(board), await make_card(other)
    mine = bearer(jwt_for(board.owner))
    theirs = bearer(jwt_for(other.owner))
    label = (
        await client.post(
            f"{board.base}/labels", json={"name": "A", "color": "#000000"}, headers=mine
        )
    ).json()
    foreign = (
        await client.post(
            f"{other.base}/labels", json={"name": "B", "color": "#000000"}, headers=theirs
        )
    ).json()
    res = await client.post(f"{board.base}/cards/{card.id}/labels/{foreign['id']}", headers=mine)
    assert res.status_code == 404
    assert res.json()["message"] == "Label not found"
    res = await client.post(
        f"{board.base}/cards/{foreign_card.id}/labels/{label['id']}", headers=mine
    )
    assert res.status_code == 404
    assert (
        await client.patch(f"{board.base}/labels/{foreign['id']}", json={"name": "x"}, headers=mine)
    ).status_code == 404
    assert (
        await client.delete(f"{board.base}/labels/{label['id']}", headers=theirs)
    ).status_code == 404
    assert (await client.get(f"{board.base}/labels")).status_code == 401
    reader = await pat_headers(board.owner, "projects:read")
    assert (await client.get(f"{board.base}/labels", headers=reader)).status_code == 200
    res = await client.post(
        f"{board.base}/labels", json={"name": "C", "color": "#000000"}, headers=reader
    )
    assert res.status_code == 403
