"""Finished jobs and webhook deliveries go once older than the retention; nothing
pending or recent does, and a sweeper started with a worker sweeps on its own."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from models import Job, WebhookDelivery
from services import jobs, retention, sql
from services.webhooks.subscriptions import create_webhook
from tests.factories import create_user, user_actor

DAY = 86400


async def _job(status: str, finished_days_ago: float | None) -> Job:
    finished = None
    if finished_days_ago is not None:
        finished = sql.now() - timedelta(days=finished_days_ago)
    return await Job.create(
        kind="estimate_sync",
        subject="s",
        ref=str(uuid.uuid4()),
        status=status,
        run_at=sql.now(),
        finished_at=finished,
    )


async def _delivery(webhook_id: int, status: str, days_ago: float) -> WebhookDelivery:
    row = await WebhookDelivery.create(
        webhook_id=webhook_id, event_id=uuid.uuid4(), event="story_revealed", status=status
    )
    at = sql.now() - timedelta(days=days_ago)
    # updated_at is set on every save; the age is written as a plain update.
    await WebhookDelivery.filter(id=row.id).update(updated_at=at)
    return row


async def test_what_finished_before_the_retention_goes_and_the_rest_stays(db: str) -> None:
    old_done = await _job(jobs.DONE, 31)
    old_failed = await _job(jobs.FAILED, 40)
    recent_done = await _job(jobs.DONE, 2)
    pending = await _job(jobs.PENDING, None)
    actor = user_actor(await create_user())
    hook, _ = await create_webhook(
        actor=actor, url="https://93.184.215.14/hook", events=["story_revealed"]
    )
    gone = [
        await _delivery(hook["id"], "succeeded", 31),
        await _delivery(hook["id"], "failed", 45),
    ]
    kept = [
        await _delivery(hook["id"], "succeeded", 1),
        await _delivery(hook["id"], "pending", 60),
    ]

    swept = await retention.sweep(keep_seconds=30 * DAY)

    assert swept == retention.Swept(jobs=2, deliveries=2)
    left = set(await Job.all().values_list("id", flat=True))
    assert left == {recent_done.id, pending.id}
    assert not {old_done.id, old_failed.id} & left
    ids = set(await WebhookDelivery.all().values_list("id", flat=True))
    assert ids == {d.id for d in kept} and not ids & {d.id for d in gone}
    assert await retention.sweep(keep_seconds=30 * DAY) == retention.Swept(jobs=0, deliveries=0)


async def test_a_started_sweeper_sweeps_then_stops_promptly(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "FIRST_SWEEP_SECONDS", 0.05)
    old = await _job(jobs.DONE, 3)
    sweeper = retention.Sweeper(keep_seconds=DAY)
    sweeper.start()
    try:
        for _ in range(250):
            if not await Job.filter(id=old.id).exists():
                break
            await asyncio.sleep(0.02)
        assert not await Job.filter(id=old.id).exists(), "the sweeper never swept"
    finally:
        async with asyncio.timeout(2):
            await sweeper.stop()
