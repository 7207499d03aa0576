"""Card relations over REST: both sides' reading, self links, cycles and duplicates."""

from __future__ import annotations

import httpx

from tests.card_details import captured, make_card, of_type, pat_headers
from tests.factories import bearer, create_board, jwt_for


async def test_each_side_reads_the_link_its_own_way(client: httpx.AsyncClient) -> None:
    board = await create_board()
    a, b, c = await make_card(board, "A"), await make_card(board, "B"), await make_card(board, "C")
    headers = bearer(jwt_for(board.owner))
    with captured() as seen:
        res = await client.post(
            f"{board.base}/cards/{a.id}/relations",
            json={"targetCardId": str(b.id), "type": "blocks"},
            headers=headers,
        )
    assert res.status_code == 201, res.text
    rel = res.json()
    assert set(rel) == {"id", "projectId", "cardId", "targetCardId", "type", "createdAt"}
    assert (rel["cardId"], rel["targetCardId"], rel["type"]) == (str(a.id), str(b.id), "blocks")
    assert of_type(seen, "relation_added")[0]["relation"]["id"] == rel["id"]
    res = await client.post(
        f"{board.base}/cards/{c.id}/relations",
        json={"targetCardId": str(b.id), "type": "blocked_by"},
        headers=headers,
    )
    assert res.json()["type"] == "blocked_by"
    res = await client.post(
        f"{board.base}/cards/{a.id}/relations",
        json={"targetCardId": str(c.id), "type": "parent_of"},
        headers=headers,
    )
    listed = (await client.get(f"{board.base}/cards/{b.id}/relations", headers=headers)).json()
    assert {(r["targetCardId"], r["type"]) for r in listed} == {
        (str(a.id), "blocked_by"),
        (str(c.id), "blocks"),
    }
    listed = (await client.get(f"{board.base}/cards/{c.id}/relations", headers=headers)).json()
    assert {(r["targetCardId"], r["type"]) for r in listed} == {
        (str(b.id), "blocked_by"),
        (str(a.id), "child_of"),
    }
    with captured() as seen:
        res = await client.delete(f"{board.base}/relations/{rel['id']}", headers=headers)
    assert res.json() == {"ok": True}
    assert of_type(seen, "relation_removed")[0]["relation"]["id"] == rel["id"]
    listed = (await client.get(f"{board.base}/cards/{a.id}/relations", headers=headers)).json()
    assert [r["type"] for r in listed] == ["parent_of"]


async def test_self_cycles_and_duplicates_are_refused(client: httpx.AsyncClient) -> None:
    board = await create_board()
    a, b, c = await make_card(board, "A"), await make_card(board, "B"), await make_card(board, "C")
    headers = bearer(jwt_for(board.owner))

    async def link(src: object, dst: object, kind: str) -> httpx.Response:
        return await client.post(
            f"{board.base}/cards/{src}/relations",
            json={"targetCardId": str(dst), "type": kind},
            headers=headers,
        )

    res = await link(a.id, a.id, "related_to")
    assert res.status_code == 400
    assert "itself" in res.json()["message"]
    assert (await link(a.id, b.id, "parent_of")).status_code == 201
    assert (await link(b.id, a.id, "parent_of")).status_code == 409
    assert (await link(b.id, c.id, "parent_of")).status_code == 201
    assert (await link(c.id, a.id, "parent_of")).status_code == 409
    assert (await link(a.id, b.id, "parent_of")).status_code == 409
    assert (await link(a.id, c.id, "related_to")).status_code == 201
    assert (await link(c.id, a.id, "related_to")).status_code == 409
    assert (await link(a.id, b.id, "blocks")).status_code == 201
    assert (await link(b.id, a.id, "blocked_by")).status_code == 409
    assert (await link(a.id, b.id, "depends_on")).status_code == 400
    res = await client.post(
        f"{board.base}/cards/{a.id}/relations", json={"targetCardId": str(b.id)}, headers=headers
    )
    assert res.status_code == 400


async def test_other_projects_and_permissions(client: httpx.AsyncClient) -> None:
    board, other = await create_board(), await create_board()
    a, foreign = await make_card(board), await make_card(other)
    headers = bearer(jwt_for(board.owner))
    url = f"{board.base}/cards/{a.id}/relations"
    res = await client.post(
        url, json={"targetCardId": str(foreign.id), "type": "blocks"}, headers=headers
    )
    assert res.status_code == 404
    res = await client.post(
        url, json={"targetCardId": "not-an-id", "type": "blocks"}, headers=headers
    )
    assert res.status_code == 404
    b = await make_card(board)
    rel = (
        await client.post(url, json={"targetCardId": str(b.id), "type": "blocks"}, headers=headers)
    ).json()
    stranger = bearer(jwt_for(other.owner))
    assert (await client.get(url, headers=stranger)).status_code == 404
    assert (
        await client.delete(f"{other.base}/relations/{rel['id']}", headers=stranger)
    ).status_code == 404
    reader = await pat_headers(board.owner, "projects:read")
    assert (
        await client.delete(f"{board.base}/relations/{rel['id']}", headers=reader)
    ).status_code == 403
    assert (await client.get(url)).status_code == 401
