"""How long finished background work is kept: jobs that are done or failed (an estimate
sync's statuses among them) and webhook deliveries that succeeded or failed are deleted
once they are older than the retention. Work still pending is never touched.

Every worker sweeps now and then; a delete is the same whoever runs it, so several
workers sweeping at once only repeat each other's empty deletes. A room's event log is
not swept: clients catch up from it (see `sync`), and its size follows the rooms'.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from models import Job, WebhookDelivery
from services import jobs, sql
from services.webhooks.delivery import FAILED, SUCCEEDED

log = structlog.get_logger("roundtable.retention")

# How often each worker sweeps, and how long after it starts.
SWEEP_SECONDS = 3600.0
FIRST_SWEEP_SECONDS = 60.0


@dataclass(frozen=True)
class Swept:
    jobs: int
    deliveries: int


async def sweep(*, keep_seconds: int, now: datetime | None = None) -> Swept:
    """Delete what finished more than `keep_seconds` before `now`."""
    cutoff = (now or sql.now()) - timedelta(seconds=keep_seconds)
    done = await Job.filter(status__in=(jobs.DONE, jobs.FAILED), finished_at__lt=cutoff).delete()
    deliveries = await WebhookDelivery.filter(
        status__in=(SUCCEEDED, FAILED), updated_at__lt=cutoff
    ).delete()
    return Swept(jobs=done, deliveries=deliveries)


class Sweeper:
    """One per worker: sweeps shortly after start, then every SWEEP_SECONDS."""

    def __init__(self, *, keep_seconds: int) -> None:
        self.keep_seconds = keep_seconds
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name="retention")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _loop(self) -> None:
        pause = FIRST_SWEEP_SECONDS
        while not await self._stopped_within(pause):
            pause = SWEEP_SECONDS
            try:
                swept = await sweep(keep_seconds=self.keep_seconds)
            except Exception as exc:
                log.warning("retention sweep skipped", error=type(exc).__name__)
                continue
            if swept.jobs or swept.deliveries:
                log.info("retention sweep", jobs=swept.jobs, webhook_deliveries=swept.deliveries)

    async def _stopped_within(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        return self._stopping.is_set()
