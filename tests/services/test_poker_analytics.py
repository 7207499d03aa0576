"""Session analytics: what a team sees about how its estimates went, from real rounds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models import Participant, RoomEvent, Story
from services.actors import Actor
from services.errors import Forbidden
from services.poker import rounds, sessions, stories, templates, voting
from services.poker.analytics import session_analytics
from tests.factories import create_user, guest, poker_room, user_actor


class Table:
    """A session with its owner (who votes too) and three guests."""

    def __init__(
        self, owner: Actor, code: str, people: dict[str, Actor], seats: dict[str, int]
    ) -> None:
        self.owner = owner
        self.code = code
        self.people = people | {"Olive": owner}
        self.seats = seats

    async def story(self, title: str, votes: dict[str, str], *, reveal: bool = True) -> str:
        added = await stories.add_story(actor=self.owner, code=self.code, title=title)
        await stories.start_story(actor=self.owner, code=self.code, story_id=added["id"])
        await self.vote(votes)
        if reveal:
            await rounds.reveal(actor=self.owner, code=self.code)
        return str(added["id"])

    async def vote(self, votes: dict[str, str]) -> None:
        for name, value in votes.items():
            await voting.cast_vote(actor=self.people[name], code=self.code, value=value)

    async def revote(self, votes: dict[str, str]) -> None:
        await rounds.restart_round(actor=self.owner, code=self.code)
        await self.vote(votes)
        await rounds.reveal(actor=self.owner, code=self.code)

    async def read(self, actor: Actor | None = None) -> dict[str, Any]:
        return await session_analytics(actor=actor or self.owner, code=self.code)


async def _table(**options: Any) -> Table:
    _, owner, session = await poker_room(await create_user(name="Olive"), **options)
    code = session["code"]
    people, seats = {}, {}
    for name in ("Alice", "Bob", "Cara"):
        people[name], seats[name], _ = await guest(code, name)
    seats["Olive"] = (await Participant.get(session__code=code, user_id=owner.user_id)).id
    return Table(owner, code, people, seats)


def _by_title(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["title"]: s for s in data["stories"]}


async def test_a_numeric_session_in_numbers(db: str) -> None:
    t = await _table()
    await t.story("Login", {"Alice": "5", "Bob": "5", "Cara": "5", "Olive": "5"})
    await t.story("Checkout", {"Alice": "3", "Bob": "5", "Cara": "5", "Olive": "13"})
    await t.story("Search", {"Alice": "1", "Bob": "8", "Cara": "?"})
    await t.revote({"Alice": "2", "Bob": "2", "Cara": "3"})
    await t.story("Profile", {"Alice": "20"}, reveal=False)

    data = await t.read()
    assert data["scale"] == "numeric"
    s = _by_title(data)
    login, checkout, search, profile = s["Login"], s["Checkout"], s["Search"], s["Profile"]

    assert login["final_estimate"] == "5" and login["agreement"] == 100
    assert login["consensus"] is True and login["std"] == 0 and login["outliers"] == []

    # The reveal's own figures: 5 is the most common card, 13 is two cards away.
    assert checkout["final_estimate"] == "5"
    assert (checkout["min"], checkout["max"], checkout["average"]) == (3, 13, 6.5)
    assert checkout["median"] == 5 and checkout["agreement"] == 50
    assert checkout["std"] == 3.84
    assert checkout["consensus"] is False and checkout["low_agreement"] is False
    olive = {"id": t.seats["Olive"], "name": "Olive"}
    assert checkout["outliers"] == [{"value": "13", "participant": olive}]

    # A re-vote: both rounds are there, the last one is the estimate.
    assert search["rounds"] == 2 and search["final_estimate"] == "2"
    assert [(r["round"], r["final_estimate"]) for r in search["history"]] == [(1, "8"), (2, "2")]
    assert search["history"][0]["votes_cast"] == 3 and search["agreement"] == 67

    # Not revealed: nothing of its vote is shown.
    assert profile["status"] == "voting"
    assert profile["final_estimate"] is None and profile["agreement"] is None
    assert profile["min"] is None and profile["outliers"] == [] and profile["history"] == []
    assert "'20'" not in str(profile)

    totals = data["totals"]
    assert totals["stories"] == 4 and totals["estimated"] == 3 and totals["pending"] == 1
    assert totals["consensus"] == 1 and totals["consensus_rate"] == 33
    assert totals["average_agreement"] == 72  # (100 + 50 + 67) / 3
    assert totals["revoted"] == 1 and totals["rounds"] == 4
    assert totals["with_outliers"] == 1
    assert totals["average_estimate"] == 4 and totals["median_estimate"] == 5
    assert data["distribution"] == [{"value": "2", "count": 1}, {"value": "5", "count": 2}]
    assert [(p["title"], p["agreement"]) for p in data["trend"]] == [
        ("Login", 100),
        ("Checkout", 50),
        ("Search", 67),
    ]
    voted = {
        p["participant"]["name"]: (p["votes"], p["rate"], p["outliers"])
        for p in data["participation"]
    }
    assert voted == {
        "Olive": (2, 67, 1),
        "Alice": (3, 100, 0),
        "Bob": (3, 100, 0),
        "Cara": (3, 100, 0),
    }


async def test_a_tshirt_session_compares_sizes_in_deck_order(db: str) -> None:
    t = await _table(voting_system="tshirt")
    await t.story("Login", {"Alice": "S", "Bob": "M", "Cara": "M", "Olive": "XL"})
    await t.story("Search", {"Alice": "S", "Bob": "M", "Cara": "L", "Olive": "coffee"})
    data = await t.read()
    assert data["scale"] == "ordinal"
    s = _by_title(data)
    login, search = s["Login"], s["Search"]
    assert (login["min"], login["median"], login["max"]) == ("S", "M", "XL")
    assert login["average"] is None and login["std"] is None
    assert [o["value"] for o in login["outliers"]] == ["XL"]
    # Three different sizes: the middle one, agreed by a third.
    assert search["final_estimate"] == "M" and search["agreement"] == 33
    assert search["low_agreement"] is True and search["votes_counted"] == 3
    totals = data["totals"]
    assert totals["median_estimate"] == "M" and totals["average_estimate"] is None
    assert totals["low_agreement"] == 1 and totals["consensus"] == 0
    assert data["distribution"] == [{"value": "M", "count": 2}]


async def test_only_question_marks_make_no_estimate(db: str) -> None:
    t = await _table()
    await t.story("Spike", {"Alice": "?", "Bob": "coffee"})
    data = await t.read()
    spike = data["stories"][0]
    assert spike["final_estimate"] is None and spike["votes_counted"] == 0
    assert spike["consensus"] is False and spike["std"] is None
    assert data["totals"]["without_estimate"] == 1 and data["distribution"] == []
    assert data["totals"]["median_estimate"] is None


async def test_time_to_estimate_runs_from_the_first_start_to_the_reveal(db: str) -> None:
    t = await _table()
    story_id = await t.story("Login", {"Alice": "3"})
    revealed = await Story.get(id=story_id)
    assert revealed.revealed_at is not None
    started = revealed.revealed_at - timedelta(seconds=90)
    events = RoomEvent.filter(room=f"poker:{t.code}", type="story_started")
    for event in await events:
        if event.data.get("story_id") == story_id:
            event.at = started
            await event.save()
    data = await t.read()
    assert data["stories"][0]["seconds_to_estimate"] == 90
    assert data["totals"]["total_seconds"] == 90 and data["totals"]["median_seconds"] == 90


async def test_without_recorded_names_outliers_are_anonymous(db: str) -> None:
    t = await _table(record_vote_names=False)
    await t.story("Login", {"Alice": "1", "Bob": "8", "Cara": "8"})
    data = await t.read()
    assert data["stories"][0]["outliers"] == [{"value": "1", "participant": None}]
    assert all(p["outliers"] is None for p in data["participation"])
    assert "Alice" not in str(data["stories"])


async def test_an_empty_session_has_no_figures(db: str) -> None:
    t = await _table()
    data = await t.read()
    assert data["stories"] == [] and data["distribution"] == [] and data["trend"] == []
    assert data["totals"]["stories"] == 0 and data["totals"]["consensus_rate"] is None
    assert data["totals"]["average_agreement"] is None
    assert all(p["rate"] is None for p in data["participation"])


async def test_the_owner_and_the_people_in_the_room_may_read_it(db: str) -> None:
    t = await _table()
    await t.story("Login", {"Alice": "3"})
    assert (await t.read(t.people["Alice"]))["totals"]["estimated"] == 1
    spectator, _, _ = await guest(t.code, "Sam", spectator=True)
    assert (await t.read(spectator))["totals"]["estimated"] == 1
    stranger = user_actor(await create_user(name="Stranger"))
    with pytest.raises(Forbidden):
        await t.read(stranger)
    other = await _table()
    with pytest.raises(Forbidden):
        await t.read(other.people["Alice"])


async def test_a_story_never_made_current_counts_from_when_it_was_added(db: str) -> None:
    owner = await create_user(name="Olive")
    actor = user_actor(owner)
    made = await templates.create_template(
        actor=actor, name="Refinement", stories=[{"title": "Login"}]
    )
    session = await templates.start_session(actor=actor, template_id=made["id"])
    code = session["code"]
    alice, _, _ = await guest(code, "Alice")
    await voting.cast_vote(actor=alice, code=code, value="3")
    await rounds.reveal(actor=actor, code=code)
    story = await Story.get(session__code=code)
    assert story.revealed_at is not None
    # The room started on it with nobody there: no start in its log.
    assert not await RoomEvent.filter(room=f"poker:{code}", type="story_started").exists()
    data = await session_analytics(actor=actor, code=code)
    expected = round((story.revealed_at - story.created_at).total_seconds())
    assert data["stories"][0]["seconds_to_estimate"] == expected
    assert data["stories"][0]["started_at"] is not None


async def test_an_archived_session_keeps_its_analytics(db: str) -> None:
    t = await _table()
    await t.story("Login", {"Alice": "5", "Bob": "8"})
    await sessions.update_session(actor=t.owner, code=t.code, changes={"status": "archived"})
    data = await t.read(t.people["Bob"])
    assert data["totals"]["estimated"] == 1 and data["distribution"] == [{"value": "8", "count": 1}]
