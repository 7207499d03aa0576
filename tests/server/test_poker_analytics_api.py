"""A session's analytics over REST: the numbers a team reads after its estimates, and who
may read them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from models import ApiToken, User
from server.api.poker_analytics_schemas import AnalyticsResponse
from services.security import PAT_PREFIX, new_token, sha256
from tests.conftest import TEST_SECRET
from tests.factories import bearer, user_with_headers

Headers = dict[str, Any]


class Room:
    """A session made over REST by its owner, with guests joined through the API."""

    def __init__(self, client: httpx.AsyncClient, owner: User, headers: Headers) -> None:
        self.client = client
        self.owner = owner
        self.headers = headers
        self.code = ""
        self.guests: dict[str, Headers] = {}
        self.seats: dict[str, int] = {}

    async def open(self, **options: Any) -> Room:
        res = await self.client.post(
            "/api/sessions", json={"name": "Sprint 42"} | options, headers=self.headers
        )
        assert res.status_code == 201, res.text
        self.code = res.json()["session"]["code"]
        for name in ("Alice", "Bob", "Cara"):
            joined = await self.client.post(f"/api/sessions/{self.code}/join", json={"name": name})
            self.guests[name] = bearer(joined.json()["token"])
            self.seats[name] = joined.json()["participant"]["id"]
        return self

    async def story(self, title: str, votes: dict[str, str], *, reveal: bool = True) -> str:
        res = await self.client.post(
            f"/api/sessions/{self.code}/stories", json={"title": title}, headers=self.headers
        )
        story_id = str(res.json()["story"]["id"])
        started = await self.client.post(f"/api/stories/{story_id}/start", headers=self.headers)
        assert started.status_code == 200, started.text
        await self.vote(votes)
        if reveal:
            await self.reveal(story_id)
        return story_id

    async def vote(self, votes: dict[str, str]) -> None:
        for name, value in votes.items():
            res = await self.client.post(
                f"/api/sessions/{self.code}/vote",
                json={"participant_id": self.seats[name], "vote": value},
                headers=self.guests[name],
            )
            assert res.status_code == 200, res.text

    async def reveal(self, story_id: str) -> None:
        res = await self.client.post(f"/api/stories/{story_id}/reveal", headers=self.headers)
        assert res.status_code == 200, res.text

    async def revote(self, story_id: str, votes: dict[str, str]) -> None:
        res = await self.client.post(f"/api/sessions/{self.code}/restart", headers=self.headers)
        assert res.status_code == 200, res.text
        await self.vote(votes)
        await self.reveal(story_id)

    async def analytics(self, headers: Headers | None = None, code: str | None = None) -> Any:
        return await self.client.get(
            f"/api/sessions/{code or self.code}/analytics",
            headers=self.headers if headers is None else headers,
        )


async def _room(client: httpx.AsyncClient, **options: Any) -> Room:
    owner, headers = await user_with_headers(name="Olivia")
    return await Room(client, owner, headers).open(**options)


def _described_by(body: dict[str, Any]) -> None:
    """The response model documents every field the endpoint sent, with its type."""
    assert AnalyticsResponse.model_validate(body).model_dump(mode="json") == body


async def _pat(user: User, *scopes: str) -> Headers:
    token = new_token(PAT_PREFIX)
    await ApiToken.create(
        user=user, name="ci", prefix=token[:12], token_hash=sha256(token), scopes=list(scopes)
    )
    return bearer(token)


async def test_a_numeric_session_with_a_revote(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    await room.story("Login", {"Alice": "5", "Bob": "5", "Cara": "5"})
    await room.story("Checkout", {"Alice": "3", "Bob": "5", "Cara": "13"})
    search = await room.story("Search", {"Alice": "1", "Bob": "8"})
    await room.revote(search, {"Alice": "3", "Bob": "3", "Cara": "3"})

    res = await room.analytics()
    assert res.status_code == 200, res.text
    body = res.json()
    _described_by(body)
    data = body["analytics"]
    assert (data["code"], data["scale"], data["voting_system"]) == (
        room.code,
        "numeric",
        "fibonacci",
    )
    rows = {s["title"]: s for s in data["stories"]}
    assert rows["Login"]["consensus"] is True and rows["Login"]["agreement"] == 100
    checkout = rows["Checkout"]
    # A three-way tie goes to the card nearest the median; 13 is two cards past 5.
    assert checkout["final_estimate"] == "5" and checkout["agreement"] == 33
    assert (checkout["min"], checkout["max"], checkout["average"]) == (3, 13, 7)
    assert checkout["std"] == 4.32 and checkout["low_agreement"] is True
    assert [(o["value"], o["participant"]["name"]) for o in checkout["outliers"]] == [
        ("13", "Cara")
    ]
    assert rows["Search"]["rounds"] == 2 and rows["Search"]["consensus"] is True
    assert [h["final_estimate"] for h in rows["Search"]["history"]] == ["8", "3"]
    assert all(s["seconds_to_estimate"] >= 0 for s in data["stories"])
    assert data["totals"] | {"total_seconds": 0, "average_seconds": 0, "median_seconds": 0} == {
        "stories": 3,
        "estimated": 3,
        "pending": 0,
        "without_estimate": 0,
        "consensus": 2,
        "consensus_rate": 67,
        "average_agreement": 78,
        "low_agreement": 1,
        "with_outliers": 1,
        "revoted": 1,
        "rounds": 4,
        "votes_cast": 9,
        "average_estimate": 4.33,
        "median_estimate": 5,
        "total_seconds": 0,
        "average_seconds": 0,
        "median_seconds": 0,
    }
    assert data["distribution"] == [{"value": "3", "count": 1}, {"value": "5", "count": 2}]
    assert [t["agreement"] for t in data["trend"]] == [100, 33, 100]
    people = {p["participant"]["name"]: (p["votes"], p["outliers"]) for p in data["participation"]}
    assert people == {"Olivia": (0, 0), "Alice": (3, 0), "Bob": (3, 0), "Cara": (3, 1)}


async def test_a_tshirt_session_reads_sizes_as_cards(client: httpx.AsyncClient) -> None:
    room = await _room(client, voting_system="tshirt")
    await room.story("Login", {"Alice": "S", "Bob": "M", "Cara": "XL"})
    await room.story("Search", {"Alice": "L", "Bob": "L", "Cara": "?"})
    body = (await room.analytics()).json()
    _described_by(body)
    data = body["analytics"]
    assert data["scale"] == "ordinal"
    login, search = data["stories"]
    assert (login["final_estimate"], login["min"], login["max"]) == ("M", "S", "XL")
    assert login["average"] is None and login["std"] is None
    assert search["final_estimate"] == "L" and search["agreement"] == 100
    assert search["votes_cast"] == 3 and search["votes_counted"] == 2
    assert data["totals"]["median_estimate"] == "M" and data["totals"]["average_estimate"] is None
    assert data["distribution"] == [{"value": "M", "count": 1}, {"value": "L", "count": 1}]


async def test_values_stay_hidden_until_the_reveal(client: httpx.AsyncClient) -> None:
    room = await _room(client, record_vote_names=False)
    await room.story("Login", {"Alice": "1", "Bob": "8", "Cara": "8"})
    await room.story("Secret", {"Alice": "40", "Bob": "100"}, reveal=False)
    for headers in (room.headers, room.guests["Cara"]):
        res = await room.analytics(headers)
        assert res.status_code == 200, res.text
        data = res.json()["analytics"]
        login, hidden = data["stories"]
        # No names are recorded: the outlier has a value and nobody behind it.
        assert login["outliers"] == [{"value": "1", "participant": None}]
        assert hidden["status"] == "voting"
        for field in ("final_estimate", "votes_cast", "average", "median", "min", "max", "std"):
            assert hidden[field] is None, field
        assert hidden["history"] == [] and hidden["outliers"] == []
        assert hidden["seconds_to_estimate"] is None
        # Neither vote appears anywhere but in the deck's list of cards.
        shown = json.dumps({k: v for k, v in data.items() if k != "deck"})
        assert '"40"' not in shown and '"100"' not in shown
        assert data["totals"]["pending"] == 1
        assert all(p["outliers"] is None for p in data["participation"])


async def test_an_empty_session(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    body = (await room.analytics()).json()
    _described_by(body)
    data = body["analytics"]
    assert data["stories"] == [] and data["distribution"] == [] and data["trend"] == []
    assert data["totals"]["stories"] == 0 and data["totals"]["consensus_rate"] is None


async def test_only_the_owner_and_the_people_in_it_may_read(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    await room.story("Login", {"Alice": "5"})
    other = await _room(client)
    _, stranger = await user_with_headers(name="Stranger")
    assert (await room.analytics(room.guests["Alice"])).status_code == 200
    for headers in (stranger, other.guests["Alice"], other.headers):
        res = await room.analytics(headers)
        assert res.status_code == 403, res.text
        assert res.json()["success"] is False and "Login" not in res.text
    # Someone removed from the room no longer reads it.
    kicked = await client.delete(
        f"/api/sessions/{room.code}/participants/{room.seats['Bob']}", headers=room.headers
    )
    assert kicked.status_code == 200, kicked.text
    assert (await room.analytics(room.guests["Bob"])).status_code == 401


async def test_a_caller_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    expired = jwt.encode(
        {
            "sub": str(room.owner.id),
            "ver": 0,
            "iat": datetime.now(UTC) - timedelta(hours=2),
            "exp": datetime.now(UTC) - timedelta(hours=1),
        },
        TEST_SECRET,
        algorithm="HS256",
    )
    for headers, message in (
        ({}, "Missing bearer token"),
        (bearer(expired), "Token has expired"),
        (bearer("garbage"), "Invalid token"),
    ):
        res = await room.analytics(headers)
        assert res.status_code == 401, message
        assert res.json() == {"success": False, "message": message, "code": "unauthorized"}


async def test_a_personal_access_token_needs_poker_read(client: httpx.AsyncClient) -> None:
    room = await _room(client)
    refused = await room.analytics(await _pat(room.owner, "projects:read", "poker:write"))
    assert refused.status_code == 403 and "poker:read" in refused.text
    allowed = await room.analytics(await _pat(room.owner, "poker:read"))
    assert allowed.status_code == 200, allowed.text


@pytest.mark.parametrize("code", ["ABC", "abc-12", "0OIL1Z", "ZZZZZZZZ"])
async def test_a_code_that_names_no_session_is_not_found(
    client: httpx.AsyncClient, code: str
) -> None:
    room = await _room(client)
    res = await room.analytics(code=code)
    assert res.status_code == 404, res.text
    assert res.json()["code"] == "not_found"


async def test_the_schema_describes_the_answer(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/api/openapi.json")).json()
    op = doc["paths"]["/api/sessions/{code}/analytics"]["get"]
    assert {"200", "401", "403", "404"} <= set(op["responses"])
    totals = doc["components"]["schemas"]["AnalyticsTotals"]["properties"]
    rate = totals["consensus_rate"]["anyOf"][0]
    assert (rate["minimum"], rate["maximum"]) == (0, 100)
