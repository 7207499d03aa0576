"""Reference stories: the owner's earlier revealed stories most alike the current one,
ranked on real story texts, and who may read them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from server.api.poker_analytics_schemas import ReferenceStoriesResponse
from tests.factories import bearer, user_with_headers
from tests.server.test_poker_analytics_api import Headers, Room, _pat

EARLIER = [
    (
        "Login page for returning users",
        "Users sign in with email and password on the login page.",
        "Wrong password shows an error; the login form keeps the email.",
        "5",
    ),
    (
        "Password reset by email",
        "A user who forgot the password gets a reset link to sign in again.",
        "The link expires after an hour.",
        "3",
    ),
    (
        "Export invoices as PDF",
        "Accountants download a month of invoices as one PDF file.",
        "Totals match the invoice list.",
        "8",
    ),
    (
        "Dark mode for the dashboard",
        "The dashboard follows the system colour scheme.",
        "Charts stay readable in dark mode.",
        "2",
    ),
    (
        "Two-factor authentication at login",
        "Sign-in asks for a one-time code from an authenticator app after the password.",
        "A wrong code is refused; the login form explains why.",
        "13",
    ),
]


class Calibrated(Room):
    async def add(self, title: str, description: str = "", criteria: str = "") -> str:
        res = await self.client.post(
            f"/api/sessions/{self.code}/stories",
            json={"title": title, "description": description, "acceptance_criteria": criteria},
            headers=self.headers,
        )
        assert res.status_code == 201, res.text
        return str(res.json()["story"]["id"])

    async def estimate(self, title: str, description: str, criteria: str, value: str) -> str:
        story_id = await self.add(title, description, criteria)
        await self.start(story_id)
        await self.vote({"Alice": value, "Bob": value})
        await self.reveal(story_id)
        return story_id

    async def start(self, story_id: str) -> None:
        res = await self.client.post(f"/api/stories/{story_id}/start", headers=self.headers)
        assert res.status_code == 200, res.text

    async def references(self, headers: Headers | None = None, **params: Any) -> httpx.Response:
        return await self.client.get(
            f"/api/sessions/{self.code}/reference-stories",
            params=params,
            headers=self.headers if headers is None else headers,
        )


def _described_by(body: dict[str, Any]) -> dict[str, Any]:
    parsed = ReferenceStoriesResponse.model_validate(body)
    assert parsed.model_dump(mode="json") == body
    return dict(body["reference_stories"])


async def _rooms(client: httpx.AsyncClient) -> tuple[Calibrated, Calibrated]:
    """Last sprint's session with its estimated stories, and this sprint's, empty."""
    owner, headers = await user_with_headers(name="Olivia")
    last = await Calibrated(client, owner, headers).open(name="Sprint 1")
    for story in EARLIER:
        await last.estimate(*story)
    now = await Calibrated(client, owner, headers).open(name="Sprint 2")
    return last, now


async def test_alike_stories_come_first_with_their_estimates(client: httpx.AsyncClient) -> None:
    _, now = await _rooms(client)
    story = await now.add(
        "Login form validation",
        "Validate the email and password fields of the login form before sign-in.",
        "An empty password is refused with a message.",
    )
    await now.start(story)
    res = await now.references()
    assert res.status_code == 200, res.text
    data = _described_by(res.json())
    assert data["story"] == {"id": story, "title": "Login form validation"}
    titles = [r["title"] for r in data["references"]]
    assert set(titles[:3]) == {
        "Login page for returning users",
        "Two-factor authentication at login",
        "Password reset by email",
    }, titles
    assert titles[0] == "Login page for returning users"
    # Invoices and dark mode share no word with it.
    assert "Export invoices as PDF" not in titles and "Dark mode for the dashboard" not in titles
    first = data["references"][0]
    assert first["final_estimate"] == "5" and first["session_name"] == "Sprint 1"
    assert first["description"].startswith("Users sign in")
    scores = [r["score"] for r in data["references"]]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    assert len(_described_by((await now.references(limit=1)).json())["references"]) == 1


async def test_they_follow_the_current_story(client: httpx.AsyncClient) -> None:
    _, now = await _rooms(client)
    login = await now.add("Remember me on the login page")
    invoices = await now.add("Email invoices to accountants", "Send each month's invoice PDF.")
    await now.start(login)
    first = _described_by((await now.references()).json())
    assert first["references"][0]["title"] == "Login page for returning users"
    await now.start(invoices)
    second = _described_by((await now.references()).json())
    assert second["story"]["id"] == invoices
    assert second["references"][0]["title"] == "Export invoices as PDF"


async def test_never_unrevealed_nor_another_owners(client: httpx.AsyncClient) -> None:
    last, now = await _rooms(client)
    # The same owner's story still being voted on, with votes cast.
    await last.story("Login audit log", {"Alice": "20"}, reveal=False)
    # A story re-voted and not yet revealed again shows no estimate either.
    redo = await last.estimate("Login throttling", "Slow down repeated login tries.", "", "8")
    res = await client.post(f"/api/sessions/{last.code}/restart", headers=last.headers)
    assert res.status_code == 200 and (await last.references()).status_code == 200
    # Another owner's revealed login story.
    stranger, headers = await user_with_headers(name="Stranger")
    other = await Calibrated(client, stranger, headers).open(name="Elsewhere")
    await other.estimate("Login form validation rules", "Login form and password.", "", "1")
    story = await now.add("Login form validation", "Login form fields and password.")
    await now.start(story)
    data = _described_by((await now.references(limit=20)).json())
    titles = {r["title"] for r in data["references"]}
    assert "Login page for returning users" in titles
    assert not titles & {"Login audit log", "Login throttling", "Login form validation rules"}
    assert redo not in {r["id"] for r in data["references"]}
    # The current story never lists itself, revealed or not.
    await now.vote({"Alice": "3"})
    await now.reveal(story)
    again = _described_by((await now.references(limit=20)).json())
    assert story not in {r["id"] for r in again["references"]}


async def test_nothing_to_compare(client: httpx.AsyncClient) -> None:
    owner, headers = await user_with_headers(name="Olivia")
    room = await Calibrated(client, owner, headers).open()
    # No current story yet.
    assert _described_by((await room.references()).json()) == {"story": None, "references": []}
    # A first story with nothing estimated before it.
    story = await room.add("Login form validation")
    await room.start(story)
    data = _described_by((await room.references()).json())
    assert data["story"]["id"] == story and data["references"] == []
    # Only stop words: nothing to match on.
    await room.estimate("Login page", "", "", "5")
    empty = await room.add("The")
    await room.start(empty)
    assert _described_by((await room.references()).json())["references"] == []


async def test_the_owner_and_the_people_in_the_room_may_read(client: httpx.AsyncClient) -> None:
    last, now = await _rooms(client)
    story = await now.add("Login form validation")
    await now.start(story)
    assert (await now.references(now.guests["Alice"])).status_code == 200
    _, stranger = await user_with_headers(name="Stranger")
    # People of another room of the same owner are not in this one.
    for headers in (stranger, last.guests["Alice"]):
        res = await now.references(headers)
        assert res.status_code == 403, res.text
        assert res.json()["success"] is False and "Login" not in res.text


async def test_a_caller_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    _, now = await _rooms(client)
    for headers, status in (({}, 401), (bearer("garbage"), 401)):
        res = await now.references(headers)
        assert res.status_code == status, res.text
        assert res.json()["code"] == "unauthorized"


async def test_a_personal_access_token_needs_poker_read(client: httpx.AsyncClient) -> None:
    _, now = await _rooms(client)
    refused = await now.references(await _pat(now.owner, "poker:write"))
    assert refused.status_code == 403 and "poker:read" in refused.text
    allowed = await now.references(await _pat(now.owner, "poker:read"))
    assert allowed.status_code == 200, allowed.text


@pytest.mark.parametrize("limit", ["0", "21", "five", "-1"])
async def test_a_bad_limit(client: httpx.AsyncClient, limit: str) -> None:
    owner, headers = await user_with_headers(name="Olivia")
    room = await Calibrated(client, owner, headers).open()
    res = await room.references(limit=limit)
    assert res.status_code == 422, res.text
    assert res.json()["code"] == "invalid" and "limit" in str(res.json()["errors"])


async def test_an_unknown_session_is_not_found(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers(name="Olivia")
    res = await client.get("/api/sessions/ZZZZZZ/reference-stories", headers=headers)
    assert res.status_code == 404 and res.json()["code"] == "not_found"


async def test_the_schema_describes_the_answer(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/api/openapi.json")).json()
    op = doc["paths"]["/api/sessions/{code}/reference-stories"]["get"]
    assert {"200", "401", "403", "404", "422"} <= set(op["responses"])
    limit = next(p for p in op["parameters"] if p["name"] == "limit")["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, 20)
