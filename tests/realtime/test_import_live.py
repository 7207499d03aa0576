"""Imported stories arrive live in the room, and queued estimate syncs finish once after
the server itself is stopped and started again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import guest
from tests.provider_fakes import GITHUB_TOKEN, fake_github
from tests.realtime.clients import LiveServer, Tab, rest
from tests.realtime.conftest import Room
from tests.servers import migrated_sqlite, running_server, server_env

Tabs = Callable[[], Tab]


async def test_imported_stories_arrive_live_in_the_room(
    tabs: Tabs, room: Room, live_server: LiveServer
) -> None:
    moderator, ana = tabs(), tabs()
    await moderator.connect(room.moderator_token, room.code)
    _, _, ana_token = await guest(room.code, "Ana")
    await ana.connect(ana_token, room.code)
    sheet = "Key,Summary\nSHOP-7,Cart\nSHOP-8,Checkout\n"
    preview = await rest(
        live_server,
        "POST",
        "/integrations/import-preview",
        token=room.moderator_token,
        json={"provider": "csv", "content": sheet, "session_code": room.code},
    )
    result = await rest(
        live_server,
        "POST",
        f"/sessions/{room.code}/integrations/import-confirm",
        token=room.moderator_token,
        json=preview["preview"]["confirm"],
    )
    made = result["result"]["stories"]
    for tab in (moderator, ana):
        first = await tab.next_event("story_added")
        second = await tab.next_event("story_added")
        assert [first["data"]["story"]["title"], second["data"]["story"]["title"]] == [
            "Cart",
            "Checkout",
        ]
        assert first["data"]["story"]["id"] == made[0]["id"]
        assert first["actor"]["name"] == "Mia Moderator"
        assert second["seq"] == first["seq"] + 1
    # Confirming again adds nothing, so the room hears nothing more.
    again = await rest(
        live_server,
        "POST",
        f"/sessions/{room.code}/integrations/import-confirm",
        token=room.moderator_token,
        json=preview["preview"]["confirm"],
    )
    assert again["result"]["already_imported"] is True
    await moderator.settle()
    assert [
        e["data"]["story"]["title"] for e in moderator.events if e["type"] == "story_added"
    ] == [
        "Cart",
        "Checkout",
    ]


async def _status(url: str, token: str, code: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=url, timeout=5) as http:
        res = await http.get(
            f"/api/sessions/{code}/integrations/sync-estimates",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert res.status_code == 200, res.text
    syncs: list[dict[str, Any]] = res.json()["syncs"]
    return syncs


async def _until(probe: Callable[[], Any], what: str, within: float = 20.0) -> Any:
    deadline = time.monotonic() + within
    while True:
        found = await probe()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


# One stack suffices: it runs a server of its own on a SQLite file of its own, and the
# runner's claims are tested on both databases.
@pytest.mark.sqlite_only
async def test_queued_syncs_finish_once_after_a_server_restart(
    database: str, tmp_path: Path
) -> None:
    """A server of its own on a database of its own, so no other worker's runner can
    take the jobs while it is down."""
    env = server_env(
        database_url=await migrated_sqlite(tmp_path / "restart.sqlite3"),
        data_dir=tmp_path,
        INTEGRATIONS_ALLOW_PRIVATE="true",
        JOBS_POLL_SECONDS="0.1",
        JOBS_BACKOFF_SECONDS="0.3",
    )
    log = tmp_path / "server.log"
    async with fake_github() as gh:
        gh.add(1, "Cart")
        gh.add(2, "Checkout")
        async with running_server(env, log, args=("--migrate",)) as server:
            live = LiveServer(url=server.url, database_url="", redis_url=None, log=log)
            account = await rest(
                live,
                "POST",
                "/auth/register",
                json={"email": "pm@example.com", "password": "correct-horse-battery"},
            )
            token = account["access_token"]
            session = await rest(live, "POST", "/sessions", token=token, json={"name": "Sprint"})
            code = session["session"]["code"]
            source = {"provider": "github", "repository": gh.repository, "token": GITHUB_TOKEN}
            preview = await rest(
                live,
                "POST",
                "/integrations/import-preview",
                token=token,
                json={**source, "api_url": gh.url},
            )
            result = await rest(
                live,
                "POST",
                f"/sessions/{code}/integrations/import-confirm",
                token=token,
                json=preview["preview"]["confirm"],
            )
            me = session["session"]["moderator_id"]
            for story in result["result"]["stories"]:
                await rest(live, "POST", f"/stories/{story['id']}/start", token=token)
                vote = {"participant_id": me, "vote": "5"}
                await rest(live, "POST", f"/sessions/{code}/vote", token=token, json=vote)
                await rest(live, "POST", f"/stories/{story['id']}/reveal", token=token)
            # GitHub is down: every try fails, and the jobs wait to be tried again.
            gh.fail_writes = [(503, {"message": "Service unavailable"})] * 1000
            body = {"provider": "github", "token": GITHUB_TOKEN}
            await rest(
                live,
                "POST",
                f"/sessions/{code}/integrations/sync-estimates",
                token=token,
                json=body,
            )

            async def tried() -> bool:
                syncs = await _status(server.url, token, code)
                return all(s["attempts"] >= 1 and s["message"] for s in syncs)

            await _until(tried, "a failed first try")
        # The server is stopped. GitHub comes back while nobody is there.
        assert gh.writes == 0
        gh.fail_writes = []
        async with running_server(env, log) as again:

            async def finished() -> list[dict[str, Any]] | None:
                syncs = await _status(again.url, token, code)
                return syncs if all(s["status"] == "done" for s in syncs) else None

            syncs = await _until(finished, "the syncs to finish after the restart")
        assert [(s["external_key"], s["status"]) for s in syncs] == [("#1", "done"), ("#2", "done")]
        assert gh.writes == 2, "each story's estimate was sent exactly once"
        assert gh.labels_of(1) == ["estimate: 5"] and gh.labels_of(2) == ["estimate: 5"]
    # The token went to GitHub and nowhere else: not one line of the server's log has it.
    assert GITHUB_TOKEN not in log.read_text()
