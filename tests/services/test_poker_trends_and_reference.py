"""The rules under analytics across sessions and reference stories: how story text is
read, how a change of estimate is told from a re-vote to the same card, and what a
story's kept history can still show."""

from __future__ import annotations

from datetime import date

import pytest

from models import Story, User
from services.errors import Forbidden, Invalid, NotFound
from services.poker import rounds, stories, voting
from services.poker.folders import create_folder
from services.poker.reference import reference_stories, tokens
from services.poker.rounds import HISTORY_KEPT
from services.poker.trends import owner_analytics
from tests.factories import create_user, guest, poker_room, user_actor


def test_story_text_is_read_as_words() -> None:
    assert tokens("The Login-Forms: validate users' e-mails, 2FA & SSO!") == [
        "login",
        "form",
        "validate",
        "user",
        "mail",
        "2fa",
        "sso",
    ]
    # A double s is not a plural; short words keep their s.
    assert tokens("Access class bus") == ["access", "class", "bus"]
    assert tokens("Übersicht der Aufträge") == ["übersicht", "der", "aufträge"]
    assert tokens("a I of ") == []


async def _revealed_rounds(values: list[str]) -> tuple[User, str]:
    owner = await create_user()
    _, actor, session = await poker_room(owner)
    code = session["code"]
    voter = (await guest(code, "Alice"))[0]
    added = await stories.add_story(actor=actor, code=code, title="Billing")
    await stories.start_story(actor=actor, code=code, story_id=added["id"])
    for i, value in enumerate(values):
        if i:
            await rounds.restart_round(actor=actor, code=code)
        await voting.cast_vote(actor=voter, code=code, value=value)
        await rounds.reveal(actor=actor, code=code)
    return owner, str(added["id"])


async def test_a_change_is_seen_while_its_rounds_are_kept(db: str) -> None:
    owner, story_id = await _revealed_rounds(["2", *["5"] * 3])
    data = await owner_analytics(actor=user_actor(owner))
    [changed] = data["changed"]
    assert changed["estimates"] == ["2", "5", "5", "5"] and changed["rounds"] == 4
    # Once the first estimate has left the kept rounds (20), the story shows no change.
    story = await Story.get(id=story_id)
    story.history = [{**r, "final_estimate": "5"} for r in story.history][-HISTORY_KEPT:]
    await story.save()
    assert (await owner_analytics(actor=user_actor(owner)))["changed"] == []


async def test_filters_are_the_callers_own(db: str) -> None:
    owner = await create_user()
    other = await create_user()
    theirs = await create_folder(actor=user_actor(other), name="Theirs")
    with pytest.raises(NotFound):
        await owner_analytics(actor=user_actor(owner), folder_id=theirs["id"])
    with pytest.raises(Invalid):
        await owner_analytics(
            actor=user_actor(owner), since=date(2026, 5, 2), until=date(2026, 5, 1)
        )


async def test_reference_stories_need_a_seat_or_the_session(db: str) -> None:
    owner = await create_user()
    _, _, session = await poker_room(owner)
    stranger = await create_user()
    with pytest.raises(Forbidden):
        await reference_stories(actor=user_actor(stranger), code=session["code"])


async def _custom_session(owner: User, name: str, reveals: list[str]) -> None:
    _, actor, session = await poker_room(
        owner, name=name, voting_system="custom", custom_deck_values=["-1", "nan", "1e300", "1e15"]
    )
    code = session["code"]
    voter = (await guest(code, "Alice"))[0]
    for value in reveals:
        added = await stories.add_story(actor=actor, code=code, title=f"Story {value}")
        await stories.start_story(actor=actor, code=code, story_id=added["id"])
        await voting.cast_vote(actor=voter, code=code, value=value)
        await rounds.reveal(actor=actor, code=code)


async def test_points_of_any_custom_cards_stay_numbers(db: str) -> None:
    owner = await create_user()
    await _custom_session(owner, "Odd cards", ["-1", "nan"])
    data = await owner_analytics(actor=user_actor(owner))
    [group] = data["folders"]
    # "nan" is a card, not a number; a negative card counts as it is.
    assert group["points"] == -1 and group["average_estimate"] == -1
    assert [d["value"] for d in group["distribution"]] == ["-1", "nan"]
    await _custom_session(owner, "Huge cards", ["1e300", "1e15", "1e15"])
    data = await owner_analytics(actor=user_actor(owner))
    # "1e300" is read as a word, as the reveal reads it; 1e15 is still a number.
    assert data["totals"]["points"] == -1 + 2 * 10**15
    assert data["folders"][0]["sessions"][1]["points"] == 2 * 10**15
