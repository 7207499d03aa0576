"""Voting rules: decks, hidden values, reveal, consensus, races and async voting."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from models import PokerSession, Room, RoomEvent, Story
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.poker import rounds, sessions, snapshot, stories, voting
from tests.factories import guest, poker_room
from tests.room_locks import while_the_room_is_held


async def _room_with_story(**options: object) -> tuple[object, object, dict]:
    owner, actor, session = await poker_room(**options)
    await stories.add_story(actor=actor, code=session["code"], title="Login form")
    return owner, actor, session


async def test_a_new_story_becomes_current_and_takes_votes(db: str) -> None:
    _, _owner, session = await _room_with_story()
    alice, alice_id, _ = await guest(session["code"], "Alice")
    result = await voting.cast_vote(actor=alice, code=session["code"], value="5")
    assert result["vote"]["value"] == "5"
    assert result["stats"] == {"votes_cast": 1, "total_participants": 2, "all_voted": False}
    fresh = await sessions.get_session(code=session["code"])
    assert fresh["current_story"]["title"] == "Login form"
    assert fresh["current_story"]["voted"] == [alice_id]


async def test_vote_values_stay_hidden_until_the_reveal(db: str) -> None:
    _, owner, session = await _room_with_story()
    code = session["code"]
    alice, _, _ = await guest(code, "Alice")
    bob, _, _ = await guest(code, "Bob")
    await voting.cast_vote(actor=alice, code=code, value="13")
    events = await RoomEvent.filter(room=f"poker:{code}", type="vote_cast")
    assert events and all("value" not in e.data for e in events)
    _, bob_view = await snapshot.read(code, bob)
    assert bob_view is not None
    assert not _vote_values(bob_view)
    assert bob_view["me"]["vote"] is None
    assert bob_view["stories"][0]["votes"] is None
    _, alice_view = await snapshot.read(code, alice)
    assert alice_view is not None
    assert alice_view["me"]["vote"] == "13"
    revealed = await rounds.reveal(actor=owner, code=code)
    assert [v["value"] for v in revealed["votes"]] == ["13"]


def _vote_values(obj: object) -> list[object]:
    """Every value stored under a 'value' key anywhere in a payload."""
    if isinstance(obj, dict):
        found = [v for k, v in obj.items() if k == "value"]
        return found + [x for v in obj.values() for x in _vote_values(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in _vote_values(v)]
    return []


async def test_reveal_computes_consensus_and_statistics(db: str) -> None:
    _, owner, session = await _room_with_story()
    code = session["code"]
    for name, value in [("A", "3"), ("B", "5"), ("C", "5"), ("D", "13"), ("E", "?")]:
        actor, _, _ = await guest(code, name)
        await voting.cast_vote(actor=actor, code=code, value=value)
    story = await rounds.reveal(actor=owner, code=code)
    assert story["status"] == "revealed"
    assert story["final_estimate"] == "5"
    stats = story["stats"]
    assert stats["average"] == 6.5 and stats["median"] == 5
    assert (stats["min"], stats["max"]) == (3, 13)
    assert stats["agreement"] == 50
    assert stats["outliers"] == ["13"]
    assert story["distribution"] == {"3": 1, "5": 2, "13": 1, "?": 1}
    assert {v["participant"]["name"] for v in story["votes"]} == {"A", "B", "C", "D", "E"}


async def test_hidden_names_leave_no_participant_in_revealed_votes(db: str) -> None:
    _, owner, session = await _room_with_story(record_vote_names=False)
    code = session["code"]
    alice, _, _ = await guest(code, "Alice")
    await voting.cast_vote(actor=alice, code=code, value="8")
    story = await rounds.reveal(actor=owner, code=code)
    assert story["votes"] == [{"value": "8", "outlier": False}]


async def test_a_vote_outside_the_deck_is_invalid(db: str) -> None:
    _, _, session = await _room_with_story(voting_system="tshirt")
    alice, _, _ = await guest(session["code"], "Alice")
    with pytest.raises(Invalid) as err:
        await voting.cast_vote(actor=alice, code=session["code"], value="5")
    assert err.value.status == 422
    await voting.cast_vote(actor=alice, code=session["code"], value="XL")


async def test_custom_deck_values_are_the_only_cards(db: str) -> None:
    _, _, session = await _room_with_story(
        voting_system="custom", custom_deck_name="Risk", custom_deck_values=["low", "high"]
    )
    assert session["deck"] == ["low", "high"]
    alice, _, _ = await guest(session["code"], "Alice")
    with pytest.raises(Invalid):
        await voting.cast_vote(actor=alice, code=session["code"], value="medium")


async def test_a_vote_after_the_reveal_is_a_conflict(db: str) -> None:
    _, owner, session = await _room_with_story()
    alice, _, _ = await guest(session["code"], "Alice")
    await rounds.reveal(actor=owner, code=session["code"])
    with pytest.raises(Conflict):
        await voting.cast_vote(actor=alice, code=session["code"], value="3")


async def test_voting_as_someone_else_is_forbidden(db: str) -> None:
    _, _, session = await _room_with_story()
    alice, _, _ = await guest(session["code"], "Alice")
    _, bob_id, _ = await guest(session["code"], "Bob")
    with pytest.raises(Forbidden):
        await voting.cast_vote(actor=alice, code=session["code"], value="3", participant_id=bob_id)


async def test_spectators_and_strangers_cannot_vote(db: str) -> None:
    _, _, session = await _room_with_story()
    watcher, _, _ = await guest(session["code"], "Watcher", spectator=True)
    with pytest.raises(Forbidden):
        await voting.cast_vote(actor=watcher, code=session["code"], value="3")
    _, _, other = await poker_room()
    stranger, _, _ = await guest(other["code"], "Stranger")
    with pytest.raises(Forbidden):
        await voting.cast_vote(actor=stranger, code=session["code"], value="3")


async def test_only_the_moderator_reveals(db: str) -> None:
    _, _, session = await _room_with_story()
    alice, _, _ = await guest(session["code"], "Alice")
    with pytest.raises(Forbidden):
        await rounds.reveal(actor=alice, code=session["code"])


async def test_auto_reveal_when_everyone_has_voted(db: str) -> None:
    _, owner, session = await _room_with_story(auto_reveal=True)
    code = session["code"]
    alice, _, _ = await guest(code, "Alice")
    first = await voting.cast_vote(actor=owner, code=code, value="3")
    assert first["revealed"] is None
    last = await voting.cast_vote(actor=alice, code=code, value="3")
    assert last["revealed"]["final_estimate"] == "3"
    types = [e.type for e in await RoomEvent.filter(room=f"poker:{code}").order_by("seq")]
    assert types[-2:] == ["vote_cast", "story_revealed"]


async def test_a_reveal_racing_late_votes_has_one_outcome(db: str) -> None:
    _, owner, session = await _room_with_story()
    code = session["code"]
    voters = [await guest(code, f"V{i}") for i in range(6)]

    async def vote(actor: object) -> str:
        try:
            await voting.cast_vote(actor=actor, code=code, value="8")  # type: ignore[arg-type]
            return "counted"
        except Conflict:
            return "refused"

    results = await asyncio.gather(
        *(vote(a) for a, _, _ in voters[:3]),
        rounds.reveal(actor=owner, code=code),
        *(vote(a) for a, _, _ in voters[3:]),
    )
    story = results[3]
    outcomes = results[:3] + results[4:]
    revealed_voters = {v["participant"]["id"] for v in story["votes"]}
    for (_, pid, _), outcome in zip(voters, outcomes, strict=True):
        assert (pid in revealed_voters) == (outcome == "counted")


async def test_votes_racing_in_one_room_each_count_once_in_order(db: str) -> None:
    # On PostgreSQL most of these find the room's seq moved under them and vote again
    # under the lock; each must land once, with a tally that counts the ones before it.
    _, _, session = await _room_with_story()
    code = session["code"]
    voters = [await guest(code, f"R{i}") for i in range(12)]
    room = f"poker:{code}"
    before = (await Room.get(key=room)).seq

    results = await asyncio.gather(
        *(voting.cast_vote(actor=a, code=code, value="5") for a, _, _ in voters)
    )
    assert sorted(r["stats"]["votes_cast"] for r in results) == list(range(1, 13))
    events = await RoomEvent.filter(room=room, seq__gt=before).order_by("seq")
    assert [e.seq for e in events] == list(range(before + 1, before + 13))
    assert [e.data["votes_cast"] for e in events] == list(range(1, 13))
    assert {e.data["participant_id"] for e in events} == {pid for _, pid, _ in voters}
    assert (await Room.get(key=room)).seq == before + 12


async def test_restart_round_keeps_the_earlier_result_in_history(db: str) -> None:
    _, owner, session = await _room_with_story()
    code = session["code"]
    await voting.cast_vote(actor=owner, code=code, value="8")
    await rounds.reveal(actor=owner, code=code)
    story = await rounds.restart_round(actor=owner, code=code)
    assert story["round"] == 2 and story["status"] == "voting"
    assert story["history"][0]["final_estimate"] == "8"
    assert story["votes_cast"] == 0


async def test_a_story_keeps_the_history_of_its_last_rounds(db: str) -> None:
    _, owner, session = await _room_with_story()
    code = session["code"]
    for value in [str(v) for v in [1, 2, 3, 5, 8, 13]] * 4:
        await voting.cast_vote(actor=owner, code=code, value=value)
        await rounds.reveal(actor=owner, code=code)
        story = await rounds.restart_round(actor=owner, code=code)
    assert story["round"] == 25
    assert len(story["history"]) == rounds.HISTORY_KEPT
    assert [h["round"] for h in story["history"]] == list(range(5, 25))
    assert story["history"][-1]["final_estimate"] == "13"


async def test_async_voting_accepts_votes_on_queued_stories(db: str) -> None:
    _, owner, session = await _room_with_story(async_voting_enabled=True)
    code = session["code"]
    later = await stories.add_story(actor=owner, code=code, title="Later")
    alice, _, _ = await guest(code, "Alice")
    await voting.cast_vote(actor=alice, code=code, value="2", story_id=later["id"])
    revealed = await rounds.reveal(actor=owner, code=code, story_id=later["id"])
    assert revealed["final_estimate"] == "2"


async def test_queued_stories_refuse_votes_without_async_voting(db: str) -> None:
    _, owner, session = await _room_with_story()
    later = await stories.add_story(actor=owner, code=session["code"], title="Later")
    with pytest.raises(Conflict):
        await voting.cast_vote(actor=owner, code=session["code"], value="2", story_id=later["id"])


async def _owner_and_alice_voted(mine: str, hers: str) -> tuple[Any, Any, int, str]:
    """A room whose owner and Alice, a guest, have voted: both actors, Alice's seat and
    the code."""
    _, owner, session = await _room_with_story()
    code = session["code"]
    alice, alice_id, _ = await guest(code, "Alice")
    await voting.cast_vote(actor=owner, code=code, value=mine)
    await voting.cast_vote(actor=alice, code=code, value=hers)
    return owner, alice, alice_id, code


async def test_retracting_a_vote_removes_it(db: str) -> None:
    _, alice, alice_id, code = await _owner_and_alice_voted("2", "3")
    result = await voting.retract_vote(actor=alice, code=code)
    assert result["retracted"] is True
    assert result["stats"] == {"votes_cast": 1, "total_participants": 2, "all_voted": False}
    event = await RoomEvent.filter(room=f"poker:{code}").order_by("-seq").first()
    assert event is not None and event.type == "vote_retracted"
    assert (event.data["participant_id"], event.data["votes_cast"]) == (alice_id, 1)
    _, state = await snapshot.read(code, alice)
    assert state is not None and state["me"]["vote"] is None
    voted = state["session"]["current_story"]["voted"]
    assert len(voted) == 1 and alice_id not in voted


async def test_retracting_with_no_vote_writes_nothing(db: str) -> None:
    """With no vote to take back, the answer says so and the room's log has no gap."""
    _, owner, session = await _room_with_story()
    code = session["code"]
    seq = (await Room.get(key=f"poker:{code}")).seq
    result = await voting.retract_vote(actor=owner, code=code)
    assert result["retracted"] is False and result["stats"]["votes_cast"] == 0
    assert (await Room.get(key=f"poker:{code}")).seq == seq
    watcher, _, _ = await guest(code, "Wes", spectator=True)
    assert (await voting.retract_vote(actor=watcher, code=code))["retracted"] is False
    await voting.cast_vote(actor=owner, code=code, value="5")
    await rounds.reveal(actor=owner, code=code)
    with pytest.raises(Conflict):
        await voting.retract_vote(actor=owner, code=code)


