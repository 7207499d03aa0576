"""Durable background jobs: a table of work, claimed with leases by one runner per worker.

A service enqueues a job inside its own transaction (so a rolled-back change queues
nothing); a runner claims due jobs atomically (`SKIP LOCKED` on PostgreSQL; SQLite
serializes writers), runs the handler registered for the job's kind, and records the
outcome. A failure the handler calls temporary is retried with exponential backoff; a
worker that dies leaves its lease to expire, and another runner takes the job again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tortoise.transactions import in_transaction

from models import Job, JobSecret
from services import sealed, sql

log = logging.getLogger("roundtable.jobs")

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"


class JobFailed(Exception):
    """A handler's failure, with the message to show; `retry` when trying again later
    may succeed (a timeout, a 5xx, a rate limit)."""

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry


@dataclass(frozen=True)
class Claimed:
    """A job a runner holds: what its handler receives."""

    id: int
    kind: str
    subject: str
    ref: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    secret_id: uuid.UUID | None

    async def secret(self) -> dict[str, Any]:
        """The credentials stored with the job; JobFailed when they are gone or can no
        longer be read (SECRET_KEY changed)."""
        if self.secret_id is None:
            raise JobFailed("This job has no stored credentials")
        row = await JobSecret.filter(id=self.secret_id).first()
        if row is None:
            raise JobFailed("The credentials for this job are gone; start it again")
        opened = sealed.unseal(row.sealed)
        if opened is None:
            raise JobFailed("The stored credentials can no longer be read; start it again")
        return opened


Handler = Callable[[Claimed], Awaitable[dict[str, Any] | None]]
_handlers: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of `kind`."""

    def register(fn: Handler) -> Handler:
        _handlers[kind] = fn
        return fn

    return register


@dataclass
class Tuning:
    """How the runner polls, leases and backs off; `configure` sets it at start-up."""

    poll_seconds: float = 1.0
    lease_seconds: float = 60.0
    backoff_seconds: float = 2.0
    backoff_max_seconds: float = 300.0


tuning = Tuning()


def configure(
    *,
    poll_seconds: float | None = None,
    lease_seconds: float | None = None,
    backoff_seconds: float | None = None,
) -> None:
    if poll_seconds is not None:
        tuning.poll_seconds = poll_seconds
    if lease_seconds is not None:
        tuning.lease_seconds = lease_seconds
    if backoff_seconds is not None:
        tuning.backoff_seconds = backoff_seconds


# Runners in this process wake at once when a job is queued here, instead of at their
# next poll; a job queued by another worker waits for that poll.
_wake = asyncio.Event()


async def enqueue(
    kind: str,
    payload: dict[str, Any],
    *,
    subject: str,
    ref: str = "",
    secret_id: uuid.UUID | None = None,
    max_attempts: int = 5,
) -> Job:
    """Queue a job; call it inside the transaction of the change that needs it."""
    job = await Job.create(
        kind=kind,
        subject=subject,
        ref=ref,
        payload=payload,
        status=PENDING,
        max_attempts=max_attempts,
        run_at=sql.now(),
        secret_id=secret_id,
    )
    _wake.set()
    return job


async def store_secret(values: dict[str, Any]) -> uuid.UUID:
    """Seal credentials for jobs to come; they are deleted once no unfinished job that
    refers to them remains."""
    row = await JobSecret.create(sealed=sealed.seal(values))
    return row.id


def backoff(attempt: int) -> float:
    """Seconds before try `attempt + 1`: doubling from the base, capped, with jitter."""
    delay = min(tuning.backoff_seconds * 2 ** max(attempt - 1, 0), tuning.backoff_max_seconds)
    return float(delay * random.uniform(0.8, 1.2))


_DUE = (
    "SELECT id FROM jobs WHERE kind IN ({kinds}) AND ((status = 'pending' AND run_at <= ?)"
    " OR (status = 'running' AND lease_until < ?)) ORDER BY run_at, id LIMIT ?"
)


async def claim(worker: str, *, limit: int = 10) -> list[Claimed]:
    """Take up to `limit` due jobs (and jobs whose lease has expired) for `worker`, in
    one statement: two runners never take the same job. Only kinds this process has a
    handler for: a worker of an older release leaves a newer kind to the workers that
    know it. Nothing is written while nothing is due, so an idle runner takes no write
    lock."""
    kinds = sorted(_handlers)
    if not kinds:
        return []
    now = sql.now()
    due = _DUE.format(kinds=", ".join("?" * len(kinds)))
    if not await sql.rows(due, *kinds, now, now, 1):
        return []
    if sql.is_postgres():
        due += " FOR UPDATE SKIP LOCKED"
    lease = now + timedelta(seconds=tuning.lease_seconds)
    rows = await sql.rows(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, leased_by = ?,"
        f" lease_until = ?, updated_at = ? WHERE id IN ({due}) RETURNING id",
        worker,
        lease,
        now,
        *kinds,
        now,
        now,
        limit,
    )
    if not rows:
        return []
    jobs = await Job.filter(id__in=[r["id"] for r in rows], leased_by=worker).order_by("id")
    return [
        Claimed(
            id=j.id,
            kind=j.kind,
            subject=j.subject,
            ref=j.ref,
            payload=j.payload,
            attempts=j.attempts,
            max_attempts=j.max_attempts,
            secret_id=j.secret_id,
        )
        for j in jobs
    ]


