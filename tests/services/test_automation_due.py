"""`due_date_reached`: one durable job per card and due date, fired once however many
jobs or workers reach it, re-planned when the due date changes, and still there after a
restart (it lives in the database, not in a worker)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from models import AutomationDueMark, Card, Comment, Job
from services import jobs, sql
from services.automations.due import DUE_KIND, plan
from services.boards import cards
from tests.automation_support import Team, pending, rule, settle, team, traces_of

pytestmark = pytest.mark.usefixtures("db")


async def _due_rule(t: Team) -> str:
    saved = await rule(
        t,
        {"type": "due_date_reached"},
        [{"type": "add_comment", "text": "This card is due"}],
        name="Due reminder",
    )
    return str(saved["id"])


async def _card(t: Team, due: datetime | str | None) -> str:
    fields = {"title": "Release notes", "due_date": due}
    made = await cards.create_card(
        actor=t.admin, ref=t.ref, column_id=t.column("To Do"), fields=fields
    )
    return str(made["id"])


async def _time_passes() -> None:
    """Every planned due-date job is due now."""
    await Job.filter(kind=DUE_KIND, status="pending").update(
        run_at=sql.now() - timedelta(seconds=1)
    )


async def test_a_due_date_fires_its_rules_once_when_it_comes() -> None:
    t = await team()
    rule_id = await _due_rule(t)
    tomorrow = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    card = await _card(t, tomorrow)
    await settle()
    [job] = await pending(DUE_KIND)
    assert job.run_at >= tomorrow - timedelta(seconds=1)
    assert await traces_of(rule_id) == []  # not yet
    await _time_passes()
    await settle()
    [trace] = await traces_of(rule_id)
    assert trace.result == "success" and str(trace.card_id) == card
    assert trace.triggered_by == {"id": None, "name": "Due date", "kind": "system"}
    assert [c.content for c in await Comment.filter(card_id=card)] == ["This card is due"]
    # The same card and due date planned again (another worker, a late event): no repeat.
    await plan(str(t.board.project.id), card, tomorrow)
    await _time_passes()
    await settle()
    assert len(await traces_of(rule_id)) == 1
    assert await AutomationDueMark.filter(card_id=card).count() == 1


async def test_a_changed_due_date_is_planned_again_and_the_old_one_never_fires() -> None:
    t = await team()
    rule_id = await _due_rule(t)
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    card = await _card(t, first)
    later = first + timedelta(days=5)
    await cards.update_card(actor=t.admin, ref=t.ref, card_id=card, changes={"due_date": later})
    await settle()
    assert len(await pending(DUE_KIND)) == 2
    await _time_passes()
    await settle()
    [trace] = await traces_of(rule_id)
    assert trace.event["dueDate"] == later.isoformat().replace("+00:00", "Z")
    results = {j.ref: j.result for j in await Job.filter(kind=DUE_KIND)}
    assert results[first.isoformat().replace("+00:00", "Z")] == {"skipped": "the due date changed"}


async def test_two_workers_reaching_one_due_date_fire_it_once() -> None:
    t = await team()
    rule_id = await _due_rule(t)
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    card = await _card(t, due)
    await settle("planner")
    # A second job for the same card and date (a late event, another worker's plan).
    await Job.create(
        kind=DUE_KIND,
        subject=f"automation-due:{card}",
        ref="another plan",
        payload={"project": str(t.board.project.id), "card": card, "due": due.isoformat()},
        run_at=sql.now() + timedelta(hours=1),
    )
    await _time_passes()
    # Two workers take one each at the same moment and run them at the same time.
    one, two = await asyncio.gather(
        jobs.claim("worker-1", limit=1), jobs.claim("worker-2", limit=1)
    )
    assert len(one) == len(two) == 1
    await asyncio.gather(jobs.run_one(one[0], "worker-1"), jobs.run_one(two[0], "worker-2"))
    outcomes = sorted(str(j.result) for j in await Job.filter(kind=DUE_KIND))
    assert outcomes == ["{'fired': 1}", "{'skipped': 'already fired'}"]
    await settle()
    assert len(await traces_of(rule_id)) == 1
    # Later runs of either find it fired too.
    await plan(str(t.board.project.id), card, due)
    await _time_passes()
    await settle()
    assert len(await traces_of(rule_id)) == 1


async def test_a_planned_due_date_outlives_the_worker_that_planned_it() -> None:
    t = await team()
    rule_id = await _due_rule(t)
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    await _card(t, due)
    await settle("worker-that-stops")
    # Another process, started later, finds the job in the database.
    runner = jobs.Runner(name="after-restart")
    await _time_passes()
    runner.start()
    try:
        for _ in range(200):
            if await traces_of(rule_id):
                break
            await asyncio.sleep(0.05)
    finally:
        await runner.stop()
    assert [x.result for x in await traces_of(rule_id)] == ["success"]


async def test_a_rule_saved_later_plans_the_cards_already_due_in_the_future() -> None:
    t = await team()
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    future = await _card(t, soon)
    past = await _card(t, soon - timedelta(days=3))
    await settle()
    assert await pending(DUE_KIND) == []  # no due-date rule yet
    rule_id = await _due_rule(t)
    [job] = await pending(DUE_KIND)
    assert job.payload["card"] == future
    await _time_passes()
    await settle()
    assert [str(x.card_id) for x in await traces_of(rule_id)] == [future]
    assert (await Card.get(id=past)).due_date is not None


async def test_turning_a_due_date_rule_on_plans_its_cards() -> None:
    from services.automations import rules

    t = await team()
    rule_id = await _due_rule(t)
    await rules.toggle_rule(actor=t.admin, ref=t.ref, rule_id=rule_id, enabled=False)
    card = await _card(t, datetime.now(UTC).replace(microsecond=0) + timedelta(days=1))
    await settle()
    assert await pending(DUE_KIND) == []  # no enabled due-date rule: nothing planned
    await rules.toggle_rule(actor=t.admin, ref=t.ref, rule_id=rule_id, enabled=True)
    [job] = await pending(DUE_KIND)
    assert job.payload["card"] == card
