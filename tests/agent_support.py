"""Builders for the agent suites: a board with an agent of its workspace, a card with
something to break down, and a runner that works the queue until nothing is due."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from models import Card
from services import jobs
from services.agents import runner as _runner  # noqa: F401  (registers the mission job)
from tests.card_details import make_card
from tests.factories import Board, bearer, create_board, create_user, jwt_for

DESCRIPTION = "Let people sign in.\n- Draft the login form\n- Check the password\n- Show errors"
ITEMS = ["Draft the login form", "Check the password", "Show errors"]


@dataclass
class Setup:
    board: Board
    headers: dict[str, Any]

    @property
    def ws(self) -> str:
        b = self.board
        return f"/api/orgs/{b.org.slug}/workspaces/{b.workspace.slug}"


async def setup() -> Setup:
    owner = await create_user(name="Olive Owner")
    board = await create_board(owner)
    return Setup(board, bearer(jwt_for(owner)))


async def card(s: Setup, title: str = "Sign in", description: str = DESCRIPTION) -> Card:
    return await make_card(s.board, title, description=description)


def agent_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Planner",
        "slug": "planner",
        "autonomyMode": "supervised",
        "tools": ["get_card", "add_checklist_item", "add_comment"],
    }
    body.update(changes)
    return body


async def agent(client: httpx.AsyncClient, s: Setup, **changes: Any) -> dict[str, Any]:
    made = await client.post(f"{s.ws}/agents", json=agent_body(**changes), headers=s.headers)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def work(worker: str = "test-runner") -> None:
    """Run every due job until none is left."""
    for _ in range(50):
        claimed = await jobs.claim(worker, limit=50)
        if not claimed:
            return
        for job in claimed:
            await jobs.run_one(job, worker)
    raise AssertionError("the job queue never settled")
