"""The durable job runner: jobs survive a runner's stop and a worker's death, two
runners never run one job twice, failures are retried with backoff, and a job's sealed
credentials go when it is finished."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from models import Job, JobSecret
from services import jobs

TIMEOUT = 15.0


@pytest.fixture(autouse=True)
def quick() -> Iterator[None]:
    before = (jobs.tuning.poll_seconds, jobs.tuning.lease_seconds, jobs.tuning.backoff_seconds)
    jobs.configure(poll_seconds=0.05, lease_seconds=30.0, backoff_seconds=0.02)
    yield
    jobs.configure(poll_seconds=before[0], lease_seconds=before[1], backoff_seconds=before[2])


async def until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def all_settled(kind: str) -> bool:
    return not await Job.filter(kind=kind, status__in=(jobs.PENDING, jobs.RUNNING)).exists()


async def queue(kind: str, n: int) -> list[int]:
    return [(await jobs.enqueue(kind, {"n": i}, subject="test")).id for i in range(n)]


async def test_queued_jobs_survive_a_runner_stopping_and_complete_once(db: str) -> None:
    started: list[int] = []
    completed: list[int] = []
    gate = asyncio.Event()

    @jobs.handler("test_restart")
    async def slow(job: jobs.Claimed) -> dict[str, Any]:
        started.append(job.id)
        await gate.wait()
        completed.append(job.id)
        return {"n": job.payload["n"]}

    ids = await queue("test_restart", 3)
    first = jobs.Runner(name="first", concurrency=2)
    first.start()
    await until(lambda: _true(len(started) == 2), "two jobs to start")
    # The worker stops (a deploy): the jobs it held go back to pending, untouched.
    await first.stop(grace=0.1)
    assert completed == []
    rows = await Job.filter(id__in=ids).order_by("id")
    assert [r.status for r in rows] == ["pending"] * 3
    assert [r.attempts for r in rows] == [0, 0, 0]
    # Started again, the jobs all complete, each once.
    gate.set()
    second = jobs.Runner(name="second")
    second.start()
    try:
        await until(lambda: all_settled("test_restart"), "the jobs to finish")
    finally:
        await second.stop()
    assert sorted(completed) == ids
    rows = await Job.filter(id__in=ids).order_by("id")
    assert [r.status for r in rows] == ["done"] * 3
    assert [r.result for r in rows] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert {r.leased_by for r in rows} == {"second"}


async def _true(value: bool) -> bool:
    return value


async def test_a_dead_workers_job_is_taken_again_when_its_lease_expires(db: str) -> None:
    ran: list[int] = []

    @jobs.handler("test_lease")
    async def record(job: jobs.Claimed) -> None:
        ran.append(job.id)

    [job_id] = await queue("test_lease", 1)
    jobs.configure(lease_seconds=0.3)
    # A worker claims it and dies without a word.
    [held] = await jobs.claim("dead-worker")
    assert held.id == job_id
    runner = jobs.Runner(name="alive")
    runner.start()
    try:
        await asyncio.sleep(0.15)
        assert ran == [], "a live lease is respected"
        await until(lambda: all_settled("test_lease"), "the job to be taken again")
    finally:
        await runner.stop()
    row = await Job.get(id=job_id)
    assert (row.status, row.attempts, row.leased_by, ran) == ("done", 2, "alive", [job_id])
    # The dead worker, were it to wake, can no longer settle what is not its own.
    assert await jobs.complete(held, "dead-worker", None) is False


async def test_two_runners_never_run_one_job_twice(db: str) -> None:
    ran: list[int] = []

    @jobs.handler("test_race")
    async def record(job: jobs.Claimed) -> None:
        ran.append(job.id)
        await asyncio.sleep(0.01)

    ids = await queue("test_race", 40)
    runners = [jobs.Runner(name=f"w{i}", concurrency=4) for i in range(2)]
    for runner in runners:
        runner.start()
    try:
        await until(lambda: all_settled("test_race"), "every job to finish")
    finally:
        for runner in runners:
            await runner.stop()
    assert sorted(ran) == ids, "each job ran exactly once"
    assert await Job.filter(id__in=ids, status="done", attempts=1).count() == 40


async def test_claims_at_the_same_moment_take_different_jobs(db: str) -> None:
    @jobs.handler("test_claims")
    async def nothing(job: jobs.Claimed) -> None:
        return None

    await queue("test_claims", 12)
    batches = await asyncio.gather(*(jobs.claim(f"c{i}", limit=3) for i in range(6)))
    taken = [job.id for batch in batches for job in batch]
    assert len(taken) == len(set(taken)) == 12


async def test_failures_retry_with_backoff_then_fail_with_the_message(db: str) -> None:
    seen: list[float] = []

    @jobs.handler("test_flaky")
    async def flaky(job: jobs.Claimed) -> None:
        seen.append(time.monotonic())
        if job.payload.get("permanent"):
            raise jobs.JobFailed("422 the field cannot be set")
        raise jobs.JobFailed("503 try later", retry=True)

    flaky_job = await jobs.enqueue("test_flaky", {}, subject="test", max_attempts=3)
    refused = await jobs.enqueue("test_flaky", {"permanent": True}, subject="test")
    runner = jobs.Runner()
    runner.start()
    try:
        await until(lambda: all_settled("test_flaky"), "the jobs to give up")
    finally:
        await runner.stop()
    row = await Job.get(id=flaky_job.id)
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "503 try later")
    row = await Job.get(id=refused.id)
    assert (row.status, row.attempts, row.last_error) == (
        "failed",
        1,
        "422 the field cannot be set",
    )
    assert len(seen) == 4


async def test_backoff_doubles_and_is_capped() -> None:
    jobs.configure(backoff_seconds=2.0)
    assert 1.6 <= jobs.backoff(1) <= 2.4
    assert 6.4 <= jobs.backoff(3) <= 9.6
    assert jobs.backoff(30) <= jobs.tuning.backoff_max_seconds * 1.2


async def test_sealed_credentials_live_only_as_long_as_their_jobs(db: str) -> None:
    opened: list[dict[str, Any]] = []

    @jobs.handler("test_secret")
    async def use(job: jobs.Claimed) -> None:
        opened.append(await job.secret())

    secret_id = await jobs.store_secret({"token": "ghp_very_secret"})
    row = await JobSecret.get(id=secret_id)
    assert "ghp_very_secret" not in row.sealed
    for _ in range(2):
        await jobs.enqueue("test_secret", {}, subject="test", secret_id=secret_id)
    runner = jobs.Runner()
    runner.start()
    try:
        await until(lambda: all_settled("test_secret"), "the jobs to finish")
    finally:
        await runner.stop()
    assert opened == [{"token": "ghp_very_secret"}] * 2
    assert not await JobSecret.filter(id=secret_id).exists()


async def test_a_kind_without_a_handler_is_left_to_a_worker_that_knows_it(db: str) -> None:
    """A worker of an older release never takes, and fails, a kind it cannot run."""
    kind = f"test_nobody_{uuid.uuid4().hex}"  # handlers stay registered across runs
    job = await jobs.enqueue(kind, {}, subject="test")
    assert await jobs.claim("older-worker") == []
    row = await Job.get(id=job.id)
    assert row.status == "pending" and row.attempts == 0

    @jobs.handler(kind)
    async def known(job: jobs.Claimed) -> None:
        return None

    [claimed] = await jobs.claim("newer-worker")
    assert claimed.id == job.id
