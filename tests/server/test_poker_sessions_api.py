"""Planning-poker sessions over REST: create, list, read, change, join, hand over, kick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from models import ApiToken, User
from services.poker.codes import ALPHABET
from services.security import PAT_PREFIX, new_token, sha256
from tests.conftest import TEST_SECRET
from tests.factories import bearer, create_user, user_with_headers

Headers = dict[str, Any]


def _failure(res: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The poker error body, after checking its status and envelope."""
    assert res.status_code == status, res.text
    body: dict[str, Any] = res.json()
    assert body["success"] is False
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


async def _create(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    res = await client.post("/api/sessions", json={"name": "Sprint 42"} | body, headers=headers)
    assert res.status_code == 201, res.text
    session: dict[str, Any] = res.json()["session"]
    return session


async def _join(
    client: httpx.AsyncClient, code: str, name: str = "Alice", **extra: Any
) -> dict[str, Any]:
    headers = extra.pop("headers", None)
    res = await client.post(
        f"/api/sessions/{code}/join", json={"name": name, **extra}, headers=headers
    )
    assert res.status_code == 200, res.text
    body: dict[str, Any] = res.json()
    return body


async def _pat(user: User, *scopes: str, revoked: bool = False) -> Headers:
    token = new_token(PAT_PREFIX)
    await ApiToken.create(
        user=user,
        name="script",
        prefix=token[:12],
        token_hash=sha256(token),
        scopes=list(scopes),
        revoked_at=datetime.now(UTC) if revoked else None,
    )
    return bearer(token)


# Creating


async def test_create_answers_201_with_a_generated_join_code(client: httpx.AsyncClient) -> None:
    owner, headers = await user_with_headers(name="Olivia")
    res = await client.post(
        "/api/sessions",
        json={"name": "  Sprint 42 Planning ", "description": "Estimate authentication stories"},
        headers=headers,
    )
    assert res.status_code == 201
    body = res.json()
    assert body["success"] is True
    session = body["session"]
    assert session["name"] == "Sprint 42 Planning"
    assert session["description"] == "Estimate authentication stories"
    assert session["status"] == "active"
    assert len(session["code"]) == 6 and set(session["code"]) <= set(ALPHABET)
    assert session["owner_id"] == str(owner.id)
    assert session["voting_system"] == "fibonacci"
    assert session["deck"][:4] == ["0", "0.5", "1", "2"]
    assert session["participants_count"] == 1
    assert session["moderator_id"] is not None
    assert session["current_story"] is None
    assert session["created_at"].endswith("Z")


async def test_a_custom_deck_needs_its_values(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    session = await _create(
        client,
        headers,
        voting_system="custom",
        custom_deck_name="Risk deck",
        custom_deck_values=["XS", "S", "M", "L", "XL"],
    )
    assert session["deck"] == ["XS", "S", "M", "L", "XL"]
    assert session["custom_deck_name"] == "Risk deck"
    res = await client.post(
        "/api/sessions", json={"name": "R", "voting_system": "custom"}, headers=headers
    )
    body = _failure(res, 422, "invalid")
    assert list(body["errors"]) == ["custom_deck_values"]


async def test_create_in_your_own_folder_but_not_in_another_users(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await user_with_headers()
    _, other = await user_with_headers()
    folder = (await client.post("/api/folders", json={"name": "Q4"}, headers=headers)).json()
    session = await _create(client, headers, folder_id=folder["folder"]["id"])
    assert session["folder_id"] == folder["folder"]["id"]
    res = await client.post(
        "/api/sessions", json={"name": "Mine", "folder_id": folder["folder"]["id"]}, headers=other
    )
    assert _failure(res, 404, "not_found")["message"] == "Folder not found"


LONG = "x" * 5001


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"name": "a\u0000b"}, "name"),
        ({"name": "S", "description": LONG}, "description"),
        ({"name": "S", "folder_id": "1"}, "folder_id"),
        ({"name": "S", "folder_id": 1.5}, "folder_id"),
        ({"name": "S", "folder_id": 2**40}, "folder_id"),
        ({"name": "S", "record_vote_names": "yes"}, "record_vote_names"),
        ({"name": "S", "async_voting_enabled": 1}, "async_voting_enabled"),
        ({"name": "S", "voting_system": "planets"}, "voting_system"),
        ({"name": "S", "custom_deck_name": "d" * 51}, "custom_deck_name"),
        ({"name": "S", "custom_deck_values": [str(i) for i in range(31)]}, "custom_deck_values"),
        ({"name": "S", "custom_deck_values": ["v" * 21, "b"]}, "custom_deck_values.0"),
        ({"name": "S", "custom_deck_values": "XS,S"}, "custom_deck_values"),
        ({"name": "S", "colour": "blue"}, "colour"),
    ],
)
async def test_create_refuses_bad_fields_with_422(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    _, headers = await user_with_headers()
    res = await client.post("/api/sessions", json=body, headers=headers)
    data = _failure(res, 422, "invalid")
    assert list(data["errors"]) == [field]
    assert data["message"] == f"{field}: {data['errors'][field][0]}"
    assert set(data) == {"success", "message", "code", "errors"}


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    res = await client.post(
        "/api/sessions",
        content=b'{"name": "Sprint",',
        headers=headers | {"content-type": "application/json"},
    )
    assert res.status_code == 400
    assert res.json() == {"success": False, "message": "Malformed JSON body", "code": "invalid"}


async def test_a_body_that_is_not_an_object_is_422(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    res = await client.post("/api/sessions", json=["Sprint 42"], headers=headers)
    assert res.status_code == 422
    assert res.json() == {
        "success": False,
        "message": "The body must be a JSON object",
        "code": "invalid",
        "errors": {"body": ["not an object"]},
    }


async def test_a_form_body_is_400_and_an_oversized_one_413(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    res = await client.post("/api/sessions", data={"name": "Sprint"}, headers=headers)
    assert _failure(res, 400, "invalid")["message"] == "Send the body as application/json"
    res = await client.post("/api/sessions", json={"name": "n" * 70_000}, headers=headers)
    _failure(res, 413, "invalid")


# Reading


async def test_anyone_with_the_code_can_read_the_session(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    res = await client.get(f"/api/sessions/{session['code']}")
    assert res.status_code == 200
    assert res.json() == {"success": True, "session": session}
    typed = await client.get(f"/api/sessions/{session['code'].lower()}")
    assert typed.json()["session"]["id"] == session["id"]


@pytest.mark.parametrize(
    "code", ["ZZZZZZ", "abc", "ABC1234", "O0IL10", "ABC%2012", "%00%00%00", "ÄBCDEF"]
)
async def test_an_unknown_or_malformed_code_is_404(client: httpx.AsyncClient, code: str) -> None:
    for res in (
        await client.get(f"/api/sessions/{code}"),
        await client.get(f"/api/sessions/{code}/participants"),
        await client.post(f"/api/sessions/{code}/join", json={"name": "Alice"}),
    ):
        assert res.status_code == 404
        assert res.json() == {
            "success": False,
            "message": "No session with that code",
            "code": "not_found",
        }


async def test_list_is_paginated_and_shows_only_your_sessions(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    _, other = await user_with_headers()
    for name in ["Charlie", "alpha", "Bravo"]:
        await _create(client, headers, name=name)
    await _create(client, other, name="Not yours")
    res = await client.get("/api/sessions", params={"per_page": 2}, headers=headers)
    assert res.status_code == 200
    body = res.json()
    assert body["success"] is True
    assert body["meta"] == {"current_page": 1, "per_page": 2, "total": 3, "last_page": 2}
    # Newest first by default.
    assert [s["name"] for s in body["data"]] == ["Bravo", "alpha"]
    page2 = (
        await client.get("/api/sessions", params={"per_page": 2, "page": 2}, headers=headers)
    ).json()
    assert [s["name"] for s in page2["data"]] == ["Charlie"]
    beyond = (await client.get("/api/sessions", params={"page": 9}, headers=headers)).json()
    assert beyond["data"] == [] and beyond["meta"]["total"] == 3
    by_name = await client.get(
        "/api/sessions", params={"sort": "name", "order": "asc"}, headers=headers
    )
    assert [s["name"] for s in by_name.json()["data"]] == ["Bravo", "Charlie", "alpha"]


async def test_list_filters_by_status_and_folder(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    folder = (await client.post("/api/folders", json={"name": "Q4"}, headers=headers)).json()
    filed = await _create(client, headers, name="Filed", folder_id=folder["folder"]["id"])
    old = await _create(client, headers, name="Old")
    await client.patch(f"/api/sessions/{old['code']}", json={"status": "archived"}, headers=headers)
    archived = await client.get("/api/sessions", params={"status": "archived"}, headers=headers)
    assert [s["name"] for s in archived.json()["data"]] == ["Old"]
    in_folder = await client.get(
        "/api/sessions", params={"folder_id": folder["folder"]["id"]}, headers=headers
    )
    assert [s["id"] for s in in_folder.json()["data"]] == [filed["id"]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": "0"}, "query.per_page"),
        ({"per_page": "101"}, "query.per_page"),
        ({"page": "0"}, "query.page"),
        ({"page": "two"}, "query.page"),
        ({"status": "deleted"}, "query.status"),
        ({"sort": "owner"}, "query.sort"),
        ({"order": "sideways"}, "query.order"),
        ({"folder_id": "abc"}, "query.folder_id"),
        ({"perpage": "5"}, "query.perpage"),
    ],
)
async def test_list_refuses_bad_query_parameters(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    _, headers = await user_with_headers()
    res = await client.get("/api/sessions", params=params, headers=headers)
    assert list(_failure(res, 422, "invalid")["errors"]) == [field]


# Changing


async def test_the_owner_changes_only_the_fields_sent(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers, description="Keep me")
    res = await client.patch(
        f"/api/sessions/{session['code']}",
        json={"name": "Updated Name", "record_vote_names": False, "voting_system": "tshirt"},
        headers=headers,
    )
    assert res.status_code == 200
    updated = res.json()["session"]
    assert updated["name"] == "Updated Name"
    assert updated["description"] == "Keep me"
    assert updated["record_vote_names"] is False
    assert updated["async_voting_enabled"] is False
    assert updated["deck"][0] == "XS"
    assert updated["code"] == session["code"]


async def test_archive_and_unarchive(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    url = f"/api/sessions/{session['code']}"
    res = await client.patch(url, json={"status": "archived"}, headers=headers)
    assert res.json()["session"]["status"] == "archived"
    join = await client.post(f"{url}/join", json={"name": "Late"})
    assert _failure(join, 409, "conflict")["message"] == "This session is archived"
    res = await client.patch(url, json={"status": "active"}, headers=headers)
    assert res.json()["session"]["status"] == "active"
    await _join(client, session["code"], "Late")


async def test_moving_a_session_between_folders(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    _, other = await user_with_headers()
    mine = (await client.post("/api/folders", json={"name": "Q4"}, headers=headers)).json()
    theirs = (await client.post("/api/folders", json={"name": "Q4"}, headers=other)).json()
    session = await _create(client, headers)
    url = f"/api/sessions/{session['code']}"
    res = await client.patch(url, json={"folder_id": mine["folder"]["id"]}, headers=headers)
    assert res.json()["session"]["folder_id"] == mine["folder"]["id"]
    res = await client.patch(url, json={"folder_id": theirs["folder"]["id"]}, headers=headers)
    _failure(res, 404, "not_found")
    res = await client.patch(url, json={"folder_id": None}, headers=headers)
    assert res.json()["session"]["folder_id"] is None


async def test_only_the_owner_may_change_a_session(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    _, stranger = await user_with_headers()
    session = await _create(client, headers)
    url = f"/api/sessions/{session['code']}"
    res = await client.patch(url, json={"name": "Mine now"}, headers=stranger)
    assert res.json() == {
        "success": False,
        "message": "Only the session's owner can do this",
        "code": "forbidden",
    }
    assert res.status_code == 403
    guest = await _join(client, session["code"])
    res = await client.patch(url, json={"name": "Mine now"}, headers=bearer(guest["token"]))
    _failure(res, 403, "forbidden")
    _failure(await client.patch(url, json={"name": "Mine now"}), 401, "unauthorized")
    assert (await client.get(url)).json()["session"]["name"] == "Sprint 42"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"status": None}, "status"),
        ({"status": "deleted"}, "status"),
        ({"record_vote_names": "yes"}, "record_vote_names"),
        ({"auto_reveal": None}, "auto_reveal"),
        ({"description": LONG}, "description"),
        ({"code": "AAAAAA"}, "code"),
        ({"owner_id": "someone"}, "owner_id"),
    ],
)
async def test_update_refuses_bad_fields_with_422(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    res = await client.patch(f"/api/sessions/{session['code']}", json=body, headers=headers)
    assert list(_failure(res, 422, "invalid")["errors"]) == [field]


async def test_updating_an_unknown_session_is_404(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    res = await client.patch("/api/sessions/ZZZZZZ", json={"name": "X"}, headers=headers)
    _failure(res, 404, "not_found")


# Joining


async def test_a_guest_joins_with_a_name_and_gets_a_token(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    body = await _join(client, session["code"], " John Doe ")
    assert body["success"] is True
    participant = body["participant"]
    assert participant["name"] == "John Doe"
    assert participant["role"] == "participant"
    assert participant["kind"] == "guest"
    assert body["token"].startswith("rtg_")
    assert body["session"]["participants_count"] == 2
    # Presenting that token again keeps the same seat.
    again = await _join(client, session["code"], "John", headers=bearer(body["token"]))
    assert again["participant"]["id"] == participant["id"]
    assert again["token"] is None


async def test_a_signed_in_user_joins_as_themself(client: httpx.AsyncClient) -> None:
    _, owner = await user_with_headers()
    _, headers = await user_with_headers(name="Bob Builder")
    session = await _create(client, owner)
    res = await client.post(f"/api/sessions/{session['code']}/join", json={}, headers=headers)
    assert res.status_code == 200
    body = res.json()
    assert body["participant"]["name"] == "Bob Builder"
    assert body["participant"]["kind"] == "user"
    assert body["token"] is None
    again = await _join(client, session["code"], "Bobby", headers=headers)
    assert again["participant"]["id"] == body["participant"]["id"]
    assert again["session"]["participants_count"] == 2


async def test_spectators_join_to_watch(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    body = await _join(client, session["code"], "Watcher", spectator=True)
    assert body["participant"]["role"] == "spectator"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": 7}, "name"),
        ({"name": "Al", "spectator": "true"}, "spectator"),
        ({"name": "Al", "role": "moderator"}, "role"),
        ({"name": "Al", "user_id": 1}, "user_id"),
    ],
)
async def test_join_refuses_bad_bodies(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    res = await client.post(f"/api/sessions/{session['code']}/join", json=body)
    assert list(_failure(res, 422, "invalid")["errors"]) == [field]


async def test_join_with_a_bad_token_is_401_and_another_rooms_token_403(
    client: httpx.AsyncClient,
) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    other = await _create(client, headers, name="Other room")
    url = f"/api/sessions/{session['code']}/join"
    res = await client.post(url, json={"name": "Al"}, headers=bearer("rtg_not-a-real-token"))
    assert res.json() == {
        "success": False,
        "message": "Guest token is not valid",
        "code": "unauthorized",
    }
    foreign = await _join(client, other["code"], "Visitor")
    res = await client.post(url, json={"name": "Al"}, headers=bearer(foreign["token"]))
    _failure(res, 403, "forbidden")


async def test_participants_lists_everyone_with_their_role(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers(name="Olivia")
    session = await _create(client, headers)
    await _join(client, session["code"], "Alice")
    await _join(client, session["code"], "Watcher", spectator=True)
    res = await client.get(f"/api/sessions/{session['code']}/participants")
    assert res.status_code == 200
    people = res.json()["participants"]
    assert [(p["name"], p["role"], p["has_voted"]) for p in people] == [
        ("Olivia", "moderator", False),
        ("Alice", "participant", False),
        ("Watcher", "spectator", False),
    ]


# Moderator handover and kicking


async def test_the_moderator_hands_over_the_role(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    code = session["code"]
    alice = await _join(client, code, "Alice")
    bob = await _join(client, code, "Bob")
    alice_id = alice["participant"]["id"]
    denied = await client.post(
        f"/api/sessions/{code}/moderator",
        json={"participant_id": bob["participant"]["id"]},
        headers=bearer(alice["token"]),
    )
    assert _failure(denied, 403, "forbidden")["message"] == "Only the moderator can do this"
    res = await client.post(
        f"/api/sessions/{code}/moderator", json={"participant_id": alice_id}, headers=headers
    )
    assert res.status_code == 200
    assert res.json()["session"]["moderator_id"] == alice_id
    roles = {
        p["name"]: p["role"]
        for p in (await client.get(f"/api/sessions/{code}/participants")).json()["participants"]
    }
    assert roles["Alice"] == "moderator" and list(roles.values()).count("moderator") == 1
    # The new moderator runs the room with their guest token.
    story = await client.post(
        f"/api/sessions/{code}/stories", json={"title": "Login"}, headers=bearer(alice["token"])
    )
    assert story.status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"participant_id": "abc"}, 422, "participant_id"),
        ({"participant_id": "12"}, 422, "participant_id"),
        ({"participant_id": True}, 422, "participant_id"),
        ({}, 422, "participant_id"),
        ({"participant_id": 999_999}, 404, None),
    ],
)
async def test_handover_refuses_bad_targets(
    client: httpx.AsyncClient, body: dict[str, Any], status: int, field: str | None
) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    res = await client.post(
        f"/api/sessions/{session['code']}/moderator", json=body, headers=headers
    )
    error = _failure(res, status, "invalid" if status == 422 else "not_found")
    if field:
        assert list(error["errors"]) == [field]


async def test_a_kicked_guest_loses_their_seat_and_token(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    code = session["code"]
    alice = await _join(client, code, "Alice")
    bob = await _join(client, code, "Bob")
    alice_id = alice["participant"]["id"]
    denied = await client.delete(
        f"/api/sessions/{code}/participants/{alice_id}", headers=bearer(bob["token"])
    )
    _failure(denied, 403, "forbidden")
    res = await client.delete(f"/api/sessions/{code}/participants/{alice_id}", headers=headers)
    assert res.status_code == 200
    assert res.json() == {"success": True, "message": "Participant removed"}
    names = [
        p["name"]
        for p in (await client.get(f"/api/sessions/{code}/participants")).json()["participants"]
    ]
    assert "Alice" not in names
    res = await client.post(
        f"/api/sessions/{code}/vote",
        json={"participant_id": alice_id, "vote": "5"},
        headers=bearer(alice["token"]),
    )
    assert res.status_code == 401
    assert res.json() == {
        "success": False,
        "message": "Guest token is not valid",
        "code": "unauthorized",
    }
    again = await client.delete(f"/api/sessions/{code}/participants/{alice_id}", headers=headers)
    _failure(again, 404, "not_found")


@pytest.mark.parametrize("participant_id", ["abc", "-1", "0", "1.5", "99999999999999999999"])
async def test_kicking_a_malformed_participant_id_is_404(
    client: httpx.AsyncClient, participant_id: str
) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    res = await client.delete(
        f"/api/sessions/{session['code']}/participants/{participant_id}", headers=headers
    )
    assert res.json() == {
        "success": False,
        "message": "No such participant in this session",
        "code": "not_found",
    }


async def test_the_owner_cannot_be_kicked(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    res = await client.delete(
        f"/api/sessions/{session['code']}/participants/{session['moderator_id']}", headers=headers
    )
    _failure(res, 403, "forbidden")


# Tokens and scopes


async def test_creating_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    user = await create_user()
    expired = jwt.encode(
        {
            "sub": str(user.id),
            "ver": 0,
            "iat": datetime.now(UTC) - timedelta(hours=2),
            "exp": datetime.now(UTC) - timedelta(hours=1),
        },
        TEST_SECRET,
        algorithm="HS256",
    )
    forged = jwt.encode(
        {"sub": str(user.id), "iat": datetime.now(UTC), "exp": datetime.now(UTC) + timedelta(1)},
        "not-the-secret-" + "y" * 32,
        algorithm="HS256",
    )
    cases = [
        ({}, "Missing bearer token"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Missing bearer token"),
        (bearer("garbage"), "Invalid token"),
        (bearer(expired), "Token has expired"),
        (bearer(forged), "Invalid token"),
        (await _pat(user, "poker:write", revoked=True), "Token has been revoked"),
        (bearer(PAT_PREFIX + "unknown"), "Invalid token"),
    ]
    for headers, message in cases:
        res = await client.post("/api/sessions", json={"name": "S"}, headers=headers)
        assert res.status_code == 401, message
        assert res.json() == {"success": False, "message": message, "code": "unauthorized"}


async def test_a_guest_token_cannot_create_or_list_sessions(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    session = await _create(client, headers)
    guest = bearer((await _join(client, session["code"]))["token"])
    _failure(
        await client.post("/api/sessions", json={"name": "S"}, headers=guest), 403, "forbidden"
    )
    _failure(await client.get("/api/sessions", headers=guest), 403, "forbidden")


async def test_personal_access_tokens_need_poker_scopes(client: httpx.AsyncClient) -> None:
    user, headers = await user_with_headers()
    session = await _create(client, headers)
    code = session["code"]
    boards_only = await _pat(user, "projects:read", "projects:write")
    read_only = await _pat(user, "poker:read")
    read_write = await _pat(user, "poker:read", "poker:write")

    res = await client.get("/api/sessions", headers=boards_only)
    assert res.status_code == 403
    assert res.json() == {
        "success": False,
        "message": "This token lacks the 'poker:read' scope",
        "code": "forbidden",
    }
    _failure(await client.get(f"/api/sessions/{code}", headers=boards_only), 403, "forbidden")
    _failure(
        await client.get(f"/api/sessions/{code}/participants", headers=boards_only),
        403,
        "forbidden",
    )
    assert (await client.get("/api/sessions", headers=read_only)).status_code == 200
    assert (await client.get(f"/api/sessions/{code}", headers=read_only)).status_code == 200
    for headers_ in (boards_only, read_only):
        res = await client.post("/api/sessions", json={"name": "S"}, headers=headers_)
        assert _failure(res, 403, "forbidden")["message"] == (
            "This token lacks the 'poker:write' scope"
        )
        res = await client.patch(f"/api/sessions/{code}", json={"name": "X"}, headers=headers_)
        _failure(res, 403, "forbidden")
    assert (
        await client.post("/api/sessions", json={"name": "S"}, headers=read_write)
    ).status_code == 201


# The OpenAPI document


async def test_openapi_lists_the_poker_paths_with_their_schemas(
    client: httpx.AsyncClient,
) -> None:
    doc = (await client.get("/api/openapi.json")).json()
    paths = doc["paths"]
    expected = {
        ("/api/sessions", "post"): "SessionCreate",
        ("/api/sessions/{code}", "patch"): "SessionUpdate",
        ("/api/sessions/{code}/join", "post"): "JoinRequest",
        ("/api/sessions/{code}/moderator", "post"): "ModeratorRequest",
        ("/api/sessions/{code}/vote", "post"): "VoteRequest",
        ("/api/sessions/{code}/stories", "post"): "StoryCreate",
        ("/api/sessions/{code}/timer", "post"): "TimerRequest",
        ("/api/folders", "post"): "FolderCreate",
        ("/api/folders/{folder_id}", "patch"): "FolderUpdate",
    }
    for (path, method), model in expected.items():
        body = paths[path][method]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{model}"}, (path, method)
        assert model in doc["components"]["schemas"]
    for path, method in [
        ("/api/sessions", "get"),
        ("/api/sessions/{code}", "get"),
        ("/api/sessions/{code}/participants", "get"),
        ("/api/sessions/{code}/participants/{participant_id}", "delete"),
        ("/api/sessions/{code}/vote", "delete"),
        ("/api/sessions/{code}/stories", "get"),
        ("/api/stories/{story}/start", "post"),
        ("/api/stories/{story}/reveal", "post"),
        ("/api/sessions/{code}/restart", "post"),
        ("/api/folders", "get"),
        ("/api/folders/{folder_id}", "delete"),
    ]:
        assert method in paths[path], (path, method)
    schemas = doc["components"]["schemas"]
    name = schemas["SessionCreate"]["properties"]["name"]
    assert (name["minLength"], name["maxLength"]) == (1, 200)
    assert schemas["SessionCreate"]["required"] == ["name"]
    assert schemas["FolderCreate"]["properties"]["color"]["anyOf"][0]["pattern"]
    params = {p["name"] for p in paths["/api/sessions"]["get"]["parameters"]}
    assert params == {"folder_id", "status", "sort", "order", "per_page", "page"}
    created = paths["/api/sessions"]["post"]["responses"]["201"]["content"]["application/json"]
    assert created["schema"] == {"$ref": "#/components/schemas/SessionResponse"}
    assert "session" in schemas["SessionResponse"]["properties"]
