"""Workspace defaults and room templates as rules: how settings are layered, and what a
session made from a template starts with."""

from __future__ import annotations

import asyncio

import pytest

from models import PokerWorkspace, RoomEvent, RoomTemplate, Story
from services.errors import Conflict, Invalid, NotFound
from services.poker import stories, templates, voting, workspace
from services.poker.decks import FIBONACCI, TSHIRT
from services.poker.workspace import BUILT_IN, RoomSettings
from tests.factories import create_user, poker_room, user_actor

# Layers, without a database


def test_settings_left_out_keep_the_layer_below() -> None:
    team = BUILT_IN.merged({"voting_system": "tshirt", "auto_reveal": True, "timer_seconds": 90})
    assert team.deck == tuple(TSHIRT)
    room = team.merged({"auto_reveal": None, "record_vote_names": False})
    assert (room.voting_system, room.auto_reveal, room.timer_seconds) == ("tshirt", True, 90)
    assert room.record_vote_names is False
    assert BUILT_IN.merged({}) == BUILT_IN
    assert BUILT_IN.deck == tuple(FIBONACCI)


def test_a_custom_deck_keeps_its_cards_and_name_until_the_deck_changes() -> None:
    risk = BUILT_IN.merged(
        {"voting_system": "custom", "custom_deck_name": "Risk", "custom_deck_values": [" a ", "b"]}
    )
    assert risk.deck == ("a", "b") and risk.custom_deck_name == "Risk"
    assert risk.merged({"auto_reveal": True}).deck == ("a", "b")
    assert risk.merged({"custom_deck_values": ["x", "y", "z"]}).custom_deck_name == "Risk"
    assert risk.merged({"custom_deck_name": None}).custom_deck_name is None
    fib = risk.merged({"voting_system": "fibonacci"})
    assert fib.deck == tuple(FIBONACCI) and fib.custom_deck_name is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"voting_system": "custom"}, "custom_deck_values"),
        ({"custom_deck_values": ["a", "b"]}, "custom_deck_values"),
        ({"voting_system": "tshirt", "custom_deck_name": "Sizes"}, "custom_deck_name"),
        ({"voting_system": "custom", "custom_deck_values": ["a", "a"]}, "custom_deck_values"),
        ({"timer_seconds": 4}, "timer_seconds"),
        ({"timer_seconds": 3601}, "timer_seconds"),
    ],
)
def test_settings_a_room_could_not_use_are_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        BUILT_IN.merged(changes)
    assert list(refused.value.details["errors"]) == [field]


def test_only_room_settings_merge() -> None:
    with pytest.raises(TypeError):
        BUILT_IN.merged({"name": "Sprint"})


# The workspace


async def test_reading_the_defaults_writes_nothing(db: str) -> None:
    owner = await create_user()
    seen = await workspace.get_workspace(actor=user_actor(owner))
    assert seen["voting_system"] == "fibonacci" and seen["updated_at"] is None
    await workspace.update_workspace(actor=user_actor(owner), changes={})
    assert await PokerWorkspace.all().count() == 0


async def test_two_first_changes_at_once_both_land_in_one_row(db: str) -> None:
    owner = await create_user()
    actor = user_actor(owner)
    await asyncio.gather(
        workspace.update_workspace(actor=actor, changes={"auto_reveal": True}),
        workspace.update_workspace(actor=actor, changes={"timer_seconds": 120}),
    )
    assert await PokerWorkspace.filter(owner_id=owner.id).count() == 1
    settings = await workspace.defaults_for(owner.id)
    assert (settings.auto_reveal, settings.timer_seconds) == (True, 120)