async def _while_the_room_is_held(
    database: str, code: str, change: str, *args: object
) -> asyncio.Task[dict]:
    """A vote that reads without the lock while another writer holds the room (see
    `while_the_room_is_held`)."""
    voter, _, _ = await guest(code, "Late")
    return await while_the_room_is_held(
        database,
        f"poker:{code}",
        change,
        args,
        lambda: voting.cast_vote(actor=voter, code=code, value="8"),
        "vote",
    )


@pytest.mark.postgres_only
async def test_a_vote_waiting_on_a_reveal_sees_the_reveal(db: str) -> None:
    # The vote reads its story without the lock, before the reveal committed; its write
    # waits for the lock and must not land on the revealed story.
    _, _, session = await _room_with_story()
    code = session["code"]
    story = (await sessions.get_session(code=code))["current_story"]
    task = await _while_the_room_is_held(
        db, code, "UPDATE stories SET status = 'revealed' WHERE id = $1::uuid", story["id"]
    )
    with pytest.raises(Conflict, match="already revealed"):
        task.result()


@pytest.mark.postgres_only
async def test_a_vote_waiting_on_another_writer_lands_after_it(db: str) -> None:
    _, _, session = await _room_with_story()
    code = session["code"]
    task = await _while_the_room_is_held(db, code, "")
    vote = task.result()
    assert vote["vote"]["value"] == "8"
    # The vote's event takes the seq after the one the other writer claimed.
    last = await RoomEvent.filter(room=f"poker:{code}").order_by("-seq").first()
    assert last is not None and last.type == "vote_cast"
    room = await Room.get(key=f"poker:{code}")
    assert last.seq == room.seq


