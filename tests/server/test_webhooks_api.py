"""Webhooks over REST: every event delivered, signed, once, to a real local receiver
that fails the first tries; nothing for a rolled-back change; the delivery log and
redelivery; the address guard; bad input, someone else's webhook, tokens and scopes."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from models import Job, WebhookDelivery
from services import jobs
from services.events import unit_of_work
from services.poker.access import room_key
from services.webhooks import catalog, delivery, drain, targets
from tests.card_details import pat_headers
from tests.conftest import TEST_SECRET
from tests.factories import (
    add_member,
    bearer,
    create_board,
    create_user,
    jwt_for,
    user_with_headers,
)
from tests.webhook_receiver import Receiver, receiver

Headers = dict[str, Any]
TIMEOUT = 20.0


@pytest.fixture(autouse=True)
def private_allowed(app: Any) -> Iterator[None]:
    """The tests' receiver listens on 127.0.0.1, as WEBHOOKS_ALLOW_PRIVATE=true allows."""
    targets.configure(allow_private=True)
    before = (jobs.tuning.poll_seconds, jobs.tuning.backoff_seconds)
    jobs.configure(poll_seconds=0.05, backoff_seconds=0.05)
    yield
    jobs.configure(poll_seconds=before[0], backoff_seconds=before[1])
    targets.configure(allow_private=False)


@pytest.fixture
async def runner(db: str) -> AsyncIterator[jobs.Runner]:
    running = jobs.Runner(name="test-worker")
    running.start()
    yield running
    await drain()
    await running.stop()


@pytest.fixture
async def hook_receiver() -> AsyncIterator[Receiver]:
    async with receiver() as fake:
        yield fake


async def _register(
    client: httpx.AsyncClient, headers: Headers, fake: Receiver, events: list[str]
) -> dict[str, Any]:
    res = await client.post(
        "/api/webhooks", json={"url": fake.url, "events": events}, headers=headers
    )
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["success"] is True and body["secret"].startswith("whsec_")
    fake.secret = body["secret"]
    hook: dict[str, Any] = body["webhook"]
    return hook


