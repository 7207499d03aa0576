"""The after-commit bus: a unit of work's events and facts reach every listener once it
has committed, in order, and never when it rolled back; a failing listener is skipped."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from models import RoomEvent
from services import events, sql
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
        events.unreact(events.StoryRevealed, reaction)


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


async def test_steps_run_a_reaction_only_when_it_has_work_and_then_in_one_transaction(
    db: str, heard: list[list[Fact]]
) -> None:
    """A unit of work written as steps records a fact whose reaction says, by its own
    steps, that it has nothing to do: the steps run once, the reaction never. When it has
    work, the steps are rolled back and run again in a transaction of the ORM, with the
    reaction after them: both commit together, with no gap in the room's log."""
    reacted: list[str | None] = []
    attempts: list[str | None] = []

    def idle(fact: events.StoryRevealed) -> Any:
        found = yield sql.stmt("SELECT ? AS estimate", fact.final_estimate)
        return found[0]["estimate"] == "idle"

    async def reaction(uow: events.UnitOfWork, fact: events.StoryRevealed) -> None:
        reacted.append(fact.final_estimate)
        await uow.emit("board:steps", "card_updated", {"estimate": fact.final_estimate}, None)

    def steps(uow: events.UnitOfWork, estimate: str) -> Any:
        attempts.append(estimate)
        seq = yield from uow.claim_steps("poker:STEPS1")
        yield from uow.append_steps("poker:STEPS1", seq, "story_revealed", {}, None)
        yield from uow.happened_steps(events.StoryRevealed(uuid.uuid4(), estimate, None))
        return seq

    events.react(events.StoryRevealed, reaction, idle=idle)
    try:
        assert await events.transact(lambda uow: steps(uow, "idle")) == 1
        assert (attempts, reacted) == (["idle"], [])
        assert await events.transact(lambda uow: steps(uow, "5")) == 2
        assert (attempts, reacted) == (["idle", "5", "5"], ["5"])
    finally:
        events.unreact(events.StoryRevealed, reaction)
    seqs = await RoomEvent.filter(room="poker:STEPS1").order_by("seq").values_list("seq", flat=True)
    assert seqs == [1, 2]
    assert await RoomEvent.filter(room="board:steps").count() == 1
    idle_batch, busy_batch = heard
    assert [type(f).__name__ for f in idle_batch] == ["Event", "StoryRevealed"]
    assert [type(f).__name__ for f in busy_batch] == ["Event", "StoryRevealed", "Event"]
