"""Comments over REST: seed 001 shapes, permissions, and what other people are told."""

from __future__ import annotations

import uuid

import httpx

from models import Notification, ProjectMember
from tests.card_details import captured, make_card, of_type, pat_headers
from tests.factories import add_member, bearer, create_board, create_user, jwt_for


async def test_post_and_list_comments_in_order(client: httpx.AsyncClient) -> None:
    board = await create_board()
    card = await make_card(board)
    headers = bearer(jwt_for(board.owner))
    url = f"{board.base}/cards/{card.id}/comments"
    with captured() as seen:
        first = await client.post(url, json={"content": "  Spec looks good  "}, headers=headers)
    assert first.status_code == 201, first.text
    body = first.json()
    assert set(body) == {"id", "cardId", "authorId", "authorName", "content", "createdAt"}
    assert body["content"] == "Spec looks good"
    assert body["authorId"] == str(board.owner.id)
    assert body["authorName"] == board.owner.name
    assert body["createdAt"].endswith("Z")
    assert of_type(seen, "comment_added") == [{"comment": body, "cardId": str(card.id)}]
    await client.post(url, json={"content": "What about errors?"}, headers=headers)
    listed = await client.get(url, headers=headers)
    assert listed.status_code == 200
    assert [c["content"] for c in listed.json()] == ["Spec looks good", "What about errors?"]


async def test_bad_bodies_are_refused(client: httpx.AsyncClient) -> None:
    board = await create_board()
    card = await make_card(board)
    headers = bearer(jwt_for(board.owner))
    url = f"{board.base}/cards/{card.id}/comments"
    cases = [
        {"content": ""},
        {"content": "   "},
        {"content": "x" * 2001},
        {"content": 5},
        {},
        {"content": "ok", "pinned": True},
    ]
    for body in cases:
        res = await client.post(url, json=body, headers=headers)
        assert res.status_code == 400, body
        assert res.json()["statusCode"] == 400
    malformed = await client.post(
        url, content=b"{nope", headers=headers | {"content-type": "application/json"}
    )
    assert malformed.status_code == 400
    assert (
        await client.post(url, json={"content": "x" * 2000}, headers=headers)
    ).status_code == 201


async def test_someone_elses_card_or_project_is_not_found(client: httpx.AsyncClient) -> None:
    mine, theirs = await create_board(), await create_board()
    their_card = await make_card(theirs)
    headers = bearer(jwt_for(mine.owner))
    res = await client.post(
        f"{mine.base}/cards/{their_card.id}/comments", json={"content": "hi"}, headers=headers
    )
    assert res.status_code == 404
    assert res.json() == {"statusCode": 404, "message": "Card not found", "error": "Not Found"}
    res = await client.get(f"{theirs.base}/cards/{their_card.id}/comments", headers=headers)
    assert res.status_code == 404
    res = await client.get(f"{mine.base}/cards/not-a-uuid/comments", headers=headers)
    assert res.status_code == 404


async def test_anonymous_and_read_only_tokens(client: httpx.AsyncClient) -> None:
    board = await create_board()
    card = await make_card(board)
    url = f"{board.base}/cards/{card.id}/comments"
    assert (await client.get(url)).status_code == 401
    assert (await client.post(url, json={"content": "hi"})).status_code == 401
    reader = await pat_headers(board.owner, "projects:read")
    assert (await client.get(url, headers=reader)).status_code == 200
    res = await client.post(url, json={"content": "hi"}, headers=reader)
    assert res.status_code == 403
    assert "projects:write" in res.json()["message"]


async def test_only_the_author_or_an_admin_deletes(client: httpx.AsyncClient) -> None:
    board = await create_board()
    card = await make_card(board)
    alice, bob = await create_user(), await create_user()
    await add_member(board, alice)
    await add_member(board, bob)
    url = f"{board.base}/cards/{card.id}/comments"
    res = await client.post(url, json={"content": "mine"}, headers=bearer(jwt_for(alice)))
    comment_id = res.json()["id"]
    res = await client.delete(f"{url}/{comment_id}", headers=bearer(jwt_for(bob)))
    assert res.status_code == 403
    assert res.json()["error"] == "Forbidden"
    with captured() as seen:
        res = await client.delete(f"{url}/{comment_id}", headers=bearer(jwt_for(alice)))
    assert res.status_code == 200
    assert res.json() == {"ok": True}
    assert of_type(seen, "comment_deleted") == [{"commentId": comment_id, "cardId": str(card.id)}]
    res = await client.delete(f"{url}/{comment_id}", headers=bearer(jwt_for(alice)))
    assert res.status_code == 404
    res = await client.post(url, json={"content": "again"}, headers=bearer(jwt_for(bob)))
    admin_delete = await client.delete(
        f"{url}/{res.json()['id']}", headers=bearer(jwt_for(board.owner))
    )
    assert admin_delete.status_code == 200
    assert (
        await client.delete(f"{url}/{uuid.uuid4()}", headers=bearer(jwt_for(bob)))
    ).status_code == 404


async def test_assignee_creator_and_earlier_commenters_are_notified(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    assignee, earlier, author, bystander = [await create_user() for _ in range(4)]
    for user in (assignee, earlier, author, bystander):
        await add_member(board, user)
    card = await make_card(board, assignee_id=assignee.id)
    url = f"{board.base}/cards/{card.id}/comments"
    await client.post(url, json={"content": "first"}, headers=bearer(jwt_for(earlier)))
    await Notification.all().delete()
    await client.post(url, json={"content": "Looks done to me"}, headers=bearer(jwt_for(author)))
    notified = {n.user_id for n in await Notification.filter(type="comment_added")}
    assert notified == {assignee.id, earlier.id, board.owner.id}
    res = await client.get("/api/notifications", headers=bearer(jwt_for(assignee)))
    [note] = res.json()
    assert note["activity"]["type"] == "comment_added"
    assert note["activity"]["cardId"] == str(card.id)
    assert note["activity"]["actorId"] == str(author.id)
    assert note["activity"]["meta"]["excerpt"] == "Looks done to me"


async def test_only_people_who_can_still_open_the_board_are_notified(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    left, ws_admin, org_admin, author = [await create_user() for _ in range(4)]
    await add_member(board, left)
    await add_member(board, ws_admin, ws_role="admin", project_role=None)
    await add_member(board, org_admin, org_role="admin", project_role=None)
    await add_member(board, author)
    card = await make_card(board, assignee_id=left.id)
    url = f"{board.base}/cards/{card.id}/comments"
    for earlier in (ws_admin, org_admin):
        res = await client.post(url, json={"content": "earlier"}, headers=bearer(jwt_for(earlier)))
        assert res.status_code == 201, res.text
    # The assignee left the project: no longer told about its cards.
    await ProjectMember.filter(project_id=board.project.id, user_id=left.id).delete()
    await Notification.all().delete()
    res = await client.post(url, json={"content": "Shipped"}, headers=bearer(jwt_for(author)))
    assert res.status_code == 201, res.text
    notified = {n.user_id for n in await Notification.filter(type="comment_added")}
    assert notified == {ws_admin.id, org_admin.id, board.owner.id}