async def test_an_auto_reveal_with_nothing_to_reveal_leaves_no_gap_in_the_log(db: str) -> None:
    """An auto-reveal claims the room's seq before it reads; when it finds the round not
    complete, or already revealed, it gives the seq back: the log has no gap."""
    _, owner, session = await _room_with_story(auto_reveal=True)
    code = session["code"]
    alice, _, _ = await guest(code, "Alice")
    room = f"poker:{code}"
    await voting.cast_vote(actor=owner, code=code, value="3")
    story_id = (await snapshot.read(code, owner))[0].current_story_id
    seq = (await Room.get(key=room)).seq
    assert await rounds.auto_reveal(owner, code, str(story_id)) is None  # Alice has not voted
    assert (await Room.get(key=room)).seq == seq

    last = await voting.cast_vote(actor=alice, code=code, value="3")
    assert last["revealed"]["final_estimate"] == "3"
    seq = (await Room.get(key=room)).seq
    assert await rounds.auto_reveal(owner, code, str(story_id)) is None  # already revealed
    assert (await Room.get(key=room)).seq == seq
    assert await RoomEvent.filter(room=room).count() == seq


async def test_a_reveal_and_a_restart_read_back_as_the_room_was_told(db: str) -> None:
    """What a reveal and a restart tell the room is what a client that connects after
    them reads: the result, the time of the reveal and the history, as stored."""
    owner, _, _, code = await _owner_and_alice_voted("5", "8")

    revealed = await rounds.reveal(actor=owner, code=code)
    _, state = await snapshot.read(code, owner)
    assert state is not None
    assert state["session"]["current_story"] == revealed
    assert revealed["revealed_at"] is not None
    assert sorted(v["value"] for v in revealed["votes"]) == ["5", "8"]
    assert revealed["votes_cast"] == 2 and len(revealed["voted"]) == 2
    stored = await Story.get(id=revealed["id"])
    assert stored.result is not None
    assert stored.result["final_estimate"] == revealed["final_estimate"]
    assert stored.result["votes"] == revealed["votes"]

    restarted = await rounds.restart_round(actor=owner, code=code)
    _, state = await snapshot.read(code, owner)
    assert state is not None
    assert state["session"]["current_story"] == restarted
    assert restarted["history"] == [{"round": 1, **stored.result}]
    assert restarted["round"] == 2 and restarted["status"] == "voting"
    assert restarted["revealed_at"] is None and restarted["final_estimate"] is None
    assert restarted["votes"] is None and restarted["votes_cast"] == 0
    event = await RoomEvent.filter(room=f"poker:{code}").order_by("-seq").first()
    assert event is not None and event.type == "round_restarted"
    assert event.data["story"] == restarted