async def _settle(job: Claimed, worker: str, **changes: Any) -> bool:
    """Write a job's outcome, if `worker` still holds it (a lease that expired and was
    taken by another runner is theirs now)."""
    changes["updated_at"] = sql.now()
    async with in_transaction():
        done = await Job.filter(id=job.id, leased_by=worker, status=RUNNING).update(**changes)
        if done and changes.get("status") in (DONE, FAILED) and job.secret_id is not None:
            await _forget_secret(job.secret_id)
    return bool(done)


async def _forget_secret(secret_id: uuid.UUID) -> None:
    """Delete the credentials once the last job that needs them is over, in the
    transaction that ends it: nobody sees a finished job whose secret is still kept.
    The secret's row is locked first, so two of its jobs ending at once cannot each
    see the other unfinished and both keep it."""
    if await JobSecret.filter(id=secret_id).select_for_update().first() is None:
        return
    unfinished = await Job.filter(secret_id=secret_id, status__in=(PENDING, RUNNING)).exists()
    if not unfinished:
        await JobSecret.filter(id=secret_id).delete()


async def complete(job: Claimed, worker: str, result: dict[str, Any] | None) -> bool:
    now = sql.now()
    return await _settle(
        job,
        worker,
        status=DONE,
        result=result,
        last_error=None,
        lease_until=None,
        finished_at=now,
    )


async def fail(job: Claimed, worker: str, message: str, *, retry: bool) -> bool:
    """Record a failure: pending again after a backoff when it may pass and tries are
    left, failed for good otherwise."""
    if retry and job.attempts < job.max_attempts:
        run_at = sql.now() + timedelta(seconds=backoff(job.attempts))
        return await _settle(
            job,
            worker,
            status=PENDING,
            last_error=message,
            run_at=run_at,
            lease_until=None,
            leased_by=None,
        )
    return await _settle(
        job, worker, status=FAILED, last_error=message, lease_until=None, finished_at=sql.now()
    )


async def release(job: Claimed, worker: str) -> bool:
    """Hand back a job that was interrupted (the runner is stopping): pending at once,
    and the interrupted try does not count."""
    return await _settle(
        job,
        worker,
        status=PENDING,
        attempts=max(job.attempts - 1, 0),
        lease_until=None,
        leased_by=None,
        run_at=sql.now(),
    )


async def run_one(job: Claimed, worker: str) -> None:
    """Run a claimed job's handler and record what happened."""
    fn = _handlers.get(job.kind)
    if fn is None:
        await fail(job, worker, f"No handler for jobs of kind {job.kind!r}", retry=False)
        return
    if job.attempts > job.max_attempts:
        # Its worker died on the last try.
        await fail(job, worker, "Gave up: the worker running it stopped", retry=False)
        return
    try:
        result = await asyncio.wait_for(fn(job), timeout=tuning.lease_seconds * 0.8)
    except JobFailed as exc:
        log.info("job %s (%s) failed: %s", job.id, job.kind, exc.message)
        await fail(job, worker, exc.message, retry=exc.retry)
    except TimeoutError:
        await fail(job, worker, "Timed out", retry=True)
    except asyncio.CancelledError:
        await asyncio.shield(release(job, worker))
        raise
    except Exception as exc:
        log.exception("job %s (%s) raised", job.id, job.kind)
        await fail(job, worker, f"Internal error: {type(exc).__name__}", retry=True)
    else:
        await complete(job, worker, result)


async def statuses(subject: str, *, kind: str) -> list[Job]:
    """The latest job per `ref` of `subject`, oldest ref first."""
    rows = await Job.filter(subject=subject, kind=kind).order_by("id")
    latest: dict[str, Job] = {}
    for row in rows:
        latest[row.ref] = row
    return list(latest.values())


async def unfinished(subject: str, *, kind: str, refs: Iterable[str]) -> dict[str, Job]:
    """The pending or running job of each of `refs`, by ref."""
    rows = await Job.filter(
        subject=subject, kind=kind, ref__in=list(refs), status__in=(PENDING, RUNNING)
    )
    return {r.ref: r for r in rows}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Runner:
    """One per worker: claims due jobs and runs them, a few at a time, until stopped."""

    def __init__(self, *, name: str | None = None, concurrency: int = 4) -> None:
        self.name = name or worker_name()
        self.concurrency = concurrency
        self._task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        # While the database cannot be reached, one line says so, and one when it is back.
        self._failing = False

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name=f"jobs:{self.name}")

    async def stop(self, *, grace: float = 5.0) -> None:
        """Stop claiming; let running jobs finish for up to `grace` seconds, then
        interrupt them (they go back to pending for the next runner)."""
        self._stopping.set()
        _wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        if self._running:
            _, late = await asyncio.wait(self._running, timeout=grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            room = self.concurrency - len(self._running)
            claimed: list[Claimed] = []
            if room > 0:
                try:
                    claimed = await claim(self.name, limit=room)
                except Exception as exc:
                    if not self._failing:
                        log.warning("could not claim jobs (%s); trying again", type(exc).__name__)
                    self._failing = True
                else:
                    if self._failing:
                        log.info("claiming jobs again")
                    self._failing = False
            for job in claimed:
                task = asyncio.create_task(self._run(job))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
            if claimed and len(claimed) == room:
                await asyncio.sleep(0)
                continue
            await self._idle()

    async def _run(self, job: Claimed) -> None:
        """Run one job; an outcome that cannot be written (the database went away) is
        left to the lease, which expires and hands the job to a runner again."""
        try:
            await run_one(job, self.name)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("job %s: outcome not recorded (%s)", job.id, type(exc).__name__)

    async def _idle(self) -> None:
        _wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_wake.wait(), timeout=tuning.poll_seconds)
