"""The after-commit bus: a unit of work's events and facts reach every listener once it
has committed, in order, and never when it rolled back; a failing listener is skipped."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from models import RoomEvent
from services import events
from services.events import Fact, PasswordChanged, TokenRevoked, unit_of_work


@pytest.fixture
def heard() -> Iterator[list[list[Fact]]]:
    batches: list[list[Fact]] = []

    async def broken(facts: list[Fact]) -> None:
        raise RuntimeError("this listener is down")

    async def listener(facts: list[Fact]) -> None:
        batches.append(facts)

    events.subscribe(broken)
    events.subscribe(listener)
    try:
        yield batches
    finally:
        events.unsubscribe(broken)
        events.unsubscribe(listener)


async def test_a_committed_unit_hands_its_events_and_facts_over_in_order(
    db: str, heard: list[list[Fact]]
) -> None:
    token, user = uuid.uuid4(), uuid.uuid4()
    async with unit_of_work() as uow:
        await uow.lock("poker:BUS123", create=True)
        first = await uow.emit("poker:BUS123", "story_added", {"n": 1}, None)
        uow.record(TokenRevoked(token))
        second = await uow.emit("poker:BUS123", "story_added", {"n": 2}, None)
        uow.record(PasswordChanged(user))
        # Nothing is handed over before the commit.
        assert heard == []
    # The failing listener before it did not stop this one.
    assert heard == [[first, TokenRevoked(token), second, PasswordChanged(user)]]
    assert [e.seq for e in (first, second)] == [1, 2]


async def test_a_unit_that_rolls_back_hands_nothing_over(db: str, heard: list[list[Fact]]) -> None:
    with pytest.raises(RuntimeError):
        async with unit_of_work() as uow:
            await uow.lock("poker:BUS124", create=True)
            await uow.emit("poker:BUS124", "story_added", {}, None)
            uow.record(TokenRevoked(uuid.uuid4()))
            raise RuntimeError("the rule refused")
    assert heard == []
    assert not await RoomEvent.filter(room="poker:BUS124").exists()


@pytest.fixture
def reacting() -> Iterator[list[events.StoryRevealed]]:
    """A reaction to reveals that appends an event in the reveal's own transaction, and
    refuses a story whose estimate is '?'."""
    seen: list[events.StoryRevealed] = []

    async def reaction(uow: events.UnitOfWork, fact: events.StoryRevealed) -> None:
        if fact.final_estimate == "?":
            raise RuntimeError("no estimate to write")
        seen.append(fact)
        await uow.emit("board:react", "card_updated", {"estimate": fact.final_estimate}, None)

    events.react(events.StoryRevealed, reaction)
    try:
        yield seen
    finally:
        events._reactions[events.StoryRevealed].remove(reaction)


async def test_a_reaction_runs_inside_the_transaction_of_its_fact(
    db: str, heard: list[list[Fact]], reacting: list[events.StoryRevealed]
) -> None:
    story = uuid.uuid4()
    async with unit_of_work() as uow:
        await uow.happened(events.StoryRevealed(story, "5", None))
    assert [f.story_id for f in reacting] == [story]
    [batch] = heard
    assert isinstance(batch[0], events.StoryRevealed)
    assert isinstance(batch[1], events.Event) and batch[1].data == {"estimate": "5"}
    assert await RoomEvent.filter(room="board:react").count() == 1


async def test_a_failing_reaction_rolls_the_change_back(
    db: str, heard: list[list[Fact]], reacting: list[events.StoryRevealed]
) -> None:
    with pytest.raises(RuntimeError, match="no estimate"):
        async with unit_of_work() as uow:
            await uow.emit("poker:REACT1", "story_revealed", {}, None)
            await uow.happened(events.StoryRevealed(uuid.uuid4(), "?", None))
    assert heard == []
    assert await RoomEvent.filter(room="poker:REACT1").count() == 0


def test_poker_does_not_import_the_boards() -> None:
    """Boards react to poker reveals through the bus; poker never imports them."""
    poker = Path(__file__).resolve().parents[2] / "services" / "poker"
    for module in poker.glob("*.py"):
        assert "services.boards" not in module.read_text(), module.name
