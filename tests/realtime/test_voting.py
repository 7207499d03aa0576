"""A round of planning poker as the people in the room see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.factories import guest, poker_room
from tests.realtime.clients import Tab
from tests.realtime.conftest import Room

Tabs = Callable[[], Tab]


def _keys_in(payload: Any) -> set[str]:
    """Every key at any depth, to check that no vote value is carried anywhere."""
    if isinstance(payload, dict):
        return set(payload) | {k for item in payload.values() for k in _keys_in(item)}
    if isinstance(payload, list):
        return {k for item in payload for k in _keys_in(item)}
    return set()


async def test_votes_are_live_but_hidden_until_the_reveal(tabs: Tabs, room: Room) -> None:
    moderator, ana, ben = tabs(), tabs(), tabs()
    await moderator.connect(room.moderator_token, room.code)
    _, ana_id, ana_token = await guest(room.code, "Ana")
    _, ben_id, ben_token = await guest(room.code, "Ben")
    await ana.connect(ana_token, room.code)
    await ben.connect(ben_token, room.code)

    ack = await ana.ok("cast_vote", {"value": "13"})
    assert ack["vote"]["value"] == "13"
    assert ack["stats"] == {"votes_cast": 1, "total_participants": 3, "all_voted": False}
    for tab in (moderator, ana, ben):
        cast = await tab.next_event("vote_cast")
        assert cast["data"] == {
            "story_id": room.story_id,
            "participant_id": ana_id,
            "votes_cast": 1,
        }
        assert cast["actor"]["name"] == "Ana"
        assert cast["actor"]["kind"] == "guest"

    await ben.ok("cast_vote", {"value": "8"})
    for tab in (moderator, ana, ben):
        assert (await tab.next_event("vote_cast"))["data"]["participant_id"] == ben_id

    # Someone arriving now learns who voted, and only their own value.
    late = tabs()
    ben_again = await late.connect(ben_token, room.code)
    assert ben_again["me"]["vote"] == "8"
    assert sorted(ben_again["session"]["current_story"]["voted"]) == sorted([ana_id, ben_id])
    assert ben_again["session"]["current_story"]["votes"] is None
    assert all(story["votes"] is None for story in ben_again["stories"])
    assert "value" not in _keys_in(ben_again)

    for tab in (moderator, ana, ben):
        assert "value" not in _keys_in(tab.events)

    revealed_ack = await moderator.ok("reveal", {})
    assert revealed_ack["status"] == "revealed"
    results = [await tab.next_event("story_revealed") for tab in (moderator, ana, ben, late)]
    assert all(r == results[0] for r in results), "everyone receives the same reveal"
    story = results[0]["data"]["story"]
    assert sorted((v["participant"]["name"], v["value"]) for v in story["votes"]) == [
        ("Ana", "13"),
        ("Ben", "8"),
    ]
    assert story["stats"]["votes_cast"] == 2
    assert story["stats"]["average"] == 10.5
    assert story["stats"]["min"] == 8 and story["stats"]["max"] == 13
    assert story["status"] == "revealed"


async def test_seq_rises_by_one_on_every_event_a_client_sees(tabs: Tabs, room: Room) -> None:
    _, _, token = await guest(room.code, "Cleo")
    moderator = tabs()
    state = await moderator.connect(room.moderator_token, room.code)
    cleo = tabs()
    await cleo.connect(token, room.code)

    await cleo.ok("cast_vote", {"value": "3"})
    await cleo.ok("retract_vote")
    await cleo.ok("cast_vote", {"value": "5"})
    await moderator.ok("cast_vote", {"value": "5"})
    await moderator.ok("reveal")
    await moderator.ok("restart_round")
    await moderator.ok("start_timer", {"seconds": 30})
    second = await moderator.ok("add_story", {"title": "Logout", "description": "Clear it"})
    await moderator.ok("start_story", {"story_id": second["id"]})
    await moderator.next_event("story_started")

    types = [e["type"] for e in moderator.events]
    assert types == [
        "vote_cast",
        "vote_retracted",
        "vote_cast",
        "vote_cast",
        "story_revealed",
        "round_restarted",
        "timer_started",
        "story_added",
        "story_started",
    ]
    seqs = [e["seq"] for e in moderator.events]
    assert seqs == list(range(state["seq"] + 1, state["seq"] + 1 + len(seqs)))
    await cleo.next_event("story_started")
    assert [e["seq"] for e in cleo.events] == seqs


async def test_moderator_commands_are_forbidden_to_guests(tabs: Tabs, room: Room) -> None:
    _, _, token = await guest(room.code, "Gil")
    gil = tabs()
    await gil.connect(token, room.code)
    await gil.ok("cast_vote", {"value": "2"})

    for command, payload in [
        ("reveal", {}),
        ("add_story", {"title": "Sneaky"}),
        ("start_story", {"story_id": room.story_id}),
        ("restart_round", None),
        ("start_timer", {"seconds": 60}),
        ("post_notice", {"text": "Hurry up"}),
    ]:
        ack = await gil.call(command, payload) if payload is not None else await gil.call(command)
        assert ack["ok"] is False, command
        assert ack["error"]["code"] == "forbidden", (command, ack)
        assert ack["error"]["message"]
    assert [e["type"] for e in gil.events] == ["vote_cast"]


async def test_service_errors_keep_their_codes(tabs: Tabs, room: Room) -> None:
    moderator = tabs()
    await moderator.connect(room.moderator_token, room.code)

    not_in_deck = await moderator.call("cast_vote", {"value": "7"})
    assert not_in_deck["error"]["code"] == "invalid"
    assert "deck" in not_in_deck["error"]["message"]
    unknown_story = await moderator.call(
        "start_story", {"story_id": "00000000-0000-0000-0000-000000000000"}
    )
    assert unknown_story["error"]["code"] == "not_found"
    too_short = await moderator.call("start_timer", {"seconds": 1})
    assert too_short["error"]["code"] == "invalid"
    await moderator.ok("reveal")
    twice = await moderator.call("reveal")
    assert twice["error"]["code"] == "conflict"


async def test_malformed_payloads_are_invalid(tabs: Tabs, room: Room) -> None:
    moderator = tabs()
    state = await moderator.connect(room.moderator_token, room.code)

    cases: list[tuple[str, Any]] = [
        ("cast_vote", None),
        ("cast_vote", {}),
        ("cast_vote", {"value": 5}),
        ("cast_vote", {"value": ""}),
        ("cast_vote", {"value": "5", "participant_id": 1}),
        ("cast_vote", "5"),
        ("cast_vote", ["5"]),
        ("cast_vote", 5),
        ("add_story", {"title": "x" * 501}),
        ("add_story", {"title": "   "}),
        ("add_story", {"title": "ok", "description": "d" * 5_001}),
        ("add_story", {"title": "nul\x00byte"}),
        ("add_story", {"title": ["a"]}),
        ("start_story", {}),
        ("start_story", {"story_id": 42}),
        ("start_timer", {"seconds": "30"}),
        ("start_timer", {"seconds": 30.5}),
        ("start_timer", {"seconds": True}),
        ("sync", {"since": "3"}),
        ("sync", {}),
        ("restart_round", "now"),
        ("no_such_command", {}),
    ]
    for command, payload in cases:
        ack = (
            await moderator.call(command)
            if payload is None
            else await moderator.call(command, payload)
        )
        assert ack["ok"] is False, (command, payload)
        assert ack["error"]["code"] == "invalid", (command, payload, ack)
        assert ack["error"]["message"]
        assert "Traceback" not in ack["error"]["message"]
    two_args = await moderator.call("cast_vote", {"value": "5"}, {"value": "8"})
    assert two_args["error"]["code"] == "invalid"

    # Nothing happened to the room.
    assert moderator.events == []
    assert await moderator.ok("sync", {"since": state["seq"]}) == {"events": []}


async def test_a_notice_reaches_the_room_or_the_people_it_names(tabs: Tabs, room: Room) -> None:
    moderator, ana, ben = tabs(), tabs(), tabs()
    await moderator.connect(room.moderator_token, room.code)
    _, ana_id, ana_token = await guest(room.code, "Ana")
    _, _, ben_token = await guest(room.code, "Ben")
    await ana.connect(ana_token, room.code)
    await ben.connect(ben_token, room.code)

    sent = await moderator.ok("post_notice", {"text": "  Ana, your vote please  ", "to": [ana_id]})
    assert sent == {"text": "Ana, your vote please", "to": [ana_id]}
    for tab in (ana, ben):
        notice = await tab.next_event("notice_posted")
        assert notice["data"] == sent and notice["actor"]["name"] == "Mia Moderator"
    await moderator.ok("post_notice", {"text": "Break in 5 minutes"})
    everyone = await ben.next_event("notice_posted")
    assert everyone["data"]["to"] is None

    # Someone in another session is no one here.
    _, _, other = await poker_room(name="Elsewhere")
    _, zed_id, _ = await guest(other["code"], "Zed")
    refusals: list[tuple[Any, str]] = [
        ({"text": ""}, "invalid"),
        ({"text": "x" * 501}, "invalid"),
        ({"text": 5}, "invalid"),
        ({"text": "Hi", "to": []}, "invalid"),
        ({"text": "Hi", "to": ["1"]}, "invalid"),
        ({"text": "Hi", "to": [999_999]}, "not_found"),
        ({"text": "Hi", "to": [ana_id, zed_id]}, "not_found"),
        ({"text": "Hi", "extra": True}, "invalid"),
    ]
    for payload, code in refusals:
        ack = await moderator.call("post_notice", payload)
        assert ack["ok"] is False and ack["error"]["code"] == code, (payload, ack)


async def test_a_command_sent_without_an_ack_still_runs(tabs: Tabs, room: Room) -> None:
    """A client may emit a command without asking for its answer: it runs all the same,
    and the room hears of it; the next command's ack comes as usual."""
    moderator, ana = tabs(), tabs()
    await moderator.connect(room.moderator_token, room.code)
    _, ana_id, ana_token = await guest(room.code, "Ana")
    await ana.connect(ana_token, room.code)

    await ana.sio.emit("cast_vote", {"value": "5"}, namespace=ana.namespace)
    for tab in (moderator, ana):
        cast = await tab.next_event("vote_cast")
        assert cast["data"]["participant_id"] == ana_id
    ack = await ana.ok("cast_vote", {"value": "8"})
    assert ack["vote"]["value"] == "8"
    assert ack["stats"]["votes_cast"] == 1
