"""Session rules: codes, listing, changes by the owner, joining, handover, kicking, folders."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from models import Participant, Room, RoomEvent
from services.auth import authenticate
from services.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from services.poker import access, codes, folders, seats, sessions, stories, voting
from tests.factories import create_user, guest, poker_room, user_actor


async def _event_types(code: str) -> list[str]:
    return [e.type for e in await RoomEvent.filter(room=f"poker:{code}").order_by("seq")]


# Join codes


def test_codes_are_six_characters_without_look_alikes() -> None:
    drawn = {codes.new_code() for _ in range(500)}
    assert all(re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", c) for c in drawn)
    assert not set("01ILO") & set("".join(drawn))


def test_typed_codes_are_normalized_or_refused() -> None:
    assert codes.normalize(" abc234 ") == "ABC234"
    for typed in ("ABC12", "ABC2345", "ABC1O0", "ABC-23", ""):
        assert codes.normalize(typed) is None


async def test_every_session_gets_its_own_code(db: str) -> None:
    owner = await create_user()
    made = [(await poker_room(owner, name=f"S{i}"))[2]["code"] for i in range(40)]
    assert len(set(made)) == 40


async def test_a_code_collision_draws_again(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, first = await poker_room()
    draws = iter([first["code"], first["code"], "NEW234"])
    monkeypatch.setattr(codes, "new_code", lambda: next(draws))
    _, _, second = await poker_room()
    assert second["code"] == "NEW234"


async def test_creation_gives_up_when_every_code_is_taken(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, first = await poker_room()
    monkeypatch.setattr(codes, "new_code", lambda: first["code"])
    with pytest.raises(Conflict):
        await poker_room()


# Creating and listing


async def test_the_owner_starts_as_the_moderator(db: str) -> None:
    owner = await create_user(name="Olivia")
    _, _, session = await poker_room(owner)
    people = await sessions.list_participants(code=session["code"])
    assert [(p["name"], p["role"], p["kind"]) for p in people] == [("Olivia", "moderator", "user")]
    assert session["moderator_id"] == people[0]["id"]


async def test_an_owner_without_a_name_is_seated_under_their_email(db: str) -> None:
    owner = await create_user(name="", email="a" * 120 + "@example.com")
    _, _, session = await poker_room(owner)
    people = await sessions.list_participants(code=session["code"])
    assert people[0]["name"] == ("a" * 120 + "@example.com")[:100]


async def test_sessions_are_created_only_in_your_own_folders(db: str) -> None:
    owner = await create_user()
    stranger = await create_user()
    theirs = await folders.create_folder(actor=user_actor(stranger), name="Theirs")
    with pytest.raises(NotFound):
        await poker_room(owner, folder_id=theirs["id"])
    mine = await folders.create_folder(actor=user_actor(owner), name="Mine")
    _, _, session = await poker_room(owner, folder_id=mine["id"])
    assert session["folder_id"] == mine["id"]


async def test_a_guest_cannot_create_sessions(db: str) -> None:
    _, _, session = await poker_room()
    alice, _, _ = await guest(session["code"], "Alice")
    with pytest.raises(Forbidden):
        await sessions.create_session(actor=alice, name="Mine")


async def test_listing_pages_filters_and_sorts(db: str) -> None:
    owner = await create_user()
    actor = user_actor(owner)
    folder = await folders.create_folder(actor=actor, name="Sprints")
    for name in ["delta", "Alpha", "charlie"]:
        await poker_room(owner, name=name, folder_id=folder["id"])
    _, _, loose = await poker_room(owner, name="Bravo")
    await poker_room(name="Someone else's")
    await sessions.update_session(actor=actor, code=loose["code"], changes={"status": "archived"})

    page = await sessions.list_sessions(actor=actor, per_page=3)
    assert page.meta() == {"current_page": 1, "per_page": 3, "total": 4, "last_page": 2}
    assert [s["name"] for s in page.items] == ["Bravo", "charlie", "Alpha"]
    second = await sessions.list_sessions(actor=actor, per_page=3, page=2)
    assert [s["name"] for s in second.items] == ["delta"]
    by_name = await sessions.list_sessions(actor=actor, sort="name", order="asc")
    assert [s["name"] for s in by_name.items] == ["Alpha", "Bravo", "charlie", "delta"]
    filed = await sessions.list_sessions(actor=actor, folder_id=folder["id"])
    assert filed.total == 3
    archived = await sessions.list_sessions(actor=actor, status="archived")
    assert [s["name"] for s in archived.items] == ["Bravo"]
    empty = await sessions.list_sessions(actor=user_actor(await create_user()))
    assert empty.items == [] and empty.meta()["last_page"] == 1


# Changing a session


async def test_only_the_owner_changes_a_session(db: str) -> None:
    _, owner, session = await poker_room()
    code = session["code"]
    stranger = user_actor(await create_user())
    alice, alice_id, _ = await guest(code, "Alice")
    await sessions.set_moderator(actor=owner, code=code, participant_id=alice_id)
    for actor in (stranger, alice):  # even a guest moderator is not the owner
        with pytest.raises(Forbidden):
            await sessions.update_session(actor=actor, code=code, changes={"name": "Taken"})
    assert (await sessions.get_session(code=code))["name"] == "Sprint 42"


async def test_an_update_touches_only_the_fields_given(db: str) -> None:
    _, owner, session = await poker_room(description="Keep me", auto_reveal=True)
    updated = await sessions.update_session(
        actor=owner, code=session["code"], changes={"name": "Renamed", "voting_system": "tshirt"}
    )
    assert updated["name"] == "Renamed"
    assert updated["description"] == "Keep me"
    assert updated["auto_reveal"] is True
    assert updated["deck"][0] == "XS"
    assert (await _event_types(session["code"]))[-1] == "session_updated"


async def test_archiving_closes_the_room_and_unarchiving_reopens_it(db: str) -> None:
    _, owner, session = await poker_room()
    code = session["code"]
    await sessions.update_session(actor=owner, code=code, changes={"status": "archived"})
    with pytest.raises(Conflict):
        await guest(code, "Late")
    with pytest.raises(Conflict):
        await stories.add_story(actor=owner, code=code, title="More")
    await sessions.update_session(actor=owner, code=code, changes={"status": "active"})
    await guest(code, "Late")


async def test_a_custom_deck_keeps_its_values_when_renamed(db: str) -> None:
    _, owner, session = await poker_room(voting_system="custom", custom_deck_values=["a", "b"])
    updated = await sessions.update_session(
        actor=owner, code=session["code"], changes={"custom_deck_name": "Letters"}
    )
    assert (updated["deck"], updated["custom_deck_name"]) == (["a", "b"], "Letters")
    with pytest.raises(Invalid):
        await sessions.update_session(
            actor=owner, code=session["code"], changes={"custom_deck_values": ["only"]}
        )


async def test_a_session_moves_only_into_the_owners_folders(db: str) -> None:
    _, owner, session = await poker_room()
    mine = await folders.create_folder(actor=owner, name="Mine")
    theirs = await folders.create_folder(actor=user_actor(await create_user()), name="Theirs")
    code = session["code"]
    with pytest.raises(NotFound):
        await sessions.update_session(actor=owner, code=code, changes={"folder_id": theirs["id"]})
    moved = await sessions.update_session(actor=owner, code=code, changes={"folder_id": mine["id"]})
    assert moved["folder_id"] == mine["id"]
    unfiled = await sessions.update_session(actor=owner, code=code, changes={"folder_id": None})
    assert unfiled["folder_id"] is None


# Joining


async def test_a_guest_joins_with_a_token_bound_to_the_session(db: str) -> None:
    _, _, session = await poker_room()
    participant, room, token = await seats.join_session(
        actor=None, code=session["code"].lower(), name="Alice"
    )
    assert participant["kind"] == "guest" and participant["role"] == "participant"
    assert room["participants_count"] == 2
    assert token is not None and token.startswith("rtg_")
    stored = await Participant.get(id=participant["id"])
    assert stored.token_hash is not None and token not in stored.token_hash
    actor = await authenticate(token)
    assert (actor.kind, actor.participant_id, actor.session_id) == (
        "guest",
        participant["id"],
        stored.session_id,
    )


async def test_a_guest_needs_a_name(db: str) -> None:
    _, _, session = await poker_room()
    for name in (None, ""):
        with pytest.raises(Invalid) as err:
            await seats.join_session(actor=None, code=session["code"], name=name)
        assert err.value.details == {"errors": {"name": ["required"]}}


async def test_rejoining_keeps_the_same_seat(db: str) -> None:
    _, _, session = await poker_room()
    code = session["code"]
    user = await create_user(name="Bob")
    first, _, token = await seats.join_session(actor=user_actor(user), code=code, name=None)
    again, room, _ = await seats.join_session(actor=user_actor(user), code=code, name="B")
    assert token is None
    assert first["id"] == again["id"] and first["name"] == "Bob"
    assert room["participants_count"] == 2
    alice, alice_id, _ = await guest(code, "Alice")
    seat, _, new_token = await seats.join_session(actor=alice, code=code, name="Alice")
    assert seat["id"] == alice_id and new_token is None
    assert (await _event_types(code)).count("participant_joined") == 2
    # A join that finds its seat writes nothing: the room's log has no gap.
    seqs = [e.seq for e in await RoomEvent.filter(room=f"poker:{code}").order_by("seq")]
    assert seqs == list(range(1, len(seqs) + 1))
    assert (await Room.get(key=f"poker:{code}")).seq == len(seqs)


async def test_another_sessions_guest_token_does_not_join(db: str) -> None:
    _, _, session = await poker_room()
    _, _, other = await poker_room()
    visitor, _, _ = await guest(other["code"], "Visitor")
    with pytest.raises(Forbidden):
        await seats.join_session(actor=visitor, code=session["code"], name="Visitor")


async def test_unknown_and_malformed_codes_are_not_found(db: str) -> None:
    for code in ("ZZZZZZ", "nope", "", "ABC1O0"):
        with pytest.raises(NotFound):
            await sessions.get_session(code=code)
        with pytest.raises(NotFound):
            await seats.join_session(actor=None, code=code, name="Alice")


async def test_spectators_watch_without_counting_as_voters(db: str) -> None:
    _, owner, session = await poker_room()
    code = session["code"]
    await stories.add_story(actor=owner, code=code, title="Login")
    watcher, _, _ = await guest(code, "Watcher", spectator=True)
    alice, _, _ = await guest(code, "Alice")
    result = await voting.cast_vote(actor=alice, code=code, value="3")
    assert result["stats"]["total_participants"] == 2
    with pytest.raises(Forbidden):
        await voting.cast_vote(actor=watcher, code=code, value="3")
    roles = [p["role"] for p in await sessions.list_participants(code=code)]
    assert roles == ["moderator", "spectator", "participant"]


# Moderator handover


async def test_the_moderator_hands_the_role_over(db: str) -> None:
    _, owner, session = await poker_room()
    code = session["code"]
    alice, alice_id, _ = await guest(code, "Alice")
    bob, bob_id, _ = await guest(code, "Bob")
    with pytest.raises(Forbidden):
        await sessions.set_moderator(actor=bob, code=code, participant_id=bob_id)
    room = await sessions.set_moderator(actor=owner, code=code, participant_id=alice_id)
    assert room["moderator_id"] == alice_id
    roles = {p["name"]: p["role"] for p in await sessions.list_participants(code=code)}
    assert list(roles.values()).count("moderator") == 1 and roles["Alice"] == "moderator"
    # The new moderator runs the room and may pass the role on again.
    await stories.add_story(actor=alice, code=code, title="Login")
    await sessions.set_moderator(actor=alice, code=code, participant_id=bob_id)
    with pytest.raises(Forbidden):
        await stories.add_story(actor=alice, code=code, title="No longer hers")
    # The owner keeps every right in their own session.
    await stories.add_story(actor=owner, code=code, title="Still mine")


async def test_the_role_goes_only_to_someone_in_the_room(db: str) -> None:
    _, owner, session = await poker_room()
    _, _, other = await poker_room()
    _, outsider_id, _ = await guest(other["code"], "Outsider")
    with pytest.raises(NotFound):
        await sessions.set_moderator(actor=owner, code=session["code"], participant_id=outsider_id)


# Kicking


async def test_a_kick_revokes_the_guest_token_and_open_votes(db: str) -> None:
    _, owner, session = await poker_room()
    code = session["code"]
    await stories.add_story(actor=owner, code=code, title="Login")
    alice, alice_id, token = await guest(code, "Alice")
    await voting.cast_vote(actor=alice, code=code, value="5")
    await sessions.remove_participant(actor=owner, code=code, participant_id=alice_id)
    with pytest.raises(Unauthorized):
        await authenticate(token)
    # An actor resolved before the kick is refused as well.
    with pytest.raises(Unauthorized):
        await voting.cast_vote(actor=alice, code=code, value="3")
    room = await sessions.get_session(code=code)
    assert room["participants_count"] == 1
    assert room["current_story"]["voted"] == []
    assert (await _event_types(code))[-1] == "participant_left"
    with pytest.raises(NotFound):
        await sessions.remove_participant(actor=owner, code=code, participant_id=alice_id)


async def test_only_the_moderator_kicks_and_never_the_owner(db: str) -> None:
    _, owner, session = await poker_room()
    code = session["code"]
    alice, alice_id, _ = await guest(code, "Alice")
    _, bob_id, _ = await guest(code, "Bob")
    with pytest.raises(Forbidden):
        await sessions.remove_participant(actor=alice, code=code, participant_id=bob_id)
    await sessions.set_moderator(actor=owner, code=code, participant_id=alice_id)
    with pytest.raises(Forbidden):
        await sessions.remove_participant(
            actor=alice, code=code, participant_id=session["moderator_id"]
        )
    await sessions.remove_participant(actor=alice, code=code, participant_id=bob_id)


async def test_a_kicked_user_may_join_again_in_their_old_seat(db: str) -> None:
    _, owner, session = await poker_room()
    code = session["code"]
    user = await create_user(name="Bob")
    seat, _, _ = await seats.join_session(actor=user_actor(user), code=code, name=None)
    await sessions.remove_participant(actor=owner, code=code, participant_id=seat["id"])
    back, room, _ = await seats.join_session(
        actor=user_actor(user), code=code, name=None, spectator=True
    )
    assert back["id"] == seat["id"] and back["role"] == "spectator"
    assert room["participants_count"] == 2


# Folders


async def test_folders_belong_to_their_owner(db: str) -> None:
    owner = user_actor(await create_user())
    stranger = user_actor(await create_user())
    folder = await folders.create_folder(actor=owner, name="Sprints", color="#8b5cf6")
    await folders.create_folder(actor=stranger, name="Sprints")
    assert [f["name"] for f in await folders.list_folders(actor=owner)] == ["Sprints"]
    with pytest.raises(NotFound):
        await folders.update_folder(actor=stranger, folder_id=folder["id"], name="Mine")
    with pytest.raises(NotFound):
        await folders.delete_folder(actor=stranger, folder_id=folder["id"])
    with pytest.raises(Conflict):
        await folders.create_folder(actor=owner, name="Sprints")


async def test_deleting_a_folder_unfiles_its_sessions(db: str) -> None:
    user = await create_user()
    owner = user_actor(user)
    folder = await folders.create_folder(actor=owner, name="Sprints")
    _, _, session = await poker_room(user, folder_id=folder["id"])
    listed: list[dict[str, Any]] = await folders.list_folders(actor=owner)
    assert listed[0]["sessions_count"] == 1
    await folders.delete_folder(actor=owner, folder_id=folder["id"])
    assert (await sessions.get_session(code=session["code"]))["folder_id"] is None


# Stories named by id alone


async def test_a_story_is_started_and_listed_through_its_session(db: str) -> None:
    _, owner, session = await poker_room()
    code = session["code"]
    await stories.add_story(actor=owner, code=code, title="First")
    second = await stories.add_story(actor=owner, code=code, title="Second")
    started = await stories.start_story(actor=owner, story_id=second["id"])
    assert started["status"] == "voting"
    listed = await stories.list_session_stories(code=code)
    assert [(s["title"], s["status"]) for s in listed] == [
        ("First", "pending"),
        ("Second", "voting"),
    ]
    with pytest.raises(NotFound):
        await stories.start_story(actor=owner, story_id="not-a-story")
    assert await access.code_of_story(second["id"]) == code


async def test_stories_added_together_land_in_order_in_one_transaction(db: str) -> None:
    _, owner, session = await poker_room()
    code = session["code"]
    drafts = [{"title": "One"}, {"title": "Two", "description": "d"}, {"title": "Three"}]
    added = await stories.add_stories(actor=owner, code=code, drafts=drafts)
    assert [s["title"] for s in added] == ["One", "Two", "Three"]
    assert [s["position"] for s in added] == [1, 2, 3]
    assert added[0]["status"] == "voting" and added[1]["status"] == "pending"
    events = [e.type for e in await RoomEvent.filter(room=f"poker:{code}").order_by("seq")]
    assert events.count("story_added") == 3

    # Someone who may not add stories adds none of them.
    guest_actor, _, _ = await guest(code, "Gus")
    with pytest.raises(Forbidden):
        await stories.add_stories(actor=guest_actor, code=code, drafts=[{"title": "Four"}])
    listed = await stories.list_session_stories(code=code)
    assert [s["title"] for s in listed] == ["One", "Two", "Three"]


async def test_guests_joining_together_each_take_one_seat_in_order(db: str) -> None:
    """A meeting starts: its guests join at once. Each join takes its own seat, sees the
    room with every join before it, and the room's log has one event each, in order."""
    _, _, session = await poker_room()
    code = session["code"]
    room = f"poker:{code}"
    before = (await Room.get(key=room)).seq
    joined = await asyncio.gather(
        *(seats.join_session(actor=None, code=code, name=f"Guest {i}") for i in range(16))
    )
    assert sorted(rendered["participants_count"] for _, rendered, _ in joined) == list(range(2, 18))
    assert len({seat["id"] for seat, _, _ in joined}) == 16
    assert len({token for _, _, token in joined}) == 16
    events = await RoomEvent.filter(room=room, seq__gt=before).order_by("seq")
    assert [e.seq for e in events] == list(range(before + 1, before + 17))
    assert {e.data["participant"]["id"] for e in events} == {seat["id"] for seat, _, _ in joined}
    assert (await Room.get(key=room)).seq == before + 16
