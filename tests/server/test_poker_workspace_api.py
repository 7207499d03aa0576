"""The poker workspace over REST: team defaults, room templates, and sessions made from a
template, each account seeing only its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from models import ApiToken, PokerSession, RoomTemplate, Story, User
from services.poker.templates import MAX_STORIES, MAX_TEMPLATES
from services.security import PAT_PREFIX, new_token, sha256
from tests.conftest import TEST_SECRET
from tests.factories import bearer, user_with_headers

Headers = dict[str, Any]
STORIES = [
    {
        "title": "Sign-in page",
        "description": "Email and password",
        "acceptance_criteria": "- Errors are shown",
    },
    {"title": "Password reset"},
]


def _failure(res: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The poker error body, after checking its status and envelope."""
    assert res.status_code == status, res.text
    body: dict[str, Any] = res.json()
    assert body["success"] is False
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


async def _defaults(client: httpx.AsyncClient, headers: Headers, **changes: Any) -> dict[str, Any]:
    res = await client.patch("/api/workspace", json=changes, headers=headers)
    assert res.status_code == 200, res.text
    workspace: dict[str, Any] = res.json()["workspace"]
    return workspace


async def _template(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    res = await client.post(
        "/api/workspace/templates", json={"name": "Refinement"} | body, headers=headers
    )
    assert res.status_code == 201, res.text
    assert res.json()["success"] is True
    template: dict[str, Any] = res.json()["template"]
    return template


async def _session(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    res = await client.post("/api/sessions", json={"name": "Sprint 42"} | body, headers=headers)
    assert res.status_code == 201, res.text
    session: dict[str, Any] = res.json()["session"]
    return session


async def _pat(user: User, *scopes: str) -> Headers:
    token = new_token(PAT_PREFIX)
    await ApiToken.create(
        user=user, name="script", prefix=token[:12], token_hash=sha256(token), scopes=list(scopes)
    )
    return bearer(token)


# Team defaults


async def test_a_new_account_sees_the_built_in_defaults(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    res = await client.get("/api/workspace", headers=headers)
    assert res.status_code == 200
    assert res.json() == {
        "success": True,
        "workspace": {
            "voting_system": "fibonacci",
            "custom_deck_name": None,
            "deck": ["0", "0.5", "1", "2", "3", "5", "8", "13", "20", "40", "100", "?", "coffee"],
            "record_vote_names": True,
            "async_voting_enabled": False,
            "auto_reveal": False,
            "timer_seconds": 60,
            "templates_count": 0,
            "updated_at": None,
        },
    }


async def test_changing_the_defaults_keeps_the_fields_not_sent(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    first = await _defaults(client, headers, auto_reveal=True, timer_seconds=90)
    assert (first["auto_reveal"], first["timer_seconds"]) == (True, 90)
    assert first["updated_at"].endswith("Z")
    second = await _defaults(
        client,
        headers,
        voting_system="custom",
        custom_deck_name="Risk",
        custom_deck_values=["low", "mid", "high"],
    )
    assert second["auto_reveal"] is True and second["timer_seconds"] == 90
    assert second["deck"] == ["low", "mid", "high"]
    # The custom deck keeps its cards when only its name changes, and null clears the name.
    third = await _defaults(client, headers, custom_deck_name=None, record_vote_names=False)
    assert third["deck"] == ["low", "mid", "high"] and third["custom_deck_name"] is None
    assert third["record_vote_names"] is False
    res = await client.get("/api/workspace", headers=headers)
    assert res.json()["workspace"] == third
    # Another deck drops the custom cards and their name.
    tshirt = await _defaults(client, headers, voting_system="tshirt")
    assert tshirt["deck"][0] == "XS" and tshirt["custom_deck_name"] is None
    assert (await _defaults(client, headers)) == tshirt


async def test_each_account_has_its_own_defaults(client: httpx.AsyncClient) -> None:
    _, mine = await user_with_headers()
    _, theirs = await user_with_headers()
    await _defaults(client, mine, voting_system="tshirt")
    res = await client.get("/api/workspace", headers=theirs)
    assert res.json()["workspace"]["voting_system"] == "fibonacci"


async def test_a_new_session_takes_the_defaults_and_the_request_overrides_them(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await user_with_headers()
    await _defaults(
        client,
        headers,
        voting_system="custom",
        custom_deck_name="Risk",
        custom_deck_values=["low", "mid", "high"],
        record_vote_names=False,
        async_voting_enabled=True,
        auto_reveal=True,
        timer_seconds=120,
    )
    plain = await _session(client, headers)
    assert plain["voting_system"] == "custom"
    assert plain["custom_deck_name"] == "Risk"
    assert plain["deck"] == ["low", "mid", "high"]
    assert plain["record_vote_names"] is False
    assert plain["async_voting_enabled"] is True
    assert plain["auto_reveal"] is True
    assert plain["timer_seconds"] == 120
    mine = await _session(
        client,
        headers,
        voting_system="fibonacci",
        record_vote_names=True,
        auto_reveal=False,
        timer_seconds=30,
    )
    assert mine["voting_system"] == "fibonacci" and mine["custom_deck_name"] is None
    assert mine["deck"][:3] == ["0", "0.5", "1"]
    assert mine["record_vote_names"] is True and mine["auto_reveal"] is False
    assert mine["async_voting_enabled"] is True and mine["timer_seconds"] == 30
    # Own cards on the default custom deck; the default deck's name stays.
    cards = await _session(client, headers, custom_deck_values=["S", "M", "L"])
    assert cards["deck"] == ["S", "M", "L"] and cards["custom_deck_name"] == "Risk"
    # Sessions made earlier keep their settings when the defaults change.
    await _defaults(client, headers, voting_system="tshirt", auto_reveal=False)
    res = await client.get(f"/api/sessions/{plain['code']}", headers=headers)
    assert res.json()["session"]["deck"] == ["low", "mid", "high"]
    assert res.json()["session"]["auto_reveal"] is True


async def test_a_session_changes_its_timer_length(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    session = await _session(client, headers)
    assert session["timer_seconds"] == 60
    url = f"/api/sessions/{session['code']}"
    res = await client.patch(url, json={"timer_seconds": 300}, headers=headers)
    assert res.json()["session"]["timer_seconds"] == 300
    res = await client.patch(url, json={"timer_seconds": 4}, headers=headers)
    assert list(_failure(res, 422, "invalid")["errors"]) == ["timer_seconds"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"voting_system": "planets"}, "voting_system"),
        ({"voting_system": None}, "voting_system"),
        ({"record_vote_names": "yes"}, "record_vote_names"),
        ({"async_voting_enabled": 1}, "async_voting_enabled"),
        ({"auto_reveal": None}, "auto_reveal"),
        ({"timer_seconds": 4}, "timer_seconds"),
        ({"timer_seconds": 3601}, "timer_seconds"),
        ({"timer_seconds": "60"}, "timer_seconds"),
        ({"timer_seconds": 60.5}, "timer_seconds"),
        ({"custom_deck_name": "d" * 51}, "custom_deck_name"),
        ({"voting_system": "custom"}, "custom_deck_values"),
        ({"voting_system": "custom", "custom_deck_values": ["only"]}, "custom_deck_values"),
        ({"voting_system": "custom", "custom_deck_values": ["a", "a"]}, "custom_deck_values"),
        ({"custom_deck_values": ["S", "M"]}, "custom_deck_values"),
        ({"custom_deck_name": "Risk"}, "custom_deck_name"),
        ({"custom_deck_values": "S,M"}, "custom_deck_values"),
        ({"deck": ["S", "M"]}, "deck"),
        ({"name": "Team"}, "name"),
    ],
)
async def test_bad_defaults_are_refused_with_422_and_nothing_changes(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    _, headers = await user_with_headers()
    res = await client.patch("/api/workspace", json=body, headers=headers)
    data = _failure(res, 422, "invalid")
    assert list(data["errors"]) == [field]
    after = (await client.get("/api/workspace", headers=headers)).json()["workspace"]
    assert after["voting_system"] == "fibonacci" and after["updated_at"] is None


async def test_malformed_non_object_and_oversized_bodies(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    json_headers = headers | {"content-type": "application/json"}
    for method, url in [
        ("PATCH", "/api/workspace"),
        ("POST", "/api/workspace/templates"),
    ]:
        res = await client.request(method, url, content=b'{"auto_reveal": tr', headers=json_headers)
        assert res.status_code == 400
        assert res.json() == {"success": False, "message": "Malformed JSON body", "code": "invalid"}
        res = await client.request(method, url, json=["auto_reveal"], headers=headers)
        assert _failure(res, 422, "invalid")["errors"] == {"body": ["not an object"]}
        res = await client.request(method, url, data={"name": "x"}, headers=headers)
        assert _failure(res, 400, "invalid")["message"] == "Send the body as application/json"
    res = await client.patch(
        "/api/workspace", json={"custom_deck_name": "n" * 70_000}, headers=headers
    )
    _failure(res, 413, "invalid")
    huge = [{"title": "t" * 500, "description": "d" * 5000, "acceptance_criteria": "a" * 5000}]
    res = await client.post(
        "/api/workspace/templates", json={"name": "Big", "stories": huge * 210}, headers=headers
    )
    _failure(res, 413, "invalid")
    assert await RoomTemplate.all().count() == 0


# Templates


async def test_a_template_takes_the_defaults_of_its_moment(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    await _defaults(client, headers, voting_system="tshirt", timer_seconds=45)
    template = await _template(
        client, headers, description="Every second Tuesday", auto_reveal=True, stories=STORIES
    )
    assert isinstance(template["id"], int)
    assert template["name"] == "Refinement"
    assert template["description"] == "Every second Tuesday"
    assert template["voting_system"] == "tshirt" and template["deck"][0] == "XS"
    assert template["timer_seconds"] == 45 and template["auto_reveal"] is True
    assert template["stories"] == [
        STORIES[0],
        {"title": "Password reset", "description": "", "acceptance_criteria": ""},
    ]
    assert template["created_at"].endswith("Z")
    # Later defaults do not change a saved template.
    await _defaults(client, headers, voting_system="fibonacci")
    res = await client.get(f"/api/workspace/templates/{template['id']}", headers=headers)
    assert res.json() == {"success": True, "template": template}
    workspace = (await client.get("/api/workspace", headers=headers)).json()["workspace"]
    assert workspace["templates_count"] == 1


async def test_templates_are_listed_by_name_changed_and_deleted(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await user_with_headers()
    retro = await _template(client, headers, name="Retro sizing")
    refinement = await _template(client, headers, name="Refinement", stories=STORIES)
    res = await client.get("/api/workspace/templates", headers=headers)
    assert res.status_code == 200
    assert [t["name"] for t in res.json()["templates"]] == ["Refinement", "Retro sizing"]
    url = f"/api/workspace/templates/{refinement['id']}"
    res = await client.patch(
        url,
        json={
            "name": "Backlog refinement",
            "voting_system": "custom",
            "custom_deck_values": ["1", "2", "4"],
            "stories": [{"title": "Checkout"}],
        },
        headers=headers,
    )
    assert res.status_code == 200, res.text
    changed = res.json()["template"]
    assert changed["name"] == "Backlog refinement"
    assert changed["deck"] == ["1", "2", "4"]
    assert [s["title"] for s in changed["stories"]] == ["Checkout"]
    assert changed["record_vote_names"] is True and changed["description"] == ""
    # An empty change changes nothing; an empty list clears the stories.
    assert (await client.patch(url, json={}, headers=headers)).json()["template"][
        "stories"
    ] == changed["stories"]
    res = await client.patch(url, json={"stories": []}, headers=headers)
    assert res.json()["template"]["stories"] == []
    # Renaming onto another template's name is a conflict.
    res = await client.patch(url, json={"name": "Retro sizing"}, headers=headers)
    assert _failure(res, 409, "conflict")["message"] == "You already have a template with that name"
    res = await client.delete(f"/api/workspace/templates/{retro['id']}", headers=headers)
    assert res.json() == {"success": True, "message": "Template deleted"}
    res = await client.get(f"/api/workspace/templates/{retro['id']}", headers=headers)
    assert _failure(res, 404, "not_found")["message"] == "Template not found"
    listed = (await client.get("/api/workspace/templates", headers=headers)).json()
    assert [t["name"] for t in listed["templates"]] == ["Backlog refinement"]


async def test_template_names_are_unique_per_account(client: httpx.AsyncClient) -> None:
    _, mine = await user_with_headers()
    _, theirs = await user_with_headers()
    await _template(client, mine, name="Refinement")
    res = await client.post("/api/workspace/templates", json={"name": " Refinement "}, headers=mine)
    assert _failure(res, 409, "conflict")["message"] == "You already have a template with that name"
    await _template(client, theirs, name="Refinement")
    await _template(client, mine, name="refinement")


async def test_an_account_has_a_bounded_number_of_templates(client: httpx.AsyncClient) -> None:
    user, headers = await user_with_headers()
    await RoomTemplate.bulk_create(
        [RoomTemplate(owner_id=user.id, name=f"T{i}") for i in range(MAX_TEMPLATES)]
    )
    res = await client.post("/api/workspace/templates", json={"name": "One more"}, headers=headers)
    message = _failure(res, 409, "conflict")["message"]
    assert message == f"You can have at most {MAX_TEMPLATES} templates; delete one first"
    await client.delete(
        f"/api/workspace/templates/{(await RoomTemplate.first()).id}",  # type: ignore[union-attr]
        headers=headers,
    )
    await _template(client, headers, name="One more")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": "a\u0000b"}, "name"),
        ({"name": "T", "description": "d" * 5001}, "description"),
        ({"name": "T", "voting_system": "planets"}, "voting_system"),
        ({"name": "T", "auto_reveal": "true"}, "auto_reveal"),
        ({"name": "T", "timer_seconds": 0}, "timer_seconds"),
        ({"name": "T", "voting_system": "custom"}, "custom_deck_values"),
        ({"name": "T", "custom_deck_values": ["S", "M"]}, "custom_deck_values"),
        ({"name": "T", "stories": "Login"}, "stories"),
        ({"name": "T", "stories": [{"title": "Login"}] * (MAX_STORIES + 1)}, "stories"),
        ({"name": "T", "stories": [{}]}, "stories.0.title"),
        ({"name": "T", "stories": [{"title": ""}]}, "stories.0.title"),
        ({"name": "T", "stories": [{"title": "t" * 501}]}, "stories.0.title"),
        ({"name": "T", "stories": [{"title": "L", "points": 3}]}, "stories.0.points"),
        ({"name": "T", "stories": [{"title": "L", "description": 5}]}, "stories.0.description"),
        ({"name": "T", "colour": "blue"}, "colour"),
        ({"name": "T", "id": 7}, "id"),
        ({"name": "T", "owner_id": "someone"}, "owner_id"),
    ],
)
async def test_bad_templates_are_refused_with_422(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    _, headers = await user_with_headers()
    res = await client.post("/api/workspace/templates", json=body, headers=headers)
    data = _failure(res, 422, "invalid")
    assert list(data["errors"]) == [field]
    assert data["errors"][field][0] in data["message"]
    assert await RoomTemplate.all().count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"description": None}, "description"),
        ({"stories": None}, "stories"),
        ({"stories": [{"title": "L", "extra": 1}]}, "stories.0.extra"),
        ({"timer_seconds": 9999}, "timer_seconds"),
        ({"custom_deck_values": ["S", "M"]}, "custom_deck_values"),
        ({"owner_id": "someone"}, "owner_id"),
    ],
)
async def test_bad_template_changes_are_refused_with_422(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    _, headers = await user_with_headers()
    template = await _template(client, headers, stories=STORIES)
    url = f"/api/workspace/templates/{template['id']}"
    res = await client.patch(url, json=body, headers=headers)
    assert list(_failure(res, 422, "invalid")["errors"]) == [field]
    assert (await client.get(url, headers=headers)).json()["template"] == template


# Sessions from a template


async def test_a_session_from_a_template_has_its_settings_and_stories(
    client: httpx.AsyncClient,
) -> None:
    owner, headers = await user_with_headers()
    template = await _template(
        client,
        headers,
        name="Refinement",
        description="Every second Tuesday",
        voting_system="tshirt",
        record_vote_names=False,
        timer_seconds=30,
        stories=STORIES,
    )
    res = await client.post(
        f"/api/workspace/templates/{template['id']}/sessions", json={}, headers=headers
    )
    assert res.status_code == 201, res.text
    body = res.json()
    assert set(body) == {"success", "session"} and body["success"] is True
    session = body["session"]
    assert session["name"] == "Refinement"
    assert session["description"] == "Every second Tuesday"
    assert session["owner_id"] == str(owner.id)
    assert session["voting_system"] == "tshirt" and session["deck"][0] == "XS"
    assert session["record_vote_names"] is False and session["timer_seconds"] == 30
    assert session["participants_count"] == 1 and session["moderator_id"] is not None
    # The first story is the current one, as when stories are added one by one.
    assert session["current_story"]["title"] == "Sign-in page"
    assert session["current_story"]["status"] == "voting"
    assert session["current_story"]["acceptance_criteria"] == "- Errors are shown"
    # It answers as POST /sessions does: the same shape, the same session on GET.
    plain = await _session(client, headers)
    assert set(session) == set(plain)
    got = await client.get(f"/api/sessions/{session['code']}", headers=headers)
    assert got.json() == {"success": True, "session": session}
    stories = (await client.get(f"/api/sessions/{session['code']}/stories")).json()["stories"]
    assert [(s["title"], s["position"], s["status"]) for s in stories] == [
        ("Sign-in page", 1, "voting"),
        ("Password reset", 2, "pending"),
    ]
    # The room plays as any other: a vote on the T-shirt deck lands on the first story.
    me = (await client.post(f"/api/sessions/{session['code']}/join", headers=headers)).json()
    vote = await client.post(
        f"/api/sessions/{session['code']}/vote",
        json={"participant_id": me["participant"]["id"], "vote": "M"},
        headers=headers,
    )
    assert vote.status_code == 200, vote.text
    assert vote.json()["vote"]["story_id"] == stories[0]["id"]


async def test_the_request_overrides_the_template(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    folder = (await client.post("/api/folders", json={"name": "Q4"}, headers=headers)).json()
    template = await _template(
        client,
        headers,
        voting_system="custom",
        custom_deck_name="Risk",
        custom_deck_values=["low", "high"],
        auto_reveal=True,
    )
    res = await client.post(
        f"/api/workspace/templates/{template['id']}/sessions",
        json={
            "name": "Sprint 43",
            "description": "",
            "folder_id": folder["folder"]["id"],
            "custom_deck_values": ["low", "mid", "high"],
            "auto_reveal": False,
            "timer_seconds": 240,
        },
        headers=headers,
    )
    assert res.status_code == 201, res.text
    session = res.json()["session"]
    assert session["name"] == "Sprint 43" and session["description"] == ""
    assert session["folder_id"] == folder["folder"]["id"]
    assert session["deck"] == ["low", "mid", "high"] and session["custom_deck_name"] == "Risk"
    assert session["auto_reveal"] is False and session["timer_seconds"] == 240
    assert session["current_story"] is None
    # The template itself is unchanged, and the workspace defaults played no part.
    again = await client.get(f"/api/workspace/templates/{template['id']}", headers=headers)
    assert again.json()["template"] == template


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"folder_id": "1"}, "folder_id"),
        ({"voting_system": "planets"}, "voting_system"),
        ({"record_vote_names": "no"}, "record_vote_names"),
        ({"timer_seconds": 3601}, "timer_seconds"),
        ({"stories": [{"title": "Extra"}]}, "stories"),
        ({"template": 3}, "template"),
    ],
)
async def test_bad_session_requests_from_a_template_are_refused(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    _, headers = await user_with_headers()
    template = await _template(client, headers, stories=STORIES)
    res = await client.post(
        f"/api/workspace/templates/{template['id']}/sessions", json=body, headers=headers
    )
    assert list(_failure(res, 422, "invalid")["errors"]) == [field]
    assert await PokerSession.all().count() == 0 and await Story.all().count() == 0


# Whose template


async def test_someone_elses_template_is_not_found(client: httpx.AsyncClient) -> None:
    _, mine = await user_with_headers()
    _, theirs = await user_with_headers(name="Zephyr")
    secret = await _template(client, theirs, name="Zephyr secret", stories=STORIES)
    url = f"/api/workspace/templates/{secret['id']}"
    for res in (
        await client.get(url, headers=mine),
        await client.patch(url, json={"name": "Mine now"}, headers=mine),
        await client.delete(url, headers=mine),
        await client.post(url + "/sessions", json={}, headers=mine),
    ):
        assert res.json() == {
            "success": False,
            "message": "Template not found",
            "code": "not_found",
        }
        assert res.status_code == 404
    listed = (await client.get("/api/workspace/templates", headers=mine)).json()
    assert listed["templates"] == []
    assert (await client.get(url, headers=theirs)).json()["template"] == secret
    assert await PokerSession.all().count() == 0


@pytest.mark.parametrize("template", ["0", "-1", "abc", "1.5", "99999999999", "%C3%A41"])
async def test_an_unknown_or_malformed_template_id_is_404(
    client: httpx.AsyncClient, template: str
) -> None:
    _, headers = await user_with_headers()
    await _template(client, headers)
    url = f"/api/workspace/templates/{template}"
    for res in (
        await client.get(url, headers=headers),
        await client.post(url + "/sessions", json={}, headers=headers),
    ):
        assert _failure(res, 404, "not_found")["message"] == "Template not found"


# Who may call


async def test_missing_bad_and_expired_tokens_are_401(client: httpx.AsyncClient) -> None:
    user, headers = await user_with_headers()
    template = await _template(client, headers)
    expired = jwt.encode(
        {
            "sub": str(user.id),
            "iat": datetime.now(UTC) - timedelta(days=2),
            "exp": datetime.now(UTC) - timedelta(days=1),
        },
        TEST_SECRET,
        algorithm="HS256",
    )
    calls = [
        ("GET", "/api/workspace", None),
        ("PATCH", "/api/workspace", {"auto_reveal": True}),
        ("GET", "/api/workspace/templates", None),
        ("POST", "/api/workspace/templates", {"name": "Other"}),
        ("GET", f"/api/workspace/templates/{template['id']}", None),
        ("PATCH", f"/api/workspace/templates/{template['id']}", {"name": "Other"}),
        ("DELETE", f"/api/workspace/templates/{template['id']}", None),
        ("POST", f"/api/workspace/templates/{template['id']}/sessions", {}),
    ]
    for auth, message in [
        ({}, "Missing bearer token"),
        (bearer("garbage"), "Invalid token"),
        (bearer(expired), "Token has expired"),
    ]:
        for method, url, body in calls:
            res = await client.request(method, url, json=body, headers=auth)
            assert res.status_code == 401, (method, url)
            assert res.json() == {"success": False, "message": message, "code": "unauthorized"}
    assert (await client.get("/api/workspace", headers=headers)).json()["workspace"][
        "auto_reveal"
    ] is False
    assert await RoomTemplate.all().count() == 1


async def test_tokens_need_the_poker_scopes_and_guests_an_account(
    client: httpx.AsyncClient,
) -> None:
    user, headers = await user_with_headers()
    template = await _template(client, headers, stories=STORIES)
    boards_only = await _pat(user, "projects:read", "projects:write")
    read_only = await _pat(user, "poker:read")
    res = await client.get("/api/workspace/templates", headers=boards_only)
    assert res.json() == {
        "success": False,
        "message": "This token lacks the 'poker:read' scope",
        "code": "forbidden",
    }
    assert (await client.get("/api/workspace", headers=read_only)).status_code == 200
    for method, url, body in [
        ("PATCH", "/api/workspace", {"auto_reveal": True}),
        ("POST", "/api/workspace/templates", {"name": "Other"}),
        ("POST", f"/api/workspace/templates/{template['id']}/sessions", {}),
    ]:
        res = await client.request(method, url, json=body, headers=read_only)
        assert _failure(res, 403, "forbidden")["message"] == (
            "This token lacks the 'poker:write' scope"
        )
    session = await _session(client, headers)
    joined = await client.post(f"/api/sessions/{session['code']}/join", json={"name": "Gus"})
    guest = bearer(joined.json()["token"])
    for method, url in [
        ("GET", "/api/workspace"),
        ("GET", "/api/workspace/templates"),
        ("POST", f"/api/workspace/templates/{template['id']}/sessions"),
    ]:
        res = await client.request(
            method, url, json={} if method == "POST" else None, headers=guest
        )
        _failure(res, 403, "forbidden")
    assert await PokerSession.all().count() == 1


# The OpenAPI document


async def test_openapi_describes_the_workspace_endpoints(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/api/openapi.json")).json()
    paths, schemas = doc["paths"], doc["components"]["schemas"]
    bodies = {
        ("/api/workspace", "patch"): "RoomSettingsUpdate",
        ("/api/workspace/templates", "post"): "TemplateCreate",
        ("/api/workspace/templates/{template}", "patch"): "TemplateUpdate",
        ("/api/workspace/templates/{template}/sessions", "post"): "TemplateSessionCreate",
    }
    for (path, method), model in bodies.items():
        body = paths[path][method]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{model}"}, (path, method)
    answers = {
        ("/api/workspace", "get", "200"): "WorkspaceResponse",
        ("/api/workspace", "patch", "200"): "WorkspaceResponse",
        ("/api/workspace/templates", "get", "200"): "TemplateListResponse",
        ("/api/workspace/templates", "post", "201"): "TemplateResponse",
        ("/api/workspace/templates/{template}", "get", "200"): "TemplateResponse",
        ("/api/workspace/templates/{template}", "delete", "200"): "MessageResponse",
        ("/api/workspace/templates/{template}/sessions", "post", "201"): "SessionResponse",
    }
    for (path, method, status), model in answers.items():
        content = paths[path][method]["responses"][status]["content"]["application/json"]
        assert content["schema"] == {"$ref": f"#/components/schemas/{model}"}, (path, method)
        assert paths[path][method]["security"] == [{"bearer": []}]
    create = schemas["TemplateCreate"]
    assert create["required"] == ["name"]
    assert (
        create["properties"]["name"]["minLength"],
        create["properties"]["name"]["maxLength"],
    ) == (
        1,
        100,
    )
    assert create["properties"]["stories"]["maxItems"] == MAX_STORIES
    assert create["additionalProperties"] is False
    timer = schemas["RoomSettingsUpdate"]["properties"]["timer_seconds"]
    assert (timer["minimum"], timer["maximum"]) == (5, 3600)
    # Settings a new session leaves out come from the workspace, so none is required.
    assert schemas["SessionCreate"]["required"] == ["name"]
    assert "default" not in schemas["SessionCreate"]["properties"]["voting_system"]
    assert "409" in paths["/api/workspace/templates"]["post"]["responses"]
