"""Playing a planning-poker round over REST: stories, votes, reveal, restarts and the timer."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from models import ApiToken, User
from server.api import poker_schemas as schemas
from services.security import PAT_PREFIX, new_token, sha256
from tests.factories import bearer, user_with_headers

Headers = dict[str, Any]


class Room:
    """A session created over REST by its owner, with guests joined through the API."""

    def __init__(self, client: httpx.AsyncClient, owner: User, headers: Headers) -> None:
        self.client = client
        self.owner = owner
        self.headers = headers
        self.session: dict[str, Any] = {}
        self.guests: dict[str, tuple[int, Headers]] = {}

    @property
    def code(self) -> str:
        return str(self.session["code"])

    async def open(self, **options: Any) -> Room:
        res = await self.client.post(
            "/api/sessions", json={"name": "Sprint 42"} | options, headers=self.headers
        )
        assert res.status_code == 201, res.text
        self.session = res.json()["session"]
        return self

    async def join(self, name: str, **extra: Any) -> tuple[int, Headers]:
        res = await self.client.post(
            f"/api/sessions/{self.code}/join", json={"name": name, **extra}
        )
        assert res.status_code == 200, res.text
        body = res.json()
        self.guests[name] = (body["participant"]["id"], bearer(body["token"]))
        return self.guests[name]

    async def add_story(self, title: str = "User login", **fields: Any) -> dict[str, Any]:
        res = await self.client.post(
            f"/api/sessions/{self.code}/stories",
            json={"title": title, **fields},
            headers=self.headers,
        )
        assert res.status_code == 201, res.text
        story: dict[str, Any] = res.json()["story"]
        return story

    async def vote(self, name: str, value: str, **extra: Any) -> httpx.Response:
        pid, headers = self.guests[name]
        return await self.client.post(
            f"/api/sessions/{self.code}/vote",
            json={"participant_id": pid, "vote": value, **extra},
            headers=headers,
        )

    async def reveal(self, story_id: str, headers: Headers | None = None) -> httpx.Response:
        return await self.client.post(
            f"/api/stories/{story_id}/reveal", headers=headers or self.headers
        )


@pytest.fixture
async def room(client: httpx.AsyncClient) -> Room:
    owner, headers = await user_with_headers(name="Olivia")
    return await Room(client, owner, headers).open()


def _failure(res: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.text
    body: dict[str, Any] = res.json()
    assert body["success"] is False
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


def _described_by(model: type[BaseModel], body: dict[str, Any]) -> None:
    """The response model documents every field the endpoint sent, with its type."""
    assert model.model_validate(body).model_dump(mode="json", exclude_unset=True) == body


# A round, end to end


async def test_a_full_round_from_creation_to_consensus(room: Room) -> None:
    client = room.client
    for name in ["Alice", "Bob", "Carol"]:
        await room.join(name)
    story = await room.add_story(
        "User login with email/password",
        description="Implement basic authentication",
        acceptance_criteria="- Form validation\n- JWT token\n- Error handling",
    )
    assert story["status"] == "voting"
    assert story["acceptance_criteria"] == "- Form validation\n- JWT token\n- Error handling"

    first = await room.vote("Alice", "5")
    assert first.status_code == 200
    body = first.json()
    assert body["success"] is True
    assert body["vote"]["value"] == "5"
    assert body["vote"]["participant_id"] == room.guests["Alice"][0]
    assert body["stats"] == {"votes_cast": 1, "total_participants": 4, "all_voted": False}
    _described_by(schemas.VoteResponse, body)
    assert (await room.vote("Bob", "8")).json()["stats"]["votes_cast"] == 2
    await room.vote("Carol", "5")
    # The owner is seated too, so the round is complete only with their vote.
    res = await client.post(
        f"/api/sessions/{room.code}/vote",
        json={"participant_id": room.session["moderator_id"], "vote": "5"},
        headers=room.headers,
    )
    assert res.json()["stats"] == {"votes_cast": 4, "total_participants": 4, "all_voted": True}

    # Before the reveal everyone sees who voted, never what.
    seen = (await client.get(f"/api/sessions/{room.code}")).json()["session"]
    assert sorted(seen["current_story"]["voted"]) == sorted(
        [*(pid for pid, _ in room.guests.values()), room.session["moderator_id"]]
    )
    assert seen["current_story"]["votes"] is None
    assert seen["current_story"]["final_estimate"] is None
    listed = (await client.get(f"/api/sessions/{room.code}/stories")).json()["stories"]
    assert listed[0]["votes"] is None and listed[0]["distribution"] is None

    res = await room.reveal(story["id"])
    assert res.status_code == 200
    revealed = res.json()["story"]
    assert revealed["status"] == "revealed"
    assert revealed["final_estimate"] == "5"
    assert [(v["participant"]["name"], v["value"], v["outlier"]) for v in revealed["votes"]] == [
        ("Olivia", "5", False),
        ("Alice", "5", False),
        ("Carol", "5", False),
        ("Bob", "8", False),
    ]
    assert revealed["distribution"] == {"5": 3, "8": 1}
    assert revealed["stats"]["average"] == 5.75
    assert revealed["stats"]["median"] == 5
    assert revealed["stats"]["agreement"] == 75
    _described_by(schemas.StoryResponse, res.json())

    again = await room.reveal(story["id"])
    assert _failure(again, 409, "conflict")["message"] == "This story is already revealed"
    late = await room.vote("Alice", "8")
    assert late.status_code == 409
    assert late.json() == {
        "success": False,
        "message": "Votes on this story are already revealed",
        "code": "conflict",
    }

    restarted = await client.post(f"/api/sessions/{room.code}/restart", headers=room.headers)
    assert restarted.status_code == 200
    story2 = restarted.json()["story"]
    assert (story2["round"], story2["status"], story2["votes_cast"]) == (2, "voting", 0)
    assert story2["history"][0]["final_estimate"] == "5"
    assert (await room.vote("Alice", "8")).status_code == 200
    session = (await client.get(f"/api/sessions/{room.code}")).json()
    _described_by(schemas.SessionResponse, session)


async def test_the_response_models_describe_every_endpoint(room: Room) -> None:
    client = room.client
    res = await client.post(f"/api/sessions/{room.code}/join", json={"name": "Alice"})
    _described_by(schemas.JoinResponse, res.json())
    story = await room.add_story()
    await room.add_story("Second")
    await room.join("Bob")
    await room.vote("Bob", "3")
    reads: list[tuple[str, type[BaseModel]]] = [
        (f"/api/sessions/{room.code}/stories", schemas.StoryListResponse),
        (f"/api/sessions/{room.code}/participants", schemas.ParticipantListResponse),
        ("/api/sessions", schemas.SessionListResponse),
    ]
    for path, model in reads:
        _described_by(model, (await client.get(path, headers=room.headers)).json())
    retracted = await client.delete(
        f"/api/sessions/{room.code}/vote", headers=room.guests["Bob"][1]
    )
    _described_by(schemas.RetractResponse, retracted.json())
    timer = await client.post(
        f"/api/sessions/{room.code}/timer", json={"seconds": 60}, headers=room.headers
    )
    _described_by(schemas.TimerResponse, timer.json())
    started = await client.post(f"/api/stories/{story['id']}/start", headers=room.headers)
    _described_by(schemas.StoryResponse, started.json())


async def test_hidden_names_reveal_values_without_voters(room: Room) -> None:
    await room.client.patch(
        f"/api/sessions/{room.code}", json={"record_vote_names": False}, headers=room.headers
    )
    story = await room.add_story()
    await room.join("Alice")
    await room.vote("Alice", "13")
    revealed = (await room.reveal(story["id"])).json()["story"]
    assert revealed["votes"] == [{"value": "13", "outlier": False}]


async def test_changing_and_retracting_a_vote(room: Room) -> None:
    await room.add_story()
    _, headers = await room.join("Alice")
    await room.vote("Alice", "3")
    changed = await room.vote("Alice", "8")
    assert changed.json()["vote"]["value"] == "8"
    assert changed.json()["stats"]["votes_cast"] == 1
    res = await room.client.delete(f"/api/sessions/{room.code}/vote", headers=headers)
    assert res.status_code == 200
    body = res.json()
    assert body["success"] is True and body["retracted"] is True
    assert body["stats"]["votes_cast"] == 0
    again = await room.client.delete(f"/api/sessions/{room.code}/vote", headers=headers)
    assert again.json()["retracted"] is False


async def test_a_signed_in_user_votes_with_their_own_token(room: Room) -> None:
    await room.add_story()
    _, headers = await user_with_headers()
    url = f"/api/sessions/{room.code}"
    not_joined = await room.client.post(
        f"{url}/vote", json={"participant_id": 1, "vote": "3"}, headers=headers
    )
    assert _failure(not_joined, 403, "forbidden")["message"] == "Join the session first"
    joined = (await room.client.post(f"{url}/join", json={}, headers=headers)).json()
    res = await room.client.post(
        f"{url}/vote",
        json={"participant_id": joined["participant"]["id"], "vote": "3"},
        headers=headers,
    )
    assert res.status_code == 200


async def test_auto_reveal_answers_with_the_revealed_story(client: httpx.AsyncClient) -> None:
    owner, headers = await user_with_headers()
    room = await Room(client, owner, headers).open(auto_reveal=True)
    await room.add_story()
    await room.join("Alice")
    assert (await room.vote("Alice", "3")).json()["revealed"] is None
    last = await room.client.post(
        f"/api/sessions/{room.code}/vote",
        json={"participant_id": room.session["moderator_id"], "vote": "3"},
        headers=headers,
    )
    revealed = last.json()["revealed"]
    assert revealed["status"] == "revealed"
    assert revealed["final_estimate"] == "3"


async def test_async_voting_takes_votes_on_queued_stories(client: httpx.AsyncClient) -> None:
    owner, headers = await user_with_headers()
    room = await Room(client, owner, headers).open(async_voting_enabled=True)
    await room.add_story("Now")
    later = await room.add_story("Later")
    await room.join("Alice")
    res = await room.vote("Alice", "2", story_id=later["id"])
    assert res.json()["vote"]["story_id"] == later["id"]
    assert (await room.reveal(later["id"])).json()["story"]["final_estimate"] == "2"


async def test_queued_stories_refuse_votes_without_async_voting(room: Room) -> None:
    await room.add_story("Now")
    later = await room.add_story("Later")
    await room.join("Alice")
    res = await room.vote("Alice", "2", story_id=later["id"])
    _failure(res, 409, "conflict")


# Refusals


async def test_voting_as_another_participant_is_403(room: Room) -> None:
    await room.add_story()
    await room.join("Alice")
    bob_id, _ = await room.join("Bob")
    _, alice_headers = room.guests["Alice"]
    res = await room.client.post(
        f"/api/sessions/{room.code}/vote",
        json={"participant_id": bob_id, "vote": "5"},
        headers=alice_headers,
    )
    assert res.status_code == 403
    assert res.json() == {
        "success": False,
        "message": "You can only vote as yourself",
        "code": "forbidden",
    }


async def test_a_vote_outside_the_deck_is_422(client: httpx.AsyncClient) -> None:
    owner, headers = await user_with_headers()
    room = await Room(client, owner, headers).open(voting_system="tshirt")
    await room.add_story()
    await room.join("Alice")
    res = await room.vote("Alice", "5")
    body = _failure(res, 422, "invalid")
    assert body["message"] == "'5' is not a card in this session's deck"
    assert body["errors"] == {"vote": ["must be one of: XS, S, M, L, XL, XXL, ?, coffee"]}
    assert (await room.vote("Alice", "XL")).status_code == 200


async def test_a_vote_with_no_open_story_is_409(room: Room) -> None:
    await room.join("Alice")
    res = await room.vote("Alice", "5")
    assert _failure(res, 409, "conflict")["message"] == "No story is open for voting"


async def test_spectators_cannot_vote(room: Room) -> None:
    await room.add_story()
    await room.join("Watcher", spectator=True)
    res = await room.vote("Watcher", "5")
    assert _failure(res, 403, "forbidden")["message"] == "Spectators watch but do not vote"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"vote": "5"}, "participant_id"),
        ({"participant_id": "abc", "vote": "5"}, "participant_id"),
        ({"participant_id": "1", "vote": "5"}, "participant_id"),
        ({"participant_id": 1.5, "vote": "5"}, "participant_id"),
        ({"participant_id": 0, "vote": "5"}, "participant_id"),
        ({"participant_id": 1}, "vote"),
        ({"participant_id": 1, "vote": ""}, "vote"),
        ({"participant_id": 1, "vote": 5}, "vote"),
        ({"participant_id": 1, "vote": "5" * 21}, "vote"),
        ({"participant_id": 1, "vote": "5", "story_id": "story-1"}, "story_id"),
        ({"participant_id": 1, "vote": "5", "name": "Mallory"}, "name"),
    ],
)
async def test_vote_refuses_bad_bodies_with_422(
    room: Room, body: dict[str, Any], field: str
) -> None:
    _, headers = await room.join("Alice")
    res = await room.client.post(f"/api/sessions/{room.code}/vote", json=body, headers=headers)
    data = _failure(res, 422, "invalid")
    assert list(data["errors"]) == [field]
    assert data["message"].startswith(f"{field}: ")


async def test_vote_malformed_json_and_non_object_bodies(room: Room) -> None:
    _, headers = await room.join("Alice")
    url = f"/api/sessions/{room.code}/vote"
    res = await room.client.post(
        url, content=b"{participant_id: 1}", headers=headers | {"content-type": "application/json"}
    )
    assert res.status_code == 400
    assert res.json() == {"success": False, "message": "Malformed JSON body", "code": "invalid"}
    res = await room.client.post(url, json="5", headers=headers)
    assert res.status_code == 422
    assert res.json()["errors"] == {"body": ["not an object"]}


async def test_vote_tokens_must_be_valid_and_of_this_session(
    client: httpx.AsyncClient, room: Room
) -> None:
    await room.add_story()
    alice_id, _ = await room.join("Alice")
    other = await Room(client, room.owner, room.headers).open(name="Other room")
    _, foreign = await other.join("Visitor")
    url = f"/api/sessions/{room.code}/vote"
    body = {"participant_id": alice_id, "vote": "5"}
    missing = await client.post(url, json=body)
    assert missing.json() == {
        "success": False,
        "message": "Missing bearer token",
        "code": "unauthorized",
    }
    assert missing.status_code == 401
    _failure(await client.post(url, json=body, headers=bearer("rtg_forged")), 401, "unauthorized")
    _failure(await client.post(url, json=body, headers=bearer("eyJ.x.y")), 401, "unauthorized")
    res = await client.post(url, json=body, headers=foreign)
    assert res.status_code == 403
    assert res.json()["message"] == "This guest token belongs to another session"


async def test_reveal_is_for_the_moderator_only(client: httpx.AsyncClient, room: Room) -> None:
    story = await room.add_story()
    _, alice = await room.join("Alice")
    _, stranger = await user_with_headers()
    for headers in (alice, stranger):
        res = await room.reveal(story["id"], headers)
        assert res.json() == {
            "success": False,
            "message": "Only the moderator can do this",
            "code": "forbidden",
        }
    _failure(await client.post(f"/api/stories/{story['id']}/reveal"), 401, "unauthorized")
    assert (await room.reveal(story["id"])).status_code == 200


@pytest.mark.parametrize("story_id", [str(uuid.uuid4()), "not-a-uuid", "1"])
async def test_unknown_stories_are_404(room: Room, story_id: str) -> None:
    for action in ("reveal", "start"):
        res = await room.client.post(f"/api/stories/{story_id}/{action}", headers=room.headers)
        assert res.json() == {"success": False, "message": "No such story", "code": "not_found"}


async def test_moderator_actions_refuse_participants(room: Room) -> None:
    story = await room.add_story()
    _, alice = await room.join("Alice")
    url = f"/api/sessions/{room.code}"
    for res in (
        await room.client.post(f"{url}/stories", json={"title": "Mine"}, headers=alice),
        await room.client.post(f"/api/stories/{story['id']}/start", headers=alice),
        await room.client.post(f"{url}/restart", headers=alice),
        await room.client.post(f"{url}/timer", json={"seconds": 30}, headers=alice),
    ):
        _failure(res, 403, "forbidden")


async def test_personal_access_tokens_need_poker_write_to_play(room: Room) -> None:
    await room.add_story()
    token = new_token(PAT_PREFIX)
    await ApiToken.create(
        user=room.owner,
        name="read only",
        prefix=token[:12],
        token_hash=sha256(token),
        scopes=["poker:read"],
    )
    res = await room.client.post(
        f"/api/sessions/{room.code}/vote",
        json={"participant_id": room.session["moderator_id"], "vote": "3"},
        headers=bearer(token),
    )
    assert _failure(res, 403, "forbidden")["message"] == "This token lacks the 'poker:write' scope"
    listed = await room.client.get(f"/api/sessions/{room.code}/stories", headers=bearer(token))
    assert listed.status_code == 200


# Stories and the timer


async def test_stories_queue_in_order_and_the_moderator_picks_the_current_one(
    room: Room,
) -> None:
    first = await room.add_story("First")
    second = await room.add_story("Second")
    assert second["status"] == "pending"
    listed = (await room.client.get(f"/api/sessions/{room.code}/stories")).json()
    assert listed["success"] is True
    assert [(s["title"], s["position"], s["status"]) for s in listed["stories"]] == [
        ("First", 1, "voting"),
        ("Second", 2, "pending"),
    ]
    res = await room.client.post(f"/api/stories/{second['id']}/start", headers=room.headers)
    assert res.status_code == 200
    assert res.json()["story"]["status"] == "voting"
    session = (await room.client.get(f"/api/sessions/{room.code}")).json()["session"]
    assert session["current_story_id"] == second["id"]
    assert first["id"] != session["current_story_id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": " "}, "title"),
        ({"title": "t" * 501}, "title"),
        ({"title": "T", "description": "d" * 5001}, "description"),
        ({"title": "T", "acceptance_criteria": "a" * 5001}, "acceptance_criteria"),
        ({"title": "T", "points": 5}, "points"),
        ({"title": ["T"]}, "title"),
    ],
)
async def test_add_story_refuses_bad_bodies(room: Room, body: dict[str, Any], field: str) -> None:
    res = await room.client.post(
        f"/api/sessions/{room.code}/stories", json=body, headers=room.headers
    )
    assert list(_failure(res, 422, "invalid")["errors"]) == [field]


async def test_restart_needs_a_current_story(room: Room) -> None:
    res = await room.client.post(f"/api/sessions/{room.code}/restart", headers=room.headers)
    _failure(res, 404, "not_found")


async def test_the_moderator_starts_a_timer(room: Room) -> None:
    res = await room.client.post(
        f"/api/sessions/{room.code}/timer", json={"seconds": 90}, headers=room.headers
    )
    assert res.status_code == 200
    timer = res.json()["timer"]
    assert timer["seconds"] == 90 and timer["ends_at"].endswith("Z")
    session = (await room.client.get(f"/api/sessions/{room.code}")).json()["session"]
    assert session["timer_ends_at"] == timer["ends_at"]


@pytest.mark.parametrize("seconds", [4, 3601, "60", 60.5, None, True])
async def test_timer_refuses_bad_durations(room: Room, seconds: Any) -> None:
    res = await room.client.post(
        f"/api/sessions/{room.code}/timer", json={"seconds": seconds}, headers=room.headers
    )
    assert list(_failure(res, 422, "invalid")["errors"]) == ["seconds"]


async def test_playing_in_an_archived_session_is_409(room: Room) -> None:
    await room.add_story()
    await room.join("Alice")
    await room.client.patch(
        f"/api/sessions/{room.code}", json={"status": "archived"}, headers=room.headers
    )
    _failure(await room.vote("Alice", "5"), 409, "conflict")
    res = await room.client.post(
        f"/api/sessions/{room.code}/stories", json={"title": "More"}, headers=room.headers
    )
    _failure(res, 409, "conflict")
