"""Three workers started the Procfile's way, on a private PostgreSQL cluster and a
private Redis that the tests really stop, restart and kill.

PostgreSQL and Redis are started once per run; every test gets three fresh workers on
an empty Redis, and its final state is checked against the database.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis

from bench.backing import (
    PrivatePostgres,
    PrivateRedis,
    postgres_missing,
    private_postgres,
    private_redis,
    redis_missing,
)
from tests.cluster.follower import Follower, rest_ok
from tests.cluster.processes import Worker, worker_env
from tests.servers import free_port
from tests.support import ON_CI, ROOT, SKIPPED

WORKERS = 3
_names = itertools.count(1)


@dataclass
class Backing:
    pg: PrivatePostgres
    redis: PrivateRedis
    data_dir: Path

    async def query(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.pg.url)
        try:
            rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
            return rows
        finally:
            await conn.close()

    async def redis_keys(self, pattern: str) -> list[str]:
        client = aioredis.Redis.from_url(self.redis.url, decode_responses=True)
        try:
            return sorted([k async for k in client.scan_iter(match=pattern)])
        finally:
            await client.aclose()


@dataclass
class Cluster:
    workers: list[Worker]
    backing: Backing

    def url(self, i: int) -> str:
        return self.workers[i % len(self.workers)].url

    async def room_head(self, room: str) -> int:
        rows = await self.backing.query("SELECT seq FROM rooms WHERE key = $1", room)
        return int(rows[0]["seq"]) if rows else 0

    def logs(self) -> str:
        return "".join(w.log.read_text(errors="replace") for w in self.workers)


@pytest.fixture(scope="session")
async def backing(tmp_path_factory: Any) -> AsyncIterator[Backing]:
    reason = redis_missing() or postgres_missing()
    if reason is not None:
        SKIPPED["cluster"] = reason
        if ON_CI:
            pytest.fail(f"the cluster suite is required on CI: {reason}", pytrace=False)
        pytest.skip(reason)
    data_dir: Path = tmp_path_factory.mktemp("cluster")
    async with (
        private_postgres(fsync=False) as pg,
        private_redis(data_dir) as redis_server,
    ):
        env = worker_env(pg.url, redis_server.url, data_dir)
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "server", "migrate"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        yield Backing(pg=pg, redis=redis_server, data_dir=data_dir)


@pytest.fixture
async def cluster(
    backing: Backing, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Cluster]:
    client = aioredis.Redis.from_url(backing.redis.url)
    await client.flushall()
    await client.aclose()
    env = worker_env(backing.pg.url, backing.redis.url, backing.data_dir)
    marker = request.node.get_closest_marker("worker_env")
    if marker is not None:
        env.update(marker.kwargs)
    workers = [Worker(free_port(), env, tmp_path / f"worker{i}.log") for i in range(WORKERS)]
    try:
        await asyncio.gather(*(w.start() for w in workers))
        yield Cluster(workers=workers, backing=backing)
    finally:
        await asyncio.gather(*(w.stop() for w in workers))
    logs = "".join(w.log.read_text(errors="replace") for w in workers)
    assert "Traceback" not in logs, logs[-6000:]


@dataclass
class PokerRoom:
    code: str
    owner_token: str
    story_id: str
    guests: list[tuple[str, int, str]]  # name, participant id, guest token

    @property
    def room(self) -> str:
        return f"poker:{self.code}"


async def register(url: str, name: str, email: str | None = None) -> str:
    email = email or f"user{next(_names)}-{os.getpid()}@example.com"
    body = await rest_ok(
        url,
        "POST",
        "/auth/register",
        json={"email": email, "password": "s3cret-pass!", "name": name},
    )
    token: str = body["access_token"]
    return token


async def poker_room(cluster: Cluster, guests: list[str]) -> PokerRoom:
    url = cluster.url(0)
    owner = await register(url, "Mia Moderator")
    session = (await rest_ok(url, "POST", "/sessions", token=owner, json={"name": "Sprint"}))[
        "session"
    ]
    code = session["code"]
    story = (
        await rest_ok(
            url, "POST", f"/sessions/{code}/stories", token=owner, json={"title": "Login"}
        )
    )["story"]
    await rest_ok(url, "POST", f"/stories/{story['id']}/start", token=owner)
    gate = asyncio.Semaphore(8)

    async def join(http: httpx.AsyncClient, i: int, name: str) -> tuple[str, int, str]:
        async with gate:
            res = await http.post(f"{cluster.url(i)}/api/sessions/{code}/join", json={"name": name})
        assert res.status_code == 200, res.text
        body = res.json()
        return name, int(body["participant"]["id"]), str(body["token"])

    async with httpx.AsyncClient(timeout=30) as http:
        joined = await asyncio.gather(*(join(http, i, n) for i, n in enumerate(guests)))
    return PokerRoom(code=code, owner_token=owner, story_id=story["id"], guests=list(joined))


def guest_follower(room: PokerRoom, i: int) -> Follower:
    name, _, token = room.guests[i]
    return Follower("/poker", {"token": token, "code": room.code}, name=name)


def names_here(follower: Follower) -> list[str]:
    if follower.presence is None:
        return []
    return sorted(p["name"] for p in follower.presence["participants"])


@dataclass
class Board:
    org: str
    ws: str
    token: str
    project_id: str
    base: str
    columns: list[str]
    cards: list[str]

    @property
    def room(self) -> str:
        return f"board:{self.project_id}"


async def board(cluster: Cluster, cards: int) -> Board:
    url = cluster.url(0)
    token = await register(url, "Bo Board")
    orgs = await rest_ok(url, "GET", "/organizations", token=token)
    org = next(o for o in orgs if o["isPersonal"])["slug"]
    spaces = await rest_ok(url, "GET", f"/orgs/{org}/workspaces", token=token)
    ws = next(w for w in spaces if w["isPersonal"])["slug"]
    project = await rest_ok(
        url,
        "POST",
        f"/orgs/{org}/workspaces/{ws}/projects",
        token=token,
        json={"name": "Launch", "template": "kanban"},
    )
    base = f"/orgs/{org}/workspaces/{ws}/projects/{project['id']}"
    columns = [c["id"] for c in await rest_ok(url, "GET", f"{base}/columns", token=token)]
    made = []
    for n in range(cards):
        card = await rest_ok(
            url, "POST", f"{base}/columns/{columns[0]}/cards", token=token, json={"title": f"C{n}"}
        )
        made.append(card["id"])
    return Board(
        org=org,
        ws=ws,
        token=token,
        project_id=project["id"],
        base=base,
        columns=columns,
        cards=made,
    )


async def board_member(cluster: Cluster, b: Board, name: str) -> str:
    """A second person on the board: invited to the workspace, then to the project."""
    url = cluster.url(0)
    email = f"{name.lower()}{next(_names)}-{os.getpid()}@example.com"
    token = await register(url, name, email)
    invite = await rest_ok(
        url,
        "POST",
        f"/orgs/{b.org}/workspaces/{b.ws}/members/invite",
        token=b.token,
        json={"email": email},
    )
    await rest_ok(url, "POST", f"/invitations/{invite['token']}/accept", token=token)
    await rest_ok(url, "POST", f"{b.base}/members", token=b.token, json={"email": email})
    return token
