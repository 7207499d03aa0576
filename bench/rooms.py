"""The rooms each scenario fills, made through Roundtable's public REST API (sessions,
guests, boards and cards), or named freely for the reference servers, which check
nothing."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from bench.generator import Room
from bench.servers import Target

T = TypeVar("T")
VOTES = ["3", "5", "8", "13"]
SETUP_CONCURRENCY = 8
_names = itertools.count(1)


def _poker_room(auths: list[dict[str, str]]) -> Room:
    return {
        "auths": auths,
        "command": "cast_vote",
        "type": "vote_cast",
        "payload": {"kind": "vote", "values": VOTES},
    }


def _rounds_room(auths: list[dict[str, str]]) -> Room:
    """The first client, the moderator, votes, reveals and starts the round again."""
    return {
        "auths": auths,
        "command": "cast_vote",
        "type": "vote_cast",
        "payload": {"kind": "round", "values": VOTES},
    }


def _board_room(auths: list[dict[str, str]], column: str, cards: list[str]) -> Room:
    return {
        "auths": auths,
        "command": "move_card",
        "type": "card_moved",
        "payload": {"kind": "move", "column": column, "cards": cards},
    }


async def _gather(count: int, make: Callable[[int], Awaitable[T]]) -> list[T]:
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def one(i: int) -> T:
        async with gate:
            return await make(i)

    return await asyncio.gather(*(one(i) for i in range(count)))


class Setup:
    """Makes rooms on one target; on Roundtable as one registered owner over REST."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.url = target.urls[0]
        # A client for each worker: requests that stand for many people's take the
        # workers in turn (`worker=`); set-up goes to the first.
        self._http = [httpx.AsyncClient(base_url=url + "/api", timeout=60) for url in target.urls]
        self._owner: str | None = None

    async def aclose(self) -> None:
        for http in self._http:
            await http.aclose()

    async def _call(
        self, method: str, path: str, token: str | None = None, *, worker: int = 0, **kw: Any
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        http = self._http[worker % len(self._http)]
        res = await http.request(method, path, headers=headers, **kw)
        if res.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {res.status_code} {res.text[:300]}")
        return res.json()

    async def account(self) -> str:
        """A new account's JWT."""
        body = await self._call(
            "POST",
            "/auth/register",
            json={
                "email": f"bench{next(_names)}@example.com",
                "password": "bench-password-1",
                "name": "Bench Owner",
            },
        )
        return str(body["access_token"])

    async def owner(self) -> str:
        if self._owner is None:
            self._owner = await self.account()
        return self._owner

    async def session(self, owner: str | None = None) -> str:
        """A poker session with its first story started; its join code."""
        token = owner or await self.owner()
        created = await self._call("POST", "/sessions", token, json={"name": "Bench"})
        code = str(created["session"]["code"])
        story = await self._call(
            "POST", f"/sessions/{code}/stories", token, json={"title": "Bench story"}
        )
        await self._call("POST", f"/stories/{story['story']['id']}/start", token)
        return code

    async def poker(self, rooms: int, size: int) -> list[Room]:
        """Rooms of `size` guests, each joined over REST with a token of its own."""
        if not self.target.kind.roundtable:
            return [_poker_room([{"token": "-", "code": _code("P")}] * size) for _ in range(rooms)]

        async def room(_: int) -> Room:
            code = await self.session()
            joined = await _gather(
                size,
                lambda i: self._call("POST", f"/sessions/{code}/join", json={"name": f"G{i}"}),
            )
            return _poker_room([{"token": j["token"], "code": code} for j in joined])

        return await _gather(rooms, room)

    async def rounds(self, rooms: int, size: int) -> list[Room]:
        """Rooms of a moderator and `size - 1` guests; each room has an owner of its own,
        who moderates, so one person's commands stay within the per-user limits."""
        if not self.target.kind.roundtable:
            return [_rounds_room([{"token": "-", "code": _code("R")}] * size) for _ in range(rooms)]

        async def room(_: int) -> Room:
            owner = await self.account()
            code = await self.session(owner)
            joined = await _gather(
                size - 1,
                lambda i: self._call("POST", f"/sessions/{code}/join", json={"name": f"G{i}"}),
            )
            auths = [{"token": owner, "code": code}]
            return _rounds_room(auths + [{"token": j["token"], "code": code} for j in joined])

        return await _gather(rooms, room)

    async def project(self, name: str) -> tuple[str, str, str, str]:
        """A new owner's project in their personal workspace: (the owner's JWT, the
        project's id, its API path, its first column's id)."""
        token = await self.account()
        orgs = await self._call("GET", "/organizations", token)
        org = next(o for o in orgs if o.get("isPersonal", True))["slug"]
        spaces = await self._call("GET", f"/orgs/{org}/workspaces", token)
        ws = next(w for w in spaces if w.get("isPersonal", True))["slug"]
        prefix = f"/orgs/{org}/workspaces/{ws}/projects"
        project = await self._call("POST", prefix, token, json={"name": name})
        base = f"{prefix}/{project['id']}"
        column = (await self._call("GET", f"{base}/columns", token))[0]["id"]
        return token, str(project["id"]), base, str(column)

    async def board(self, rooms: int, size: int, cards: int) -> list[Room]:
        """Projects of `cards` cards in their first column, each with an owner of its
        own (as teams are: one person's commands stay within the per-user limits) and
        watched by `size` sockets of that owner; the sender moves the bottom card to the
        top."""
        if not self.target.kind.roundtable:
            ids = [f"c{i}" for i in range(cards)]
            return [
                _board_room([{"token": "-", "project": _code("B")}] * size, "col", ids)
                for _ in range(rooms)
            ]

        async def room(n: int) -> Room:
            token, project, base, column = await self.project(f"Bench {n}")
            made = []
            for i in range(cards):
                card = await self._call(
                    "POST", f"{base}/columns/{column}/cards", token, json={"title": f"Card {i}"}
                )
                made.append(str(card["id"]))
            auths = [{"token": token, "project": project}] * size
            # The API lists a column's cards top first; new cards land at the bottom.
            return _board_room(auths, str(column), made)

        return await _gather(rooms, room)

    async def idle(self, rooms: int, size: int) -> list[Room]:
        """Poker rooms of `size` sockets of the owner, who never sends anything."""
        if not self.target.kind.roundtable:
            return [_poker_room([{"token": "-", "code": _code("I")}] * size) for _ in range(rooms)]
        token = await self.owner()
        codes = await _gather(rooms, lambda _: self.session())
        return [_poker_room([{"token": token, "code": code}] * size) for code in codes]


def _code(prefix: str) -> str:
    return f"{prefix}{next(_names)}"
