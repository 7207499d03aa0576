"""Scopes over REST: CRUD, views, and deleting a scope with its columns and cards."""

from __future__ import annotations

import httpx

from models import Card, Column
from tests.card_details import captured, make_card, of_type, pat_headers
from tests.factories import add_member, bearer, create_board, create_user, jwt_for


async def test_scope_lifecycle_and_views(client: httpx.AsyncClient) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    with captured() as seen:
        res = await client.post(
            f"{board.base}/scopes", json={"name": "Phase 1", "settings": {"wip": 3}}, headers=h
        )
    assert res.status_code == 201, res.text
    scope = res.json()
    assert scope["activeView"] == "kanban" and scope["settings"] == {"wip": 3}
    assert of_type(seen, "scope_created") == [{"scope": scope}]
    url = f"{board.base}/scopes/{scope['id']}"
    res = await client.patch(url, json={"name": "Phase one"}, headers=h)
    assert res.json()["name"] == "Phase one"
    views = (await client.get(f"{url}/views", headers=h)).json()
    assert views == {
        "scopeId": scope["id"],
        "views": ["kanban", "list", "calendar", "roadmap", "stats"],
        "activeView": "kanban",
    }
    res = await client.patch(f"{url}/views", json={"activeView": "roadmap"}, headers=h)
    assert res.status_code == 200 and res.json()["activeView"] == "roadmap"
    assert (
        await client.patch(f"{url}/views", json={"activeView": "gantt"}, headers=h)
    ).status_code == 400
    column = await Column.create(
        project_id=board.project.id, scope_id=scope["id"], name="Q", order=3
    )
    card = await make_card(board, column=column)
    kept = await make_card(board)
    detail = (await client.get(url, headers=h)).json()
    assert [c["name"] for c in detail["columns"]] == ["Q"]
    assert detail["views"]["activeView"] == "roadmap"
    assert [s["id"] for s in (await client.get(f"{board.base}/scopes", headers=h)).json()] == [
        scope["id"]
    ]
    with captured() as seen:
        res = await client.delete(url, headers=h)
    assert res.json() == {"ok": True}
    [deleted] = of_type(seen, "scope_deleted")
    assert deleted["columnIds"] == [str(column.id)] and deleted["cardIds"] == [str(card.id)]
    assert not await Card.filter(id=card.id).exists()
    assert await Card.filter(id=kept.id).exists()
    assert (await client.get(url, headers=h)).status_code == 404


async def test_scope_permissions_and_input(client: httpx.AsyncClient) -> None:
    board, other = await create_board(), await create_board()
    h = bearer(jwt_for(board.owner))
    for body in (
        {"name": ""},
        {},
        {"name": "x" * 201},
        {"name": "a", "settings": [1]},
        {"name": "a", "x": 1},
    ):
        assert (await client.post(f"{board.base}/scopes", json=body, headers=h)).status_code == 400
    scope = (await client.post(f"{board.base}/scopes", json={"name": "S"}, headers=h)).json()
    member = await create_user()
    await add_member(board, member)
    mh = bearer(jwt_for(member))
    assert (
        await client.post(f"{board.base}/scopes", json={"name": "T"}, headers=mh)
    ).status_code == 403
    assert (
        await client.delete(f"{board.base}/scopes/{scope['id']}", headers=mh)
    ).status_code == 403
    res = await client.patch(
        f"{board.base}/scopes/{scope['id']}/views", json={"activeView": "list"}, headers=mh
    )
    assert res.status_code == 200
    stranger = bearer(jwt_for(other.owner))
    assert (
        await client.get(f"{board.base}/scopes/{scope['id']}", headers=stranger)
    ).status_code == 404
    assert (
        await client.get(f"{other.base}/scopes/{scope['id']}", headers=stranger)
    ).status_code == 404
    reader = await pat_headers(board.owner, "projects:read")
    assert (
        await client.post(f"{board.base}/scopes", json={"name": "R"}, headers=reader)
    ).status_code == 403
    assert (await client.get(f"{board.base}/scopes")).status_code == 401


async def test_settings_with_a_nul_character_are_400_on_every_backend(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    scope = (await client.post(f"{board.base}/scopes", json={"name": "S"}, headers=h)).json()
    for settings in ({"a": "x\x00y"}, {"k\x00": 1}, {"a": [{"b": ["\x00"]}]}):
        res = await client.post(
            f"{board.base}/scopes", json={"name": "T", "settings": settings}, headers=h
        )
        assert res.status_code == 400, res.text
        assert res.json()["errors"] == {"settings": ["must not contain NUL characters"]}
        res = await client.patch(
            f"{board.base}/scopes/{scope['id']}", json={"settings": settings}, headers=h
        )
        assert res.status_code == 400, res.text
    listed = (await client.get(f"{board.base}/scopes", headers=h)).json()
    assert [(s["name"], s["settings"]) for s in listed] == [("S", {})]


async def test_settings_with_an_integer_over_64_bits_are_400(client: httpx.AsyncClient) -> None:
    board = await create_board()
    h = bearer(jwt_for(board.owner))
    body = b'{"name": "T", "settings": {"a": [1, -24107120378113748302299136]}}'
    res = await client.post(
        f"{board.base}/scopes", content=body, headers={**h, "content-type": "application/json"}
    )
    assert res.status_code == 400, res.text
    assert res.json()["errors"] == {"settings": ["numbers must fit in 64 bits"]}