async def test_a_new_session_takes_the_owners_defaults_and_no_one_elses(db: str) -> None:
    owner, other = await create_user(), await create_user()
    await workspace.update_workspace(
        actor=user_actor(owner), changes={"voting_system": "tshirt", "timer_seconds": 300}
    )
    _, _, mine = await poker_room(owner)
    assert mine["deck"] == TSHIRT and mine["timer_seconds"] == 300
    _, _, theirs = await poker_room(other)
    assert theirs["deck"] == FIBONACCI and theirs["timer_seconds"] == 60
    _, _, chosen = await poker_room(owner, voting_system="fibonacci", timer_seconds=15)
    assert chosen["deck"] == FIBONACCI and chosen["timer_seconds"] == 15


# Templates


async def test_a_session_from_a_template_plays_its_stories_in_order(db: str) -> None:
    owner = await create_user()
    actor = user_actor(owner)
    made = await templates.create_template(
        actor=actor,
        name="Refinement",
        settings={"auto_reveal": True},
        stories=[{"title": "Sign-in"}, {"title": "Reset", "description": "By email"}],
    )
    session = await templates.start_session(actor=actor, template_id=made["id"])
    code = session["code"]
    assert session["auto_reveal"] is True
    queued = await stories.list_session_stories(code=code)
    assert [(s["title"], s["status"]) for s in queued] == [
        ("Sign-in", "voting"),
        ("Reset", "pending"),
    ]
    # Nobody was in the room to be told: its log starts empty.
    assert await RoomEvent.filter(room=f"poker:{code}").count() == 0
    # The owner alone votes, so auto-reveal closes the round at once.
    result = await voting.cast_vote(actor=actor, code=code, value="5")
    assert result["revealed"]["final_estimate"] == "5"
    started = await stories.start_story(actor=actor, code=code, story_id=queued[1]["id"])
    assert started["description"] == "By email"


async def test_deleting_a_template_leaves_its_sessions(db: str) -> None:
    owner = await create_user()
    actor = user_actor(owner)
    made = await templates.create_template(actor=actor, name="T", stories=[{"title": "A"}])
    session = await templates.start_session(actor=actor, template_id=made["id"], name="Kept")
    await templates.delete_template(actor=actor, template_id=made["id"])
    assert await RoomTemplate.all().count() == 0
    assert await Story.filter(session_id=session["id"]).count() == 1
    with pytest.raises(NotFound):
        await templates.start_session(actor=actor, template_id=made["id"])


async def test_templates_are_the_owners_alone(db: str) -> None:
    owner, other = await create_user(), await create_user()
    made = await templates.create_template(actor=user_actor(owner), name="Mine")
    for call in (
        templates.get_template(actor=user_actor(other), template_id=made["id"]),
        templates.update_template(
            actor=user_actor(other), template_id=made["id"], changes={"name": "X"}
        ),
        templates.delete_template(actor=user_actor(other), template_id=made["id"]),
        templates.start_session(actor=user_actor(other), template_id=made["id"]),
    ):
        with pytest.raises(NotFound):
            await call
    assert await templates.list_templates(actor=user_actor(other)) == []
    # The same name is free in another account, not twice in one.
    await templates.create_template(actor=user_actor(other), name="Mine")
    with pytest.raises(Conflict):
        await templates.create_template(actor=user_actor(owner), name="Mine")


async def test_settings_sent_on_a_template_change_merge_into_its_own(db: str) -> None:
    owner = await create_user()
    actor = user_actor(owner)
    made = await templates.create_template(
        actor=actor,
        name="Risk",
        settings={"voting_system": "custom", "custom_deck_values": ["low", "high"]},
    )
    changed = await templates.update_template(
        actor=actor, template_id=made["id"], changes={"timer_seconds": 200}
    )
    assert changed["deck"] == ["low", "high"] and changed["timer_seconds"] == 200
    assert RoomSettings.of(await RoomTemplate.get(id=made["id"])).timer_seconds == 200


async def test_two_templates_saved_at_once_under_one_name_make_one(db: str) -> None:
    actor = user_actor(await create_user())
    results = await asyncio.gather(
        templates.create_template(actor=actor, name="Refinement"),
        templates.create_template(actor=actor, name="Refinement"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "dict"]
    assert await RoomTemplate.filter(name="Refinement").count() == 1
