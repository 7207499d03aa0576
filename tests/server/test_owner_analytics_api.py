"""Analytics across the caller's own sessions: estimates per folder and the stories
whose revealed estimate changed later, on real sessions built over REST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from models import PokerSession
from server.api.poker_analytics_schemas import OwnerAnalyticsResponse
from tests.conftest import TEST_SECRET
from tests.factories import bearer, user_with_headers
from tests.server.test_poker_analytics_api import Headers, Room, _pat


async def _folder(client: httpx.AsyncClient, headers: Headers, name: str) -> int:
    res = await client.post("/api/folders", json={"name": name}, headers=headers)
    assert res.status_code == 201, res.text
    return int(res.json()["folder"]["id"])


async def _analytics(client: httpx.AsyncClient, headers: Headers, **params: Any) -> httpx.Response:
    return await client.get("/api/analytics", params=params, headers=headers)


def _described_by(body: dict[str, Any]) -> dict[str, Any]:
    parsed = OwnerAnalyticsResponse.model_validate(body)
    assert parsed.model_dump(mode="json", by_alias=True) == body
    return dict(body["analytics"])


async def _two_sprints(client: httpx.AsyncClient) -> tuple[Room, Room, Room, dict[str, int]]:
    """Sprint 1 and Sprint 2 folders with a session each, and one session unfiled."""
    owner, headers = await user_with_headers(name="Olivia")
    ids = {name: await _folder(client, headers, name) for name in ("Sprint 2", "Sprint 1")}
    one = await Room(client, owner, headers).open(
        name="Sprint 1 planning", folder_id=ids["Sprint 1"]
    )
    two = await Room(client, owner, headers).open(
        name="Sprint 2 planning", folder_id=ids["Sprint 2"]
    )
    loose = await Room(client, owner, headers).open(name="Ad hoc")
    return one, two, loose, ids


async def test_estimates_per_folder_and_changed_estimates(client: httpx.AsyncClient) -> None:
    one, two, loose, ids = await _two_sprints(client)
    await one.story("Login form", {"Alice": "3", "Bob": "3"})
    search = await one.story("Search", {"Alice": "5", "Bob": "5"})
    await one.revote(search, {"Alice": "8", "Bob": "8"})
    await one.story("Export", {"Alice": "8"}, reveal=False)
    same = await two.story("Checkout", {"Alice": "5"})
    # Re-voted to the same estimate: not a change.
    await two.revote(same, {"Alice": "5"})
    billing = await two.story("Billing", {"Alice": "2"})
    await two.revote(billing, {"Alice": "3"})
    await two.revote(billing, {"Alice": "13"})
    await loose.story("Spike", {"Alice": "?"})

    res = await _analytics(client, one.headers)
    assert res.status_code == 200, res.text
    data = _described_by(res.json())
    assert data["totals"] == {
        "folders": 2,
        "sessions": 3,
        "stories": 6,
        "estimated": 5,
        "points": 3 + 8 + 5 + 13,
        "changed": 2,
    }
    assert [f["name"] for f in data["folders"]] == ["Sprint 1", "Sprint 2", "Unfiled"]
    first, second, unfiled = data["folders"]
    assert first["folder"]["id"] == ids["Sprint 1"]
    assert first["stories"] == 3 and first["estimated"] == 2 and first["points"] == 11
    assert first["distribution"] == [{"value": "3", "count": 1}, {"value": "8", "count": 1}]
    assert first["average_estimate"] == 5.5
    assert [s["code"] for s in first["sessions"]] == [one.code]
    assert second["distribution"] == [{"value": "5", "count": 1}, {"value": "13", "count": 1}]
    # The unestimated export's vote stays out; a '?' is revealed without an estimate.
    assert unfiled["folder"] is None and unfiled["estimated"] == 1
    assert unfiled["points"] is None and unfiled["distribution"] == []
    changed = {c["title"]: c for c in data["changed"]}
    assert set(changed) == {"Search", "Billing"}
    assert changed["Billing"]["estimates"] == ["2", "3", "13"]
    assert changed["Billing"]["first_estimate"] == "2"
    assert changed["Billing"]["final_estimate"] == "13" and changed["Billing"]["rounds"] == 3
    assert changed["Billing"]["session"] == {"code": two.code, "name": "Sprint 2 planning"}
    assert changed["Search"]["estimates"] == ["5", "8"] and changed["Search"]["rounds"] == 2
    # The latest revealed first.
    assert [c["title"] for c in data["changed"]] == ["Billing", "Search"]


async def test_one_folder_and_a_date_range(client: httpx.AsyncClient) -> None:
    one, two, _loose, ids = await _two_sprints(client)
    await one.story("Login form", {"Alice": "3"})
    await two.story("Checkout", {"Alice": "5"})
    res = await _analytics(client, one.headers, folder_id=ids["Sprint 2"])
    data = _described_by(res.json())
    assert [f["name"] for f in data["folders"]] == ["Sprint 2"]
    assert data["filters"] == {"folder_id": ids["Sprint 2"], "from": None, "to": None}
    # The first sprint's session was created last month.
    month_ago = datetime.now(UTC) - timedelta(days=30)
    await PokerSession.filter(code=one.code).update(created_at=month_ago)
    today = datetime.now(UTC).date()
    recent = _described_by((await _analytics(client, one.headers, **{"from": today})).json())
    assert [f["name"] for f in recent["folders"]] == ["Sprint 2", "Unfiled"]
    early = {"from": month_ago.date().isoformat(), "to": month_ago.date().isoformat()}
    old = _described_by((await _analytics(client, one.headers, **early)).json())
    assert [f["name"] for f in old["folders"]] == ["Sprint 1"]
    assert old["filters"]["from"] == early["from"]


async def test_nothing_yet(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers(name="Newcomer")
    data = _described_by((await _analytics(client, headers)).json())
    assert data["folders"] == [] and data["changed"] == []
    assert data["totals"] == {
        "folders": 0,
        "sessions": 0,
        "stories": 0,
        "estimated": 0,
        "points": None,
        "changed": 0,
    }


async def test_only_the_callers_own_sessions(client: httpx.AsyncClient) -> None:
    one, _two, _loose, ids = await _two_sprints(client)
    await one.story("Secret roadmap", {"Alice": "3"})
    _, stranger = await user_with_headers(name="Stranger")
    data = _described_by((await _analytics(client, stranger)).json())
    assert data["folders"] == [] and "Secret roadmap" not in str(data)
    # Someone else's folder is not found, as in /folders.
    res = await _analytics(client, stranger, folder_id=ids["Sprint 1"])
    assert res.status_code == 404, res.text
    assert res.json()["code"] == "not_found" and "Sprint" not in res.text
    # A guest of the room is no account: the route takes signed-in users only.
    res = await _analytics(client, one.guests["Alice"])
    assert res.status_code == 403, res.text
    assert "signed-in account" in res.json()["message"]


async def test_a_caller_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    owner, _ = await user_with_headers(name="Olivia")
    expired = jwt.encode(
        {
            "sub": str(owner.id),
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
        res = await _analytics(client, headers)
        assert res.status_code == 401, message
        assert res.json() == {"success": False, "message": message, "code": "unauthorized"}


async def test_a_personal_access_token_needs_poker_read(client: httpx.AsyncClient) -> None:
    owner, _ = await user_with_headers(name="Olivia")
    refused = await _analytics(client, await _pat(owner, "projects:read", "poker:write"))
    assert refused.status_code == 403 and "poker:read" in refused.text
    allowed = await _analytics(client, await _pat(owner, "poker:read"))
    assert allowed.status_code == 200, allowed.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"folder_id": "abc"}, "folder_id"),
        ({"folder_id": "0"}, "folder_id"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "from"),
        ({"sprint": "1"}, "sprint"),
    ],
)
async def test_bad_query_parameters(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    _, headers = await user_with_headers(name="Olivia")
    res = await _analytics(client, headers, **params)
    assert res.status_code == 422, res.text
    body = res.json()
    assert body["success"] is False and body["code"] == "invalid"
    assert any(field in key for key in body["errors"]), body


async def test_the_schema_describes_the_answer(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/api/openapi.json")).json()
    op = doc["paths"]["/api/analytics"]["get"]
    assert {"200", "401", "403", "404", "422"} <= set(op["responses"])
    names = {p["name"] for p in op["parameters"]}
    assert {"folder_id", "from", "to"} <= names
