"""Estimate sync over REST: revealed estimates sent back to local Jira and GitHub servers
by the job runner, with each story's status, retries, the provider's refusals, and the
CSV download."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from models import Job, JobSecret
from services import jobs
from services.poker.imports import http as provider_http
from tests.factories import user_with_headers
from tests.provider_fakes import (
    GITHUB_TOKEN,
    JIRA_EMAIL,
    JIRA_TOKEN,
    POINTS,
    FakeGitHub,
    FakeJira,
    fake_github,
    fake_jira,
)

Headers = dict[str, Any]
TIMEOUT = 15.0


@pytest.fixture(autouse=True)
def local_providers() -> Iterator[None]:
    provider_http.configure(allow_private=True)
    before = (jobs.tuning.poll_seconds, jobs.tuning.backoff_seconds)
    jobs.configure(poll_seconds=0.05, backoff_seconds=0.05)
    yield
    jobs.configure(poll_seconds=before[0], backoff_seconds=before[1])
    provider_http.configure(allow_private=False)


@pytest.fixture
async def runner(db: str) -> AsyncIterator[jobs.Runner]:
    """The worker's job runner, as the app's lifespan starts it."""
    running = jobs.Runner(name="test-worker")
    running.start()
    yield running
    await running.stop()


@pytest.fixture
async def jira() -> AsyncIterator[FakeJira]:
    async with fake_jira() as fake:
        fake.add("SHOP-1", "Sign-in page")
        fake.add("SHOP-2", "Password reset")
        fake.add("SHOP-3", "Order history")
        yield fake


@pytest.fixture
async def github() -> AsyncIterator[FakeGitHub]:
    async with fake_github() as fake:
        fake.add(1, "Cart", labels=("sprint", "estimate: 2"))
        fake.add(2, "Checkout", labels=("sprint",))
        yield fake


async def _room(client: httpx.AsyncClient, headers: Headers, **body: Any) -> str:
    res = await client.post("/api/sessions", json={"name": "Sprint 12", **body}, headers=headers)
    assert res.status_code == 201, res.text
    code: str = res.json()["session"]["code"]
    return code


async def _import(
    client: httpx.AsyncClient, headers: Headers, code: str, **source: Any
) -> list[dict[str, Any]]:
    res = await client.post(
        "/api/integrations/import-preview", json={**source, "session_code": code}, headers=headers
    )
    assert res.status_code == 200, res.text
    body = res.json()["preview"]["confirm"]
    res = await client.post(
        f"/api/sessions/{code}/integrations/import-confirm", json=body, headers=headers
    )
    assert res.status_code == 201, res.text
    stories: list[dict[str, Any]] = res.json()["result"]["stories"]
    return stories


async def _estimate(
    client: httpx.AsyncClient, headers: Headers, code: str, story_id: str, value: str
) -> None:
    """Start the story, vote `value` as the owner (the only voter) and reveal it."""
    res = await client.post(f"/api/stories/{story_id}/start", headers=headers)
    assert res.status_code == 200, res.text
    people = (await client.get(f"/api/sessions/{code}/participants", headers=headers)).json()
    me = people["participants"][0]["id"]
    res = await client.post(
        f"/api/sessions/{code}/vote", json={"participant_id": me, "vote": value}, headers=headers
    )
    assert res.status_code == 200, res.text
    res = await client.post(f"/api/stories/{story_id}/reveal", headers=headers)
    assert res.status_code == 200, res.text
    assert res.json()["story"]["final_estimate"] == value


async def _sync(
    client: httpx.AsyncClient, headers: Headers, code: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        f"/api/sessions/{code}/integrations/sync-estimates", json=body, headers=headers
    )


async def _settled(client: httpx.AsyncClient, headers: Headers, code: str) -> list[dict[str, Any]]:
    """The statuses once none is pending any more."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        res = await client.get(f"/api/sessions/{code}/integrations/sync-estimates", headers=headers)
        assert res.status_code == 200, res.text
        syncs: list[dict[str, Any]] = res.json()["syncs"]
        if syncs and all(s["status"] != "pending" for s in syncs):
            return syncs
        assert time.monotonic() < deadline, syncs
        await asyncio.sleep(0.05)


def _jira_source(jira: FakeJira) -> dict[str, Any]:
    return {
        "provider": "jira",
        "site_url": jira.url,
        "email": JIRA_EMAIL,
        "api_token": JIRA_TOKEN,
        "jql": "project = SHOP",
    }


JIRA_SYNC = {"provider": "jira", "email": JIRA_EMAIL, "api_token": JIRA_TOKEN}