async def _until(check: Callable[[], Any], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while True:
        seen = check()
        if inspect.isawaitable(seen):
            seen = await seen
        if seen:
            return
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def _settled() -> bool:
    busy = Job.filter(kind="webhook_delivery", status__in=("pending", "running"))
    return not await busy.exists()


async def _deliveries(
    client: httpx.AsyncClient, headers: Headers, hook_id: int
) -> list[dict[str, Any]]:
    res = await client.get(f"/api/webhooks/{hook_id}/deliveries", headers=headers)
    assert res.status_code == 200, res.text
    rows: list[dict[str, Any]] = res.json()["deliveries"]
    return rows


async def _poker_events(client: httpx.AsyncClient, headers: Headers) -> str:
    """Every poker event once: create, update, add a story, edit it, a guest joins,
    reveal, restart, archive."""
    res = await client.post("/api/sessions", json={"name": "Sprint 12"}, headers=headers)
    assert res.status_code == 201, res.text
    code: str = res.json()["session"]["code"]
    res = await client.patch(f"/api/sessions/{code}", json={"name": "Sprint 13"}, headers=headers)
    assert res.status_code == 200, res.text
    res = await client.post(
        f"/api/sessions/{code}/stories", json={"title": "Login"}, headers=headers
    )
    assert res.status_code == 201, res.text
    story = res.json()["story"]["id"]
    res = await client.patch(f"/api/stories/{story}", json={"title": "Login page"}, headers=headers)
    assert res.status_code == 200, res.text
    res = await client.post(f"/api/sessions/{code}/join", json={"name": "Gus"})
    assert res.status_code in (200, 201), res.text
    people = (await client.get(f"/api/sessions/{code}/participants", headers=headers)).json()
    me = people["participants"][0]["id"]
    res = await client.post(
        f"/api/sessions/{code}/vote", json={"participant_id": me, "vote": "5"}, headers=headers
    )
    assert res.status_code == 200, res.text
    res = await client.post(f"/api/stories/{story}/reveal", headers=headers)
    assert res.status_code == 200, res.text
    res = await client.post(f"/api/sessions/{code}/restart", headers=headers)
    assert res.status_code == 200, res.text
    res = await client.patch(f"/api/sessions/{code}", json={"status": "archived"}, headers=headers)
    assert res.status_code == 200, res.text
    return code


async def _board_events(client: httpx.AsyncClient, headers: Headers, board: Any) -> None:
    """Every board event once: a card created, moved, updated, commented on, deleted."""
    res = await client.post(
        f"{board.base}/columns/{board.columns[0].id}/cards",
        json={"title": "Write the spec"},
        headers=headers,
    )
    assert res.status_code == 201, res.text
    card = res.json()["id"]
    res = await client.patch(
        f"{board.base}/cards/{card}", json={"columnId": str(board.columns[1].id)}, headers=headers
    )
    assert res.status_code == 200, res.text
    res = await client.patch(f"{board.base}/cards/{card}", json={"title": "Spec"}, headers=headers)
    assert res.status_code == 200, res.text
    res = await client.post(
        f"{board.base}/cards/{card}/comments", json={"content": "Looks good"}, headers=headers
    )
    assert res.status_code == 201, res.text
    res = await client.delete(f"{board.base}/cards/{card}", headers=headers)
    assert res.status_code in (200, 204), res.text


async def test_each_event_arrives_signed_exactly_once_after_two_failed_tries(
    client: httpx.AsyncClient, runner: jobs.Runner, hook_receiver: Receiver
) -> None:
    user, headers = await user_with_headers()
    board = await create_board(user)
    hook = await _register(client, headers, hook_receiver, list(catalog.EVENTS))
    hook_receiver.fail_first = 2

    code = await _poker_events(client, headers)
    await _board_events(client, headers, board)

    await _until(
        lambda: {r.event for r in hook_receiver.accepted()} == set(catalog.EVENTS),
        "one accepted delivery of every event",
    )
    await drain()
    # Nothing else is on its way: every delivery has settled.
    await _until(_settled, "every delivery job to settle")
    for event in catalog.EVENTS:
        accepted = hook_receiver.accepted(event)
        assert len(accepted) == 1, (event, accepted)
        tries = [r for r in hook_receiver.seen if r.event_id == accepted[0].event_id]
        assert [r.answered for r in tries] == [500, 500, 200], event
    assert all(r.signed for r in hook_receiver.seen)

    bodies = {r.event: r.body for r in hook_receiver.accepted()}
    assert bodies["session_created"]["session"] == {"code": code}
    assert bodies["session_created"]["data"]["session"]["name"] == "Sprint 12"
    assert bodies["session_archived"]["data"]["session"]["status"] == "archived"
    revealed = bodies["story_revealed"]["data"]["story"]
    assert revealed["final_estimate"] == "5"
    assert revealed["votes"] and revealed["stats"] and revealed["distribution"]
    assert bodies["participant_joined"]["data"]["participant"]["name"] == "Gus"
    assert bodies["card_created"]["project"] == {"id": str(board.project.id)}
    assert bodies["comment_added"]["data"]["comment"]["content"] == "Looks good"
    assert bodies["card_moved"]["actor"]["id"] == str(user.id)

    log = await _deliveries(client, headers, hook["id"])
    assert len(log) == len(catalog.EVENTS)
    for row in log:
        assert row["status"] == "succeeded" and row["attempts"] == 3, row
        assert row["response_status"] == 200 and row["response_excerpt"] == "ok"
        assert row["duration_ms"] is not None and row["delivered_at"]
        assert [t["status_code"] for t in row["tries"]] == [500, 500, 200]
        assert row["tries"][0]["error"] == "Answered 500"


async def test_only_picked_events_are_sent(
    client: httpx.AsyncClient, runner: jobs.Runner, hook_receiver: Receiver
) -> None:
    _, headers = await user_with_headers()
    await _register(client, headers, hook_receiver, ["story_added"])
    await _poker_events(client, headers)
    await _until(lambda: hook_receiver.accepted(), "the story_added delivery")
    await drain()
    await asyncio.sleep(0.3)
    assert [r.event for r in hook_receiver.seen] == ["story_added"]


async def test_a_rolled_back_change_delivers_nothing(
    client: httpx.AsyncClient, runner: jobs.Runner, hook_receiver: Receiver
) -> None:
    _, headers = await user_with_headers()
    await _register(client, headers, hook_receiver, ["story_added", "session_updated"])
    res = await client.post("/api/sessions", json={"name": "Sprint 12"}, headers=headers)
    code = res.json()["session"]["code"]

    with pytest.raises(RuntimeError):
        async with unit_of_work() as uow:
            await uow.emit(room_key(code), "story_added", {"story": {"title": "Gone"}}, None)
            raise RuntimeError("the change fails after its event was written")
    # A change refused by its own rules (someone else renaming the room) is no event.
    _, stranger = await user_with_headers()
    res = await client.patch(f"/api/sessions/{code}", json={"name": "Mine"}, headers=stranger)
    assert res.status_code == 403
    await drain()
    await asyncio.sleep(0.3)
    assert hook_receiver.seen == []
    assert await WebhookDelivery.all().count() == 0
    assert await Job.filter(kind="webhook_delivery").count() == 0


async def test_redelivery_sends_the_same_event_again(
    client: httpx.AsyncClient, runner: jobs.Runner, hook_receiver: Receiver
) -> None:
    _, headers = await user_with_headers()
    hook = await _register(client, headers, hook_receiver, ["session_created"])
    await client.post("/api/sessions", json={"name": "Sprint 12"}, headers=headers)
    await _until(lambda: hook_receiver.accepted(), "the first delivery")
    first = (await _deliveries(client, headers, hook["id"]))[0]

    res = await client.post(
        f"/api/webhooks/{hook['id']}/deliveries/{first['id']}/redeliver", headers=headers
    )
    assert res.status_code == 202, res.text
    again = res.json()["delivery"]
    assert again["redelivery_of"] == first["id"] and again["event_id"] == first["event_id"]
    assert again["status"] == "pending"
    await _until(lambda: len(hook_receiver.accepted()) == 2, "the redelivery")
    one, two = hook_receiver.accepted()
    assert one.event_id == two.event_id and one.body == two.body
    await _until(
        lambda: WebhookDelivery.filter(id=again["id"], status="succeeded").exists(),
        "the redelivery's log",
    )
    log = await _deliveries(client, headers, hook["id"])
    assert [d["id"] for d in log] == [again["id"], first["id"]]


async def test_the_secret_is_shown_once_and_rotates(
    client: httpx.AsyncClient, runner: jobs.Runner, hook_receiver: Receiver
) -> None:
    _, headers = await user_with_headers()
    hook = await _register(client, headers, hook_receiver, ["session_created"])
    old = hook_receiver.secret
    res = await client.get(f"/api/webhooks/{hook['id']}", headers=headers)
    assert res.status_code == 200 and old not in res.text and "secret" not in res.json()["webhook"]
    listed = await client.get("/api/webhooks", headers=headers)
    assert old not in listed.text and listed.json()["events"] == list(catalog.EVENTS)

    res = await client.patch(
        f"/api/webhooks/{hook['id']}", json={"rotate_secret": True}, headers=headers
    )
    assert res.status_code == 200, res.text
    new = res.json()["secret"]
    assert new.startswith("whsec_") and new != old
    res = await client.patch(f"/api/webhooks/{hook['id']}", json={"active": False}, headers=headers)
    assert res.json()["secret"] is None and res.json()["webhook"]["active"] is False
    await client.patch(f"/api/webhooks/{hook['id']}", json={"active": True}, headers=headers)

    hook_receiver.secret = new
    await client.post("/api/sessions", json={"name": "Sprint 12"}, headers=headers)
    await _until(lambda: hook_receiver.accepted(), "a delivery signed with the new secret")
    assert all(r.signed for r in hook_receiver.seen)


async def test_a_turned_off_webhook_hears_nothing_and_a_deleted_one_goes(
    client: httpx.AsyncClient, runner: jobs.Runner, hook_receiver: Receiver
) -> None:
    _, headers = await user_with_headers()
    hook = await _register(client, headers, hook_receiver, ["session_created"])
    await client.patch(f"/api/webhooks/{hook['id']}", json={"active": False}, headers=headers)
    await client.post("/api/sessions", json={"name": "Sprint 12"}, headers=headers)
    await drain()
    await asyncio.sleep(0.3)
    assert hook_receiver.seen == []
    res = await client.delete(f"/api/webhooks/{hook['id']}", headers=headers)
    assert res.status_code == 200 and res.json()["success"] is True
    assert (await client.get(f"/api/webhooks/{hook['id']}", headers=headers)).status_code == 404
    assert (await client.get("/api/webhooks", headers=headers)).json()["webhooks"] == []


async def test_board_events_reach_readers_of_the_project_only(
    client: httpx.AsyncClient, hook_receiver: Receiver
) -> None:
    owner, owner_headers = await user_with_headers()
    board = await create_board(owner)
    member, member_headers = await user_with_headers()
    await add_member(board, member)
    _, outsider_headers = await user_with_headers()
    await _register(client, member_headers, hook_receiver, ["card_created"])
    async with receiver() as other:
        await _register(client, outsider_headers, other, ["card_created"])

        res = await client.post(
            f"{board.base}/columns/{board.columns[0].id}/cards",
            json={"title": "One"},
            headers=owner_headers,
        )
        assert res.status_code == 201
        await drain()
        # The member hears it; the outsider's webhook is not even queued.
        queued = await WebhookDelivery.all().values_list("webhook_id", flat=True)
        assert len(queued) == 1

        # Removed before the try: the try finds the member can no longer read it.
        res = await client.delete(f"{board.base}/members/{member.id}", headers=owner_headers)
        assert res.status_code in (200, 204), res.text
        running = jobs.Runner(name="late-worker")
        running.start()
        try:
            await _until(
                lambda: WebhookDelivery.filter(status="failed").exists(), "the refused try"
            )
        finally:
            await running.stop()
        row = await WebhookDelivery.get()
        assert row.error == "The webhook's owner may no longer see this event"
        assert hook_receiver.seen == [] and other.seen == []

        # And later cards are not queued for the member at all.
        await client.post(
            f"{board.base}/columns/{board.columns[0].id}/cards",
            json={"title": "Two"},
            headers=owner_headers,
        )
        await drain()
        assert await WebhookDelivery.all().count() == 1


async def test_a_try_that_times_out_is_tried_again(
    client: httpx.AsyncClient,
    runner: jobs.Runner,
    hook_receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Long enough that the second try, which is answered at once, cannot time out too on
    # a busy machine.
    monkeypatch.setattr(delivery, "TIMEOUT", httpx.Timeout(1.0))
    hook_receiver.stall_first = 3.0
    _, headers = await user_with_headers()
    hook = await _register(client, headers, hook_receiver, ["session_created"])
    await client.post("/api/sessions", json={"name": "Sprint 12"}, headers=headers)
    await _until(
        lambda: WebhookDelivery.filter(status="succeeded").exists(), "the try after the timeout"
    )
    row = (await _deliveries(client, headers, hook["id"]))[0]
    assert row["attempts"] == 2
    assert [t["error"] for t in row["tries"]] == ["Timed out", None]
    assert row["tries"][0]["status_code"] is None and row["tries"][0]["duration_ms"] >= 900


async def test_a_receiver_that_never_answers_fails_after_five_tries(
    client: httpx.AsyncClient, runner: jobs.Runner
) -> None:
    async with receiver() as gone:
        url = gone.url
    _, headers = await user_with_headers()
    res = await client.post(
        "/api/webhooks", json={"url": url, "events": ["session_created"]}, headers=headers
    )
    hook = res.json()["webhook"]
    await client.post("/api/sessions", json={"name": "Sprint 12"}, headers=headers)
    await _until(lambda: WebhookDelivery.filter(status="failed").exists(), "the last try")
    row = (await _deliveries(client, headers, hook["id"]))[0]
    assert row["attempts"] == 5 and len(row["tries"]) == 5
    assert row["error"].startswith("Could not connect")
    job = await Job.get(kind="webhook_delivery")
    assert job.status == "failed" and job.attempts == 5


# The address guard, with WEBHOOKS_ALLOW_PRIVATE off

PRIVATE_URLS = [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://172.16.5.4/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://0.0.0.0/hook",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
async def test_private_addresses_are_refused(client: httpx.AsyncClient, url: str) -> None:
    targets.configure(allow_private=False)
    _, headers = await user_with_headers()
    res = await client.post(
        "/api/webhooks", json={"url": url, "events": ["story_added"]}, headers=headers
    )
    assert res.status_code == 422, res.text
    assert "private" in res.text or "loopback" in res.text


async def test_an_update_to_a_private_address_is_refused(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    res = await client.post(
        "/api/webhooks",
        json={"url": "https://93.184.215.14/hook", "events": ["story_added"]},
        headers=headers,
    )
    assert res.status_code == 201, res.text
    targets.configure(allow_private=False)
    hook = res.json()["webhook"]["id"]
    res = await client.patch(
        f"/api/webhooks/{hook}", json={"url": "http://127.0.0.1/x"}, headers=headers
    )
    assert res.status_code == 422, res.text
    assert (await client.get(f"/api/webhooks/{hook}", headers=headers)).json()["webhook"][
        "url"
    ] == "https://93.184.215.14/hook"


async def test_a_try_to_an_address_that_became_private_is_refused(
    client: httpx.AsyncClient, runner: jobs.Runner, hook_receiver: Receiver
) -> None:
    _, headers = await user_with_headers()
    hook = await _register(client, headers, hook_receiver, ["session_created"])
    targets.configure(allow_private=False)
    await client.post("/api/sessions", json={"name": "Sprint 12"}, headers=headers)
    await _until(lambda: WebhookDelivery.filter(status="failed").exists(), "the refusal")
    row = (await _deliveries(client, headers, hook["id"]))[0]
    assert row["attempts"] == 1 and row["response_status"] is None
    assert "loopback, private or link-local" in row["error"]
    assert hook_receiver.seen == []


# Bad input


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"url": "ftp://example.com/hook", "events": ["story_added"]}, 422),
        ({"url": "not a url", "events": ["story_added"]}, 422),
        ({"url": "http://", "events": ["story_added"]}, 422),
        ({"url": "http://user:pw@93.184.215.14/", "events": ["story_added"]}, 422),
        ({"url": "https://93.184.215.14/" + "x" * 2000, "events": ["story_added"]}, 422),
        ({"url": "https://93.184.215.14/hook", "events": ["vote_cast"]}, 422),
        ({"url": "https://93.184.215.14/hook", "events": []}, 422),
        ({"url": "https://93.184.215.14/hook", "events": "story_added"}, 422),
        ({"url": "https://93.184.215.14/hook", "events": ["story_added", "story_added"]}, 422),
        ({"url": 42, "events": ["story_added"]}, 422),
        ({"url": "https://93.184.215.14/hook", "events": ["story_added"], "active": "yes"}, 422),
        ({"url": "https://93.184.215.14/hook", "events": ["story_added"], "secret": "x"}, 422),
        (
            {
                "url": "https://93.184.215.14/hook",
                "events": ["story_added"],
                "description": "d" * 201,
            },
            422,
        ),
        ({"events": ["story_added"]}, 422),
    ],
)
async def test_bad_bodies_are_refused(
    client: httpx.AsyncClient, body: dict[str, Any], status: int
) -> None:
    _, headers = await user_with_headers()
    res = await client.post("/api/webhooks", json=body, headers=headers)
    assert res.status_code == status, res.text
    assert res.json()["success"] is False
    assert (await client.get("/api/webhooks", headers=headers)).json()["webhooks"] == []


