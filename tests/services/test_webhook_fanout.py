"""From committed changes to queued deliveries: a vote never waits for webhooks, and a
change that rolls back, even after its events were written, queues nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from models import Job, WebhookDelivery
from services import events, webhooks
from services.events import StoryRevealed
from services.poker import rounds, stories, voting
from services.webhooks import fanout
from services.webhooks.subscriptions import create_webhook
from tests.factories import poker_room

pytestmark = pytest.mark.usefixtures("db")

URL = "https://93.184.215.14/hooks/roundtable"


@pytest.fixture(autouse=True)
def listening() -> Iterator[None]:
    webhooks.install()
    fanout.forget()
    yield
    fanout.forget()


async def _room_with_a_webhook(events_: list[str], **options: Any) -> tuple[Any, str, str]:
    _, owner, session = await poker_room(**options)
    await create_webhook(actor=owner, url=URL, events=events_)
    story = await stories.add_story(actor=owner, code=session["code"], title="Login")
    await webhooks.drain()
    return owner, session["code"], story["id"]


async def test_a_vote_that_reveals_is_answered_before_its_webhooks_are_queued(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner, code, _ = await _room_with_a_webhook(["story_revealed"], auto_reveal=True)
    release = asyncio.Event()
    real = fanout._queue_all

    async def held(wanted: Any) -> None:
        await release.wait()
        await real(wanted)

    monkeypatch.setattr(fanout, "_queue_all", held)
    # The only voter completes the round: the vote reveals the story and is answered
    # while the webhook's delivery is still waiting to be queued.
    answer = await asyncio.wait_for(voting.cast_vote(actor=owner, code=code, value="8"), 5)
    assert answer["revealed"]["final_estimate"] == "8"
    assert await WebhookDelivery.all().count() == 0
    release.set()
    await webhooks.drain()
    row = await WebhookDelivery.get()
    assert row.event == "story_revealed"
    assert row.payload["data"]["story"]["final_estimate"] == "8"
    assert await Job.filter(kind="webhook_delivery", ref=str(row.id)).count() == 1


async def test_a_reveal_rolled_back_after_its_event_was_written_queues_nothing() -> None:
    owner, code, _ = await _room_with_a_webhook(["story_revealed", "story_added"])
    await voting.cast_vote(actor=owner, code=code, value="5")

    async def refuse(uow: Any, fact: Any) -> None:
        raise RuntimeError("a linked card could not take the estimate")

    events.react(StoryRevealed, refuse)
    try:
        with pytest.raises(RuntimeError):
            await rounds.reveal(actor=owner, code=code)
    finally:
        events.unreact(StoryRevealed, refuse)
    await webhooks.drain()
    # Only the story added before counts; the reveal never happened.
    assert await WebhookDelivery.all().values_list("event", flat=True) == ["story_added"]
    assert await Job.filter(kind="webhook_delivery").count() == 1


async def test_a_change_nobody_listens_for_reads_nothing_once_the_cache_knows() -> None:
    owner, code, _ = await _room_with_a_webhook(["card_created"])
    before = len(fanout._tasks)
    await stories.add_story(actor=owner, code=code, title="Checkout")
    # The cache, fresh from the first story, says nobody picked story_added: no task.
    assert len(fanout._tasks) == before
    await webhooks.drain()
    assert await WebhookDelivery.all().count() == 0


async def test_every_event_of_one_change_is_its_own_delivery() -> None:
    _, code, _ = await _room_with_a_webhook(["story_added"])
    await WebhookDelivery.all().delete()
    async with events.unit_of_work() as uow:
        for title in ("Cart", "Checkout", "Receipt"):
            await uow.emit(f"poker:{code}", "story_added", {"story": {"title": title}}, None)
    await webhooks.drain()
    rows = await WebhookDelivery.all().order_by("id")
    assert [r.payload["data"]["story"]["title"] for r in rows] == ["Cart", "Checkout", "Receipt"]
    assert len({r.event_id for r in rows}) == 3
    assert [r.payload["seq"] for r in rows] == sorted(r.payload["seq"] for r in rows)