async def test_revealed_estimates_reach_jiras_story_points(
    client: httpx.AsyncClient, jira: FakeJira, runner: jobs.Runner
) -> None:
    _, headers = await user_with_headers()
    code = await _room(client, headers)
    stories = await _import(client, headers, code, **_jira_source(jira))
    await _estimate(client, headers, code, stories[0]["id"], "5")
    await _estimate(client, headers, code, stories[1]["id"], "0.5")
    res = await _sync(client, headers, code, JIRA_SYNC)
    assert res.status_code == 202, res.text
    queued = res.json()["syncs"]
    assert [(s["external_key"], s["estimate"]) for s in queued] == [
        ("SHOP-1", "5"),
        ("SHOP-2", "0.5"),
    ]
    assert {s["status"] for s in queued} <= {"pending", "done"}
    assert JIRA_TOKEN not in res.text
    syncs = await _settled(client, headers, code)
    assert [(s["external_key"], s["status"], s["message"]) for s in syncs] == [
        ("SHOP-1", "done", None),
        ("SHOP-2", "done", None),
    ]
    assert jira.issues["SHOP-1"][POINTS] == 5.0 and jira.issues["SHOP-2"][POINTS] == 0.5
    assert jira.issues["SHOP-3"][POINTS] is None, "an unrevealed story is left alone"
    # The credentials lived as long as the jobs, sealed, and nothing else kept them.
    assert await JobSecret.all().count() == 0
    for job in await Job.all():
        assert JIRA_TOKEN not in str(job.payload) and JIRA_TOKEN not in str(job.last_error)


async def test_a_jira_export_with_its_site_syncs_to_that_site(
    client: httpx.AsyncClient, jira: FakeJira, runner: jobs.Runner
) -> None:
    _, headers = await user_with_headers()
    code = await _room(client, headers)
    sheet = "Issue key,Summary\nSHOP-2,Password reset\n"
    source = {"provider": "jira_csv", "content": sheet, "site_url": jira.url}
    [story] = await _import(client, headers, code, **source)
    await _estimate(client, headers, code, story["id"], "3")
    assert (await _sync(client, headers, code, JIRA_SYNC)).status_code == 202
    [synced] = await _settled(client, headers, code)
    assert synced["status"] == "done" and jira.issues["SHOP-2"][POINTS] == 3.0


async def test_a_provider_outage_is_retried_and_a_refusal_fails_with_its_message(
    client: httpx.AsyncClient, jira: FakeJira, runner: jobs.Runner
) -> None:
    _, headers = await user_with_headers()
    code = await _room(client, headers)
    stories = await _import(client, headers, code, **_jira_source(jira))
    await _estimate(client, headers, code, stories[0]["id"], "8")
    # Four 503s: the client's three quick tries fail, and the job's next attempt succeeds.
    jira.fail_writes = [(503, {"errorMessages": ["Service unavailable"]})] * 4
    assert (await _sync(client, headers, code, JIRA_SYNC)).status_code == 202
    [synced] = await _settled(client, headers, code)
    assert (synced["status"], synced["attempts"]) == ("done", 2)
    assert jira.issues["SHOP-1"][POINTS] == 8.0
    # A field Jira will not set fails at once, with Jira's words.
    body = {**JIRA_SYNC, "story_points_field": "customfield_99999"}
    assert (await _sync(client, headers, code, body)).status_code == 202
    [failed] = await _settled(client, headers, code)
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    assert "400" in failed["message"] and "cannot be set" in failed["message"]
    # Wrong credentials too.
    assert (await _sync(client, headers, code, {**JIRA_SYNC, "api_token": "x"})).status_code == 202
    [refused] = await _settled(client, headers, code)
    assert refused["status"] == "failed" and "401" in refused["message"]


async def test_a_card_that_is_not_a_number_cannot_be_story_points(
    client: httpx.AsyncClient, jira: FakeJira, runner: jobs.Runner
) -> None:
    _, headers = await user_with_headers()
    code = await _room(client, headers, voting_system="tshirt")
    stories = await _import(client, headers, code, **_jira_source(jira))
    await _estimate(client, headers, code, stories[0]["id"], "XL")
    assert (await _sync(client, headers, code, JIRA_SYNC)).status_code == 202
    [failed] = await _settled(client, headers, code)
    assert failed["status"] == "failed" and "'XL' is not one" in failed["message"]
    assert jira.writes == 0