async def test_malformed_and_oversized_bodies(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    json_headers = headers | {"Content-Type": "application/json"}
    res = await client.post("/api/webhooks", content=b'{"url": ', headers=json_headers)
    assert res.status_code == 400 and res.json()["message"] == "Malformed JSON body"
    res = await client.post("/api/webhooks", content=b"[1, 2]", headers=json_headers)
    assert res.status_code == 422
    big = b'{"url": "https://93.184.215.14/", "description": "' + b"x" * 70_000 + b'"}'
    res = await client.post("/api/webhooks", content=big, headers=json_headers)
    assert res.status_code == 413


async def test_an_account_has_at_most_twenty_webhooks(client: httpx.AsyncClient) -> None:
    _, headers = await user_with_headers()
    body = {"url": "https://93.184.215.14/hook", "events": ["story_added"]}
    for _ in range(20):
        assert (await client.post("/api/webhooks", json=body, headers=headers)).status_code == 201
    res = await client.post("/api/webhooks", json=body, headers=headers)
    assert res.status_code == 409


# Whose webhook, and which token


async def _someone_elses(client: httpx.AsyncClient) -> tuple[dict[str, Any], int]:
    _, headers = await user_with_headers()
    res = await client.post(
        "/api/webhooks",
        json={"url": "https://93.184.215.14/hook", "events": ["session_created"]},
        headers=headers,
    )
    hook = res.json()["webhook"]
    row = await WebhookDelivery.create(
        webhook_id=hook["id"],
        event_id="00000000-0000-4000-8000-000000000001",
        event="session_created",
        payload={"id": "x"},
    )
    return hook, row.id


async def test_someone_elses_webhook_is_not_found(client: httpx.AsyncClient) -> None:
    hook, delivery = await _someone_elses(client)
    _, headers = await user_with_headers()
    base = f"/api/webhooks/{hook['id']}"
    for method, path, body in [
        ("GET", base, None),
        ("PATCH", base, {"active": False}),
        ("DELETE", base, None),
        ("GET", base + "/deliveries", None),
        ("POST", f"{base}/deliveries/{delivery}/redeliver", None),
    ]:
        res = await client.request(method, path, json=body, headers=headers)
        assert res.status_code == 404, (method, path, res.text)
        assert res.json() == {"success": False, "message": "Webhook not found"} or (
            res.json()["success"] is False and "not found" in res.json()["message"].lower()
        )
    for path in ("/api/webhooks/0", "/api/webhooks/abc", "/api/webhooks/99999999999"):
        assert (await client.get(path, headers=headers)).status_code == 404
    owner_list = await client.get("/api/webhooks", headers=headers)
    assert owner_list.json()["webhooks"] == []


async def _redeliver_on_my_own(client: httpx.AsyncClient, delivery: str | int) -> httpx.Response:
    """Ask a webhook of a new user of one's own to redeliver `delivery`."""
    _, headers = await user_with_headers()
    res = await client.post(
        "/api/webhooks",
        json={"url": "https://93.184.215.14/hook", "events": ["session_created"]},
        headers=headers,
    )
    mine = res.json()["webhook"]["id"]
    return await client.post(
        f"/api/webhooks/{mine}/deliveries/{delivery}/redeliver", headers=headers
    )


async def test_another_webhooks_delivery_is_not_found(client: httpx.AsyncClient) -> None:
    _, delivery = await _someone_elses(client)
    res = await _redeliver_on_my_own(client, delivery)
    assert res.status_code == 404 and res.json()["message"] == "Delivery not found"


@pytest.mark.parametrize("delivery", ["abc", "0", "-1", "\u0661", str(2**63), str(2**63 - 1)])
async def test_a_malformed_or_unknown_delivery_id_is_not_found(
    client: httpx.AsyncClient, delivery: str
) -> None:
    res = await _redeliver_on_my_own(client, delivery)
    assert res.status_code == 404 and res.json()["message"] == "Delivery not found"


async def test_tokens_and_scopes(client: httpx.AsyncClient) -> None:
    user = await create_user()
    assert (await client.get("/api/webhooks")).status_code == 401
    assert (await client.get("/api/webhooks", headers=bearer("nonsense"))).status_code == 401
    past = datetime.now(UTC) - timedelta(hours=2)
    claims = {
        "sub": str(user.id),
        "ver": user.token_version,
        "iat": past,
        "exp": past + timedelta(hours=1),
    }
    expired = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    res = await client.get("/api/webhooks", headers=bearer(expired))
    assert res.status_code == 401 and "expired" in res.text
    assert (await client.get("/api/webhooks", headers=bearer(expired))).status_code == 401

    body = {"url": "https://93.184.215.14/hook", "events": ["story_added"]}
    poker = await pat_headers(user, "poker:read", "poker:write")
    res = await client.get("/api/webhooks", headers=poker)
    assert res.status_code == 403 and "webhooks:read" in res.json()["message"]
    reader = await pat_headers(user, "webhooks:read")
    assert (await client.get("/api/webhooks", headers=reader)).status_code == 200
    res = await client.post("/api/webhooks", json=body, headers=reader)
    assert res.status_code == 403 and "webhooks:write" in res.json()["message"]
    writer = await pat_headers(user, "webhooks:write")
    assert (await client.post("/api/webhooks", json=body, headers=writer)).status_code == 201
    assert (await client.get("/api/webhooks", headers=bearer(jwt_for(user)))).status_code == 200

    from tests.factories import guest, poker_room

    _, _, session = await poker_room(user)
    _, _, guest_token = await guest(session["code"], "Gus")
    assert (await client.get("/api/webhooks", headers=bearer(guest_token))).status_code == 403


def test_the_schema_names_every_event() -> None:
    from typing import get_args

    from server.api.webhook_schemas import EventName

    assert get_args(EventName) == catalog.EVENTS