async def test_starting_the_next_story_reads_back_as_the_room_was_told(db: str) -> None:
    """The story left keeps its votes and waits, the one started takes votes, the timer
    stops, and a client that connects afterwards reads what the room was told."""
    _, owner, session = await _room_with_story()
    code = session["code"]
    await voting.cast_vote(actor=owner, code=code, value="5")
    await stories.start_timer(actor=owner, code=code, seconds=60)
    before = await PokerSession.get(code=code)
    following = await stories.add_story(actor=owner, code=code, title="Signup")

    started = await stories.start_story(actor=owner, code=code, story_id=following["id"])
    assert (started["id"], started["status"], started["votes_cast"]) == (
        following["id"],
        "voting",
        0,
    )
    after = await PokerSession.get(code=code)
    assert str(after.current_story_id) == following["id"]
    assert after.timer_ends_at is None and after.updated_at > before.updated_at
    left = await Story.get(id=before.current_story_id)
    assert left.status == "pending"
    _, state = await snapshot.read(code, owner)
    assert state is not None
    assert state["session"]["current_story"] == started
    assert {s["id"]: s["votes_cast"] for s in state["stories"]}[str(left.id)] == 1
    event = await RoomEvent.filter(room=f"poker:{code}").order_by("-seq").first()
    assert event is not None and event.type == "story_started"
    assert event.data["story"] == started
    assert (await Room.get(key=f"poker:{code}")).seq == event.seq


async def test_a_story_of_another_session_is_not_started(db: str) -> None:
    _, owner, session = await _room_with_story()
    _, other_owner, other = await _room_with_story()
    theirs = (await snapshot.read(other["code"], other_owner))[0].current_story_id
    for story_id in (str(theirs), "not-a-uuid"):
        with pytest.raises(NotFound):
            await stories.start_story(actor=owner, code=session["code"], story_id=story_id)
    alice, _, _ = await guest(session["code"], "Alice")
    with pytest.raises(Forbidden):
        await stories.start_story(actor=alice, code=session["code"], story_id=str(theirs))
