"""Notifications over REST: your own only, unread filters, counts and marking read."""

from __future__ import annotations

import uuid

import httpx

from models import Notification
from tests.card_details import pat_headers
from tests.factories import bearer, create_user, jwt_for


async def _notes(user_id: uuid.UUID, n: int) -> list[Notification]:
    return [
        await Notification.create(user_id=user_id, type="card_moved", meta={"n": i})
        for i in range(n)
    ]


async def test_list_count_and_read(client: httpx.AsyncClient) -> None:
    me, someone = await create_user(), await create_user()
    mine = await _notes(me.id, 3)
    theirs = await _notes(someone.id, 2)
    h = bearer(jwt_for(me))
    listed = (await client.get("/api/notifications", headers=h)).json()
    assert len(listed) == 3
    assert set(listed[0]) == {"id", "userId", "readAt", "activity"}
    assert {n["id"] for n in listed} == {str(n.id) for n in mine}
    assert (await client.get("/api/notifications/count", headers=h)).json() == {"count": 3}
    res = await client.patch(f"/api/notifications/{mine[0].id}/read", headers=h)
    assert res.status_code == 200 and res.json()["readAt"].endswith("Z")
    assert (await client.get("/api/notifications/count", headers=h)).json() == {"count": 2}
    for flag in ("true", "1", "TRUE"):
        unread = (await client.get(f"/api/notifications?unreadOnly={flag}", headers=h)).json()
        assert len(unread) == 2
    assert len((await client.get("/api/notifications?unreadOnly=false", headers=h)).json()) == 3
    assert len((await client.get("/api/notifications?limit=1", headers=h)).json()) == 1
    res = await client.patch(f"/api/notifications/{theirs[0].id}/read", headers=h)
    assert res.status_code == 404
    assert (await client.patch("/api/notifications/nope/read", headers=h)).status_code == 404
    res = await client.patch("/api/notifications/read-all", headers=h)
    assert res.json() == {"ok": True, "updated": 2}
    assert (await client.get("/api/notifications/count", headers=h)).json() == {"count": 0}
    other = bearer(jwt_for(someone))
    assert (await client.get("/api/notifications/count", headers=other)).json() == {"count": 2}


async def test_bad_queries_anonymous_and_scopes(client: httpx.AsyncClient) -> None:
    me = await create_user()
    h = bearer(jwt_for(me))
    for q in ("limit=0", "limit=101", "limit=many", "unreadOnly=maybe", "page=2"):
        assert (await client.get(f"/api/notifications?{q}", headers=h)).status_code == 400, q
    assert (await client.get("/api/notifications")).status_code == 401
    assert (await client.patch("/api/notifications/read-all")).status_code == 401
    projects_only = await pat_headers(me, "projects:read", "projects:write")
    assert (await client.get("/api/notifications", headers=projects_only)).status_code == 403
    notes = await pat_headers(me, "notifications:read")
    assert (await client.get("/api/notifications/count", headers=notes)).status_code == 200
    assert (await client.patch("/api/notifications/read-all", headers=notes)).status_code == 200