async def test_github_gets_a_label_or_a_comment(
    client: httpx.AsyncClient, github: FakeGitHub, runner: jobs.Runner
) -> None:
    _, headers = await user_with_headers()
    code = await _room(client, headers)
    source = {"provider": "github", "repository": github.repository, "token": GITHUB_TOKEN}
    stories = await _import(client, headers, code, **source, api_url=github.url)
    await _estimate(client, headers, code, stories[0]["id"], "3")
    await _estimate(client, headers, code, stories[1]["id"], "13")
    body = {"provider": "github", "token": GITHUB_TOKEN}
    assert (await _sync(client, headers, code, body)).status_code == 202
    syncs = await _settled(client, headers, code)
    assert [s["status"] for s in syncs] == ["done", "done"]
    # The earlier estimate label is replaced, the others kept.
    assert github.labels_of(1) == ["sprint", "estimate: 3"]
    assert github.labels_of(2) == ["sprint", "estimate: 13"]
    only_second = {**body, "mode": "comment", "story_ids": [stories[1]["id"]]}
    res = await _sync(client, headers, code, only_second)
    assert [s["external_key"] for s in res.json()["syncs"]] == ["#2"]
    await _settled(client, headers, code)
    assert github.comments[2][0].startswith("Estimate: **13**")
    assert code in github.comments[2][0]
    assert 1 not in github.comments


async def test_a_pending_sync_is_not_queued_twice(
    client: httpx.AsyncClient, github: FakeGitHub
) -> None:
    _, headers = await user_with_headers()
    code = await _room(client, headers)
    source = {"provider": "github", "repository": github.repository, "token": GITHUB_TOKEN}
    stories = await _import(client, headers, code, **source, api_url=github.url)
    await _estimate(client, headers, code, stories[0]["id"], "3")
    body = {"provider": "github", "token": GITHUB_TOKEN}
    # No runner yet: the job waits, and asking again keeps the one job.
    first = (await _sync(client, headers, code, body)).json()["syncs"]
    second = (await _sync(client, headers, code, body)).json()["syncs"]
    assert [s["status"] for s in first] == [s["status"] for s in second] == ["pending"]
    assert await Job.filter(kind="estimate_sync").count() == 1
    assert await JobSecret.all().count() == 1
    running = jobs.Runner()
    running.start()
    try:
        assert [s["status"] for s in await _settled(client, headers, code)] == ["done"]
    finally:
        await running.stop()
    assert github.writes == 1


async def test_estimates_of_a_file_download_as_csv(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    code = await _room(client, headers)
    sheet = "Key,Title\nK-1,Cart\nK-2,Checkout\n"
    stories = await _import(client, headers, code, provider="csv", content=sheet)
    await _estimate(client, headers, code, stories[1]["id"], "8")
    res = await client.get(f"/api/sessions/{code}/integrations/estimates.csv", headers=headers)
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/csv")
    assert f'filename="{code}-estimates.csv"' in res.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(res.text)))
    assert rows == [
        ["Key", "Title", "Estimate", "Status", "Link"],
        ["K-1", "Cart", "", "pending", ""],
        ["K-2", "Checkout", "8", "revealed", ""],
    ]


async def test_nothing_to_sync_and_who_may_sync(client: httpx.AsyncClient, jira: FakeJira) -> None:
    _, headers = await user_with_headers()
    code = await _room(client, headers)
    await _import(client, headers, code, **_jira_source(jira))
    # A well-formed request the session cannot act on yet: a conflict with its state
    # (nothing revealed to send), as a paused room refuses a vote, not invalid input.
    res = await _sync(client, headers, code, JIRA_SYNC)
    assert res.status_code == 409 and "reveal" in res.json()["message"]
    res = await _sync(client, headers, code, {"provider": "github", "token": "t"})
    assert res.status_code == 409
    _, stranger = await user_with_headers()
    url = f"/api/sessions/{code}/integrations/sync-estimates"
    assert (await _sync(client, stranger, code, JIRA_SYNC)).status_code == 403
    assert (await client.get(url, headers=stranger)).status_code == 403
    csv_url = f"/api/sessions/{code}/integrations/estimates.csv"
    assert (await client.get(csv_url, headers=stranger)).status_code == 403
    assert (await client.get(url)).status_code == 401
    assert (await _sync(client, headers, "ZZZZZZ", JIRA_SYNC)).status_code == 404
    for body in (
        {"provider": "jira", "email": JIRA_EMAIL},
        {"provider": "jira", "email": "not-an-email", "api_token": "t"},
        {"provider": "github", "token": "t", "mode": "issue"},
        {"provider": "github", "token": "t", "story_ids": ["nope"]},
        {"provider": "github", "token": "t", "story_ids": []},
        {"provider": "csv"},
        {"provider": 3},
    ):
        res = await _sync(client, headers, code, body)
        assert res.status_code == 422, (body, res.text)
    res = await client.post(
        url, content=b"{", headers={**headers, "Content-Type": "application/json"}
    )
    assert res.status_code == 400
