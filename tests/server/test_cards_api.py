"""Cards over REST: create, read, change, move, archive, restore, delete, and who may."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from models import Notification
from services.automations import listener
from services.tokens import create_token
from services.webhooks import fanout
from tests.card_details import captured, of_type
from tests.factories import add_member, bearer, create_board, jwt_for, user_actor, user_with_headers
from tests.statements import statements

CARD_KEYS = {
    "id",
    "projectId",
    "columnId",
    "title",
    "description",
    "priority",
    "startDate",
    "dueDate",
    "assigneeId",
    "order",
    "position",
    "archived",
    "version",
    "estimate",
    "checklist",
    "checklistProgress",
    "labels",
    "commentCount",
    "attachmentCount",
    "createdAt",
    "updatedAt",
}


async def _board() -> tuple[Any, dict[str, Any]]:
    board = await create_board()
    return board, bearer(jwt_for(board.owner))


async def _card(client: httpx.AsyncClient, board: Any, auth: Any, col: int = 0, **body: Any) -> Any:
    body.setdefault("title", "A card")
    answer = await client.post(
        f"{board.base}/columns/{board.columns[col].id}/cards", json=body, headers=auth
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_create_a_card_with_everything(client: httpx.AsyncClient) -> None:
    board, auth = await _board()
    mate, _ = await user_with_headers()
    await add_member(board, mate)
    card = await _card(
        client,
        board,
        auth,
        title="Implement billing API",
        description="See spec in docs",
        priority="high",
        startDate="2026-03-01",
        dueDate="2026-04-01T12:30:00+02:00",
        assigneeId=str(mate.id),
        checklist=[{"title": "Setup routes", "done": True, "order": 0}, {"title": "Tests"}],
    )
    assert set(card) == CARD_KEYS
    assert card["columnId"] == str(board.columns[0].id)
    assert card["startDate"] == "2026-03-01T00:00:00Z"
    assert card["dueDate"] == "2026-04-01T10:30:00Z"
    assert card["assigneeId"] == str(mate.id)
    assert [i["title"] for i in card["checklist"]] == ["Setup routes", "Tests"]
    # Items carry `_id` as the boards document shows, and `id` with the same value.
    assert all(set(i) == {"_id", "id", "title", "done", "order"} for i in card["checklist"])
    assert all(i["_id"] == i["id"] for i in card["checklist"])
    assert card["checklistProgress"] == 50
    assert (card["version"], card["order"], card["archived"]) == (1, 0, False)
    assert (card["commentCount"], card["attachmentCount"], card["labels"]) == (0, 0, [])
    # The assignee hears about it twice: a new card, and that it is theirs.
    kinds = await Notification.filter(user_id=mate.id).values_list("type", flat=True)
    assert sorted(kinds) == ["card_assigned", "card_created"]


async def test_new_cards_go_to_the_bottom_and_list_in_board_order(
    client: httpx.AsyncClient,
) -> None:
    board, auth = await _board()
    a = await _card(client, board, auth, title="a")
    b = await _card(client, board, auth, title="b")
    c = await _card(client, board, auth, col=1, title="c")
    listed = (await client.get(f"{board.base}/cards", headers=auth)).json()
    assert [x["id"] for x in listed] == [a["id"], b["id"], c["id"]]
    assert [x["order"] for x in listed] == [0, 1, 0]
    only = await client.get(
        f"{board.base}/cards", params={"columnId": str(board.columns[1].id)}, headers=auth
    )
    assert [x["id"] for x in only.json()] == [c["id"]]
    one = await client.get(f"{board.base}/cards/{b['id']}", headers=auth)
    assert one.json()["title"] == "b"


async def test_create_refuses_bad_input(client: httpx.AsyncClient) -> None:
    board, auth = await _board()
    url = f"{board.base}/columns/{board.columns[0].id}/cards"
    for body, field in (
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"title": 7}, "title"),
        ({"title": "t", "description": "d" * 5001}, "description"),
        ({"title": "t", "priority": "urgent"}, "priority"),
        ({"title": "t", "dueDate": "next week"}, "dueDate"),
        ({"title": "t", "checklist": [{"title": "x"}] * 101}, "checklist"),
        ({"title": "t", "checklist": [{"title": "x", "done": "yes"}]}, "checklist.0.done"),
        ({"title": "t", "owner": "me"}, "owner"),
    ):
        answer = await client.post(url, json=body, headers=auth)
        assert answer.status_code == 400, body
        assert field in answer.json()["errors"], (body, answer.json())
    stranger, _ = await user_with_headers()
    not_member = await client.post(
        url, json={"title": "t", "assigneeId": str(stranger.id)}, headers=auth
    )
    # The boards API has no 422: a value a rule refuses is a 400 in its error format.
    assert not_member.json() == {
        "statusCode": 400,
        "message": "assigneeId must be a member of the project",
        "error": "Bad Request",
    }
    upside_down = await client.post(
        url, json={"title": "t", "startDate": "2026-05-01", "dueDate": "2026-04-01"}, headers=auth
    )
    assert upside_down.status_code == 400
    assert upside_down.json()["message"] == "startDate must not be after dueDate"
    bad_json = await client.post(
        url, content=b"[1,", headers={**auth, "content-type": "application/json"}
    )
    assert bad_json.status_code == 400


async def test_patch_sets_and_clears_fields(client: httpx.AsyncClient) -> None:
    board, auth = await _board()
    card = await _card(client, board, auth, priority="low", dueDate="2026-04-01", description="d")
    url = f"{board.base}/cards/{card['id']}"
    changed = await client.patch(
        url, json={"title": "Updated title", "priority": "medium", "dueDate": None}, headers=auth
    )
    assert changed.status_code == 200
    body = changed.json()
    assert (body["title"], body["priority"], body["dueDate"]) == ("Updated title", "medium", None)
    assert body["description"] == "d"  # absent means untouched
    assert body["version"] == 2
    cleared = (await client.patch(url, json={"description": None}, headers=auth)).json()
    assert cleared["description"] == ""
    # Sending nothing changes nothing, and does not bump the version.
    same = (await client.patch(url, json={}, headers=auth)).json()
    assert same["version"] == cleared["version"]
    for body_ in ({"title": None}, {"archived": None}, {"columnId": None}, {"version": "2"}):
        assert (await client.patch(url, json=body_, headers=auth)).status_code == 400


async def test_a_stale_version_is_a_conflict_carrying_the_current_card(
    client: httpx.AsyncClient,
) -> None:
    board, auth = await _board()
    card = await _card(client, board, auth, description="first draft")
    url = f"{board.base}/cards/{card['id']}"
    mine = await client.patch(url, json={"description": "mine", "version": 1}, headers=auth)
    assert mine.status_code == 200
    theirs = await client.patch(url, json={"description": "theirs", "version": 1}, headers=auth)
    assert theirs.status_code == 409
    assert theirs.json()["statusCode"] == 409
    assert theirs.json()["current"]["description"] == "mine"
    assert theirs.json()["current"]["version"] == 2
    kept = (await client.get(url, headers=auth)).json()
    assert kept["description"] == "mine"


async def test_move_by_order_and_by_neighbours(client: httpx.AsyncClient) -> None:
    board, auth = await _board()
    a, b, c = [await _card(client, board, auth, title=t) for t in "abc"]
    url = f"{board.base}/cards/{c['id']}"
    top = await client.patch(url, json={"order": 0}, headers=auth)
    assert top.json()["order"] == 0
    between = await client.patch(
        f"{board.base}/cards/{a['id']}",
        json={"afterId": c["id"], "beforeId": b["id"]},
        headers=auth,
    )
    assert between.status_code == 200
    listed = (await client.get(f"{board.base}/cards", headers=auth)).json()
    assert [x["title"] for x in listed] == ["c", "a", "b"]
    done = str(board.columns[2].id)
    across = await client.patch(url, json={"columnId": done}, headers=auth)
    assert across.json()["columnId"] == done
    not_neighbours = await client.patch(
        f"{board.base}/cards/{b['id']}",
        json={"afterId": c["id"], "beforeId": a["id"]},
        headers=auth,
    )
    assert not_neighbours.status_code == 409


async def test_archive_trash_and_restore(client: httpx.AsyncClient) -> None:
    board, auth = await _board()
    a = await _card(client, board, auth, title="a")
    b = await _card(client, board, auth, title="b")
    archived = await client.patch(
        f"{board.base}/cards/{a['id']}", json={"archived": True}, headers=auth
    )
    assert archived.json()["archived"] is True
    board_cards = (await client.get(f"{board.base}/cards", headers=auth)).json()
    assert [x["id"] for x in board_cards] == [b["id"]]
    trash = (await client.get(f"{board.base}/trash", headers=auth)).json()
    assert [x["id"] for x in trash] == [a["id"]]
    archived_list = await client.get(f"{board.base}/cards?archived=true", headers=auth)
    assert [x["id"] for x in archived_list.json()] == [a["id"]]
    restored = await client.post(f"{board.base}/cards/{a['id']}/restore", headers=auth)
    assert restored.status_code == 200
    assert restored.json()["archived"] is False
    assert restored.json()["order"] == 1  # back at the bottom
    assert (await client.get(f"{board.base}/trash", headers=auth)).json() == []


async def test_a_move_sent_with_an_archive_is_applied_too(client: httpx.AsyncClient) -> None:
    """The boards document's own PATCH example moves and archives at once: the card moves,
    then goes to the trash from its new column, and a restore brings it back there."""
    board, auth = await _board()
    card = await _card(client, board, auth, title="a")
    done = board.columns[2]
    await _card(client, board, auth, col=2, title="already done")
    # A full column still takes a card that goes straight to the trash.
    limit = await client.patch(
        f"{board.base}/columns/{done.id}", json={"wipLimit": 1}, headers=auth
    )
    assert limit.status_code == 200, limit.text
    url = f"{board.base}/cards/{card['id']}"
    with captured() as seen:
        res = await client.patch(
            url,
            json={"title": "Updated title", "columnId": str(done.id), "order": 0, "archived": True},
            headers=auth,
        )
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["columnId"], body["archived"], body["title"]) == (
        str(done.id),
        True,
        "Updated title",
    )
    assert body["version"] == card["version"] + 1
    assert [e.type for e in seen if e.type.startswith("card_")] == ["card_archived"]
    assert of_type(seen, "card_archived")[0]["card"]["columnId"] == str(done.id)
    trash = (await client.get(f"{board.base}/trash", headers=auth)).json()
    assert [(x["id"], x["columnId"]) for x in trash] == [(card["id"], str(done.id))]
    # Back from the trash into the column it was moved to, which is full: refused.
    full = await client.post(f"{url}/restore", headers=auth)
    assert full.status_code == 409
    await client.patch(f"{board.base}/columns/{done.id}", json={"wipLimit": None}, headers=auth)
    restored = (await client.post(f"{url}/restore", headers=auth)).json()
    assert (restored["columnId"], restored["archived"]) == (str(done.id), False)
    # A card already in the trash is not moved by a PATCH that archives it again.
    again = await client.patch(url, json={"archived": True}, headers=auth)
    assert again.status_code == 200
    stuck = await client.patch(
        url, json={"archived": True, "columnId": str(board.columns[0].id)}, headers=auth
    )
    assert stuck.status_code == 409, stuck.text
    assert "Restore" in stuck.json()["message"]


async def test_delete_is_permanent(client: httpx.AsyncClient) -> None:
    board, auth = await _board()
    card = await _card(client, board, auth)
    url = f"{board.base}/cards/{card['id']}"
    gone = await client.delete(url, headers=auth)
    assert gone.status_code == 200
    assert gone.json() == {"ok": True}
    assert (await client.get(url, headers=auth)).status_code == 404
    assert (await client.delete(url, headers=auth)).status_code == 404


async def test_who_may_touch_cards(client: httpx.AsyncClient) -> None:
    board, owner = await _board()
    card = await _card(client, board, owner)
    member, member_auth = await user_with_headers()
    await add_member(board, member)
    _, stranger = await user_with_headers()
    _, ro = await create_token(actor=user_actor(board.owner), name="ro", scopes=["projects:read"])
    reader = bearer(ro)
    url = f"{board.base}/cards/{card['id']}"
    for method, path in (
        ("GET", f"{board.base}/cards"),
        ("GET", url),
        ("GET", f"{board.base}/trash"),
    ):
        assert (await client.request(method, path)).status_code == 401
        assert (await client.request(method, path, headers=stranger)).status_code == 404
        assert (await client.request(method, path, headers=member_auth)).status_code == 200
        assert (await client.request(method, path, headers=reader)).status_code == 200
    for method, path, body in (
        ("POST", f"{board.base}/columns/{board.columns[0].id}/cards", {"title": "x"}),
        ("PATCH", url, {"title": "y"}),
        ("POST", f"{url}/restore", None),
        ("DELETE", url, None),
    ):
        assert (await client.request(method, path, json=body)).status_code == 401
        assert (await client.request(method, path, json=body, headers=stranger)).status_code == 404
        assert (await client.request(method, path, json=body, headers=reader)).status_code == 403
    # A member may edit cards.
    assert (await client.patch(url, json={"title": "z"}, headers=member_auth)).status_code == 200
    other = await create_board()
    foreign = await client.post(
        f"{other.base}/columns/{other.columns[0].id}/cards",
        json={"title": "theirs"},
        headers=bearer(jwt_for(other.owner)),
    )
    theirs = f"{board.base}/cards/{foreign.json()['id']}"
    assert (await client.get(theirs, headers=owner)).status_code == 404
    assert (await client.patch(theirs, json={"title": "x"}, headers=owner)).status_code == 404
    assert (
        await client.get(f"{board.base}/cards/{uuid.uuid4()}", headers=owner)
    ).status_code == 404
    into_foreign = await client.patch(
        url, json={"columnId": str(other.columns[0].id)}, headers=owner
    )
    assert into_foreign.status_code == 404


async def test_a_list_renders_in_a_fixed_number_of_queries(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every statement counted, through the ORM and beside it: the same few for 5 cards
    as for 20, each with its checklist."""
    board, auth = await _board()
    for i in range(5):
        await _card(client, board, auth, title=f"c{i}", checklist=[{"title": "x"}])

    async def listed(seen: list[str]) -> tuple[int, int]:
        # The creates' after-commit listeners run in tasks of their own and may refresh
        # their caches with statements of their own: none may land inside the list.
        await fanout.drain()
        await listener.drain()
        before = len(seen)
        got = await client.get(f"{board.base}/cards", headers=auth)
        assert got.status_code == 200
        return len(seen) - before, len(got.json())

    async with statements(monkeypatch) as seen:
        few = await listed(seen)
        for i in range(15):
            await _card(client, board, auth, title=f"d{i}", checklist=[{"title": "y"}])
        many = await listed(seen)
    assert few[1] == 5 and many[1] == 20
    assert 0 < many[0] == few[0], seen
