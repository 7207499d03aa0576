"""Poker on a card over REST: estimate a card, vote, reveal, and the card carries the
estimate."""

from __future__ import annotations

from typing import Any

import httpx
from fractional_indexing import generate_key_between

from models import ApiToken, Card, PokerSession, User
from services.security import PAT_PREFIX, new_token, sha256
from tests.card_details import pat_headers
from tests.factories import Board, add_member, bearer, create_board, create_user, jwt_for


def _as(user: User) -> dict[str, Any]:
    return bearer(jwt_for(user))


async def _card(board: Board) -> tuple[Card, str]:
    card = await Card.create(
        project=board.project,
        column=board.columns[0],
        title="Design API",
        description="REST routes",
        position=generate_key_between(None, None),
    )
    return card, f"{board.base}/cards/{card.id}/estimate"


def _error(res: httpx.Response, status: int) -> str:
    assert res.status_code == status, res.text
    assert res.json()["statusCode"] == status
    message: str = res.json()["message"]
    return message


async def test_estimate_vote_reveal_and_the_card_has_its_estimate(
    client: httpx.AsyncClient,
) -> None:
    board = await create_board()
    card, url = await _card(board)
    owner = _as(board.owner)
    res = await client.post(url, json={}, headers=owner)
    assert res.status_code == 201, res.text
    started = res.json()
    code = started["sessionCode"]
    assert started == {"sessionCode": code, "storyId": started["storyId"], "joinUrl": f"/r/{code}"}

    session = (await client.get(f"/api/sessions/{code}", headers=owner)).json()["session"]
    assert session["name"] == "Estimate: Design API"
    joined = await client.post(f"/api/sessions/{code}/join", json={"name": "Guest"})
    guest = joined.json()
    people = (await client.get(f"/api/sessions/{code}/participants", headers=owner)).json()
    mine = next(p["id"] for p in people["participants"] if p["role"] == "moderator")
    for headers, pid in ((owner, mine), (bearer(guest["token"]), guest["participant"]["id"])):
        res = await client.post(
            f"/api/sessions/{code}/vote", json={"participant_id": pid, "vote": "8"}, headers=headers
        )
        assert res.status_code == 200, res.text
    res = await client.post(f"/api/stories/{started['storyId']}/reveal", headers=owner)
    assert res.status_code == 200, res.text

    cards = await client.get(f"{board.base}/cards", headers=owner)
    shown = next(c for c in cards.json() if c["id"] == str(card.id))
    assert (shown["estimate"], shown["version"]) == ("8", 2)


async def test_adding_the_card_to_your_own_session(client: httpx.AsyncClient) -> None:
    board = await create_board()
    _, url = await _card(board)
    owner = _as(board.owner)
    created = await client.post("/api/sessions", json={"name": "Sprint 42"}, headers=owner)
    code = created.json()["session"]["code"]
    res = await client.post(url, json={"sessionCode": code}, headers=owner)
    assert res.status_code == 201, res.text
    assert res.json()["sessionCode"] == code
    session = (await client.get(f"/api/sessions/{code}", headers=owner)).json()["session"]
    assert session["current_story"]["title"] == "Design API"
    assert await PokerSession.all().count() == 1


async def test_a_token_without_poker_write_starts_no_session(client: httpx.AsyncClient) -> None:
    board = await create_board()
    _, url = await _card(board)
    headers = await pat_headers(board.owner, "projects:read", "projects:write")
    message = _error(await client.post(url, json={}, headers=headers), 403)
    assert "poker:write" in message
    assert await PokerSession.all().count() == 0


async def test_who_may_estimate(client: httpx.AsyncClient) -> None:
    board = await create_board()
    card, url = await _card(board)
    stranger = await create_user()
    colleague = await create_user()
    await add_member(board, colleague, project_role=None)
    member = await create_user()
    await add_member(board, member)
    other = await create_board(board.owner)
    _error(await client.post(url, json={}), 401)
    _error(await client.post(url, json={}, headers=_as(stranger)), 404)
    _error(await client.post(url, json={}, headers=_as(colleague)), 404)
    bad_card = f"{board.base}/cards/not-a-uuid/estimate"
    assert _error(await client.post(bad_card, json={}, headers=_as(member)), 404) == (
        "Card not found"
    )
    foreign, _ = await _card(other)
    _error(
        await client.post(
            f"{board.base}/cards/{foreign.id}/estimate", json={}, headers=_as(board.owner)
        ),
        404,
    )
    theirs = await client.post("/api/sessions", json={"name": "Theirs"}, headers=_as(stranger))
    code = theirs.json()["session"]["code"]
    message = _error(await client.post(url, json={"sessionCode": code}, headers=_as(member)), 403)
    assert message == "Only the moderator can do this"
    _error(await client.post(url, json={"sessionCode": "ABC"}, headers=_as(member)), 400)
    _error(await client.post(url, json={"session": "ABCDEF"}, headers=_as(member)), 400)
    token = new_token(PAT_PREFIX)
    await ApiToken.create(
        user=board.owner,
        name="r",
        prefix=token[:12],
        token_hash=sha256(token),
        scopes=["projects:read"],
    )
    _error(await client.post(url, json={}, headers=bearer(token)), 403)
    res = await client.post(url, json={}, headers=_as(member))
    assert res.status_code == 201
    await card.refresh_from_db()
    assert str(card.poker_story_id) == res.json()["storyId"]
