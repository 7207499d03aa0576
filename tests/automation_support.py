"""Builders for the automation suites: a board with its people, rules saved through the
service, and a runner that works the queue until nothing is left to do."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q

from models import AutomationTrace, Job, User
from services import automations, jobs
from services.actors import Actor
from services.automations import listener, rules
from services.boards.locate import ProjectRef
from tests.factories import Board, add_member, create_board, create_user, user_actor


@dataclass
class Team:
    board: Board
    admin: Actor  # the board's owner, a project admin
    member: User

    @property
    def ref(self) -> ProjectRef:
        b = self.board
        return ProjectRef(b.project.id, b.org.slug, b.workspace.slug)

    def column(self, name: str) -> str:
        return next(str(c.id) for c in self.board.columns if c.name == name)


async def team(columns: tuple[str, ...] = ("To Do", "Doing", "Done")) -> Team:
    automations.install()
    listener.forget()
    owner = await create_user(name="Olive Owner")
    board = await create_board(owner, columns=columns)
    member = await create_user(name="Max Member")
    await add_member(board, member)
    return Team(board=board, admin=user_actor(owner), member=member)


async def rule(
    t: Team,
    trigger: dict[str, Any],
    actions: list[dict[str, Any]],
    conditions: dict[str, Any] | None = None,
    name: str = "Rule",
) -> dict[str, Any]:
    saved, _ = await rules.create_rule(
        actor=t.admin,
        ref=t.ref,
        name=name,
        trigger=trigger,
        actions=actions,
        conditions_tree=conditions,
    )
    return saved


async def settle(worker: str = "test-runner") -> None:
    """Queue what the changes so far set off, and run every due job, until none is left
    (a rule's changes may set off more). A job another runner sharing the database
    took (a live test server's) is waited for rather than missed."""
    for _ in range(400):
        await listener.drain()
        claimed = await jobs.claim(worker, limit=50)
        for job in claimed:
            await jobs.run_one(job, worker)
        if claimed:
            continue
        due = Q(status="running") | Q(status="pending", run_at__lte=datetime.now(UTC))
        if not await Job.filter(due).exists():
            return
        await asyncio.sleep(0.025)
    raise AssertionError("the job queue never settled")


async def traces_of(rule_id: str) -> list[AutomationTrace]:
    return list(await AutomationTrace.filter(rule_id=rule_id).order_by("id"))


async def pending(kind: str) -> list[Job]:
    return list(await Job.filter(kind=kind, status="pending"))
