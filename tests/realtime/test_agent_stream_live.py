"""Missions on a running server: the progress stream over a real HTTP connection shows
the plan and a proposal as they happen, a client that reconnects with the last id it
saw gets every later step, none twice and none lost; a queued mission survives a
restart."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agent_support import DESCRIPTION, ITEMS, agent_body, card, setup
from tests.realtime.clients import LiveServer, rest
from tests.servers import migrated_sqlite, running_server, server_env


async def _read(
    http: httpx.AsyncClient, url: str, headers: dict[str, Any], until: str, count: int = 1
) -> list[dict[str, Any]]:
    """Events of one connection until `count` events of kind `until` have come."""
    seen: list[dict[str, Any]] = []
    async with http.stream("GET", url, headers=headers) as res:
        assert res.status_code == 200
        assert res.headers["content-type"].startswith("text/event-stream")
        fields: dict[str, str] = {}
        async for line in res.aiter_lines():
            if line == "":
                if "data" in fields:
                    body = json.loads(fields["data"])
                    assert body["id"] == fields["id"] and body["kind"] == fields["event"]
                    seen.append(body)
                    if sum(e["kind"] == until for e in seen) == count:
                        return seen
                fields = {}
            elif not line.startswith(":") and ": " in line:
                key, value = line.split(": ", 1)
                fields[key] = value
    return seen


async def test_a_client_resumes_the_stream_from_its_last_event_id(
    live_server: LiveServer,
) -> None:
    s = await setup()
    async with httpx.AsyncClient(base_url=live_server.url, timeout=20) as http:
        made = await http.post(f"{s.ws}/agents", json=agent_body(), headers=s.headers)
        assert made.status_code == 201, made.text
        c = await card(s)
        started = await http.post(
            f"{s.ws}/agents/{made.json()['id']}/missions",
            json={"cardId": str(c.id), "prompt": "Break it into a checklist"},
            headers=s.headers,
        )
        mission = started.json()
        url = f"{s.ws}/missions/{mission['id']}/events"
        first = await _read(http, url, s.headers, "proposal")
        assert [e["kind"] for e in first][:2] == ["status", "status"]
        proposal = first[-1]["data"]["proposal"]
        assert proposal["arguments"]["title"] == ITEMS[0]
        # While nobody listens, the proposal is approved and the next one put up.
        approved = await http.post(f"{s.ws}/proposals/{proposal['id']}/approve", headers=s.headers)
        assert approved.json()["status"] == "approved"
        resumed = await _read(
            http, url, {**s.headers, "Last-Event-ID": first[-1]["id"]}, "proposal"
        )
        kinds = [e["kind"] for e in resumed]
        assert kinds == ["status", "tool_call", "decision", "proposal"]
        assert resumed[0]["data"] == {"status": "awaiting_approval"}
        assert resumed[-1]["data"]["proposal"]["arguments"]["title"] == ITEMS[1]
        whole = await http.get(url + "?follow=false", headers=s.headers)
        everything = [
            json.loads(line[6:]) for line in whole.text.splitlines() if line.startswith("data: ")
        ]
        assert [e["id"] for e in first + resumed] == [e["id"] for e in everything]


async def test_the_stream_of_a_finished_mission_closes(live_server: LiveServer) -> None:
    s = await setup()
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as http:
        made = await http.post(
            f"{s.ws}/agents", json=agent_body(autonomyMode="autonomous"), headers=s.headers
        )
        c = await card(s)
        started = await http.post(
            f"{s.ws}/agents/{made.json()['id']}/missions",
            json={"cardId": str(c.id), "prompt": "Break it into a checklist"},
            headers=s.headers,
        )
        url = f"{s.ws}/missions/{started.json()['id']}/events"
        seen = await _read(http, url, s.headers, "never")
        assert seen[-1]["data"] == {"status": "completed"}


# One stack suffices: it runs a server of its own on a SQLite file of its own, and the
# runner's claims are tested on both databases.
@pytest.mark.sqlite_only
async def test_a_queued_mission_runs_after_a_server_restart(database: str, tmp_path: Path) -> None:
    """A server of its own whose runner is off queues a mission and stops; the next one,
    started on the same database, runs it. A server of its own, so no other worker's
    runner can take the job meanwhile."""
    env = server_env(
        database_url=await migrated_sqlite(tmp_path / "agents.sqlite3"),
        data_dir=tmp_path,
        JOBS_POLL_SECONDS="0.1",
    )
    log = tmp_path / "server.log"
    async with running_server({**env, "JOBS_ENABLED": "false"}, log, args=("--migrate",)) as one:
        live = LiveServer(url=one.url, database_url="", redis_url=None, log=log)
        account = await rest(
            live,
            "POST",
            "/auth/register",
            json={"email": "pm@example.com", "password": "correct-horse-battery"},
        )
        token = account["access_token"]
        await rest(
            live, "POST", "/organizations", token=token, json={"name": "Acme", "slug": "acme"}
        )
        ws = "/orgs/acme/workspaces/team"
        body = {"name": "Team", "slug": "team"}
        await rest(live, "POST", "/orgs/acme/workspaces", token=token, json=body)
        project = await rest(live, "POST", f"{ws}/projects", token=token, json={"name": "Web"})
        board = f"{ws}/projects/{project['id']}"
        columns = await rest(live, "GET", f"{board}/columns", token=token)
        card = await rest(
            live,
            "POST",
            f"{board}/columns/{columns[0]['id']}/cards",
            token=token,
            json={"title": "Sign in", "description": DESCRIPTION},
        )
        made = await rest(
            live, "POST", f"{ws}/agents", token=token, json=agent_body(autonomyMode="autonomous")
        )
        mission = await rest(
            live,
            "POST",
            f"{ws}/agents/{made['id']}/missions",
            token=token,
            json={"cardId": card["id"], "prompt": "Break it down"},
        )
        await asyncio.sleep(0.5)
        still = await rest(live, "GET", f"{ws}/missions/{mission['id']}", token=token)
        assert still["status"] == "queued"
    async with running_server(env, log) as two:
        live = LiveServer(url=two.url, database_url="", redis_url=None, log=log)
        deadline = time.monotonic() + 20
        while True:
            now = await rest(live, "GET", f"{ws}/missions/{mission['id']}", token=token)
            if now["status"] == "completed":
                break
            assert time.monotonic() < deadline, now
            await asyncio.sleep(0.2)
        got = await rest(live, "GET", f"{board}/cards/{card['id']}", token=token)
        assert [i["title"] for i in got["checklist"]] == ITEMS
