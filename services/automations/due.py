"""Planning `due_date_reached`: one durable job per card and due date, due at that time.

A job is planned when a card's due date is set in a project with a due-date rule, and
for every live card with a future due date when such a rule is saved or turned on. The
job fires only while the card still has that due date (a changed one was planned anew),
and a unique mark per card and due date makes it fire once, however many jobs or workers
reach it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from models import Card, Job
from services import jobs, sql
from services.timefmt import iso

DUE_KIND = "automation_due"
# Cards planned at once when a due-date rule is saved; later ones plan as they change.
PLAN_LIMIT = 1000


def subject_of(card_id: str) -> str:
    return f"automation-due:{card_id}"


async def plan(project_id: str, card_id: str, due_at: datetime | None) -> None:
    """A job that fires the card's due-date rules at `due_at` (at once when it has
    passed); nothing when one is already waiting for that card and time."""
    if due_at is None:
        return
    ref = iso(due_at)
    waiting = await Job.filter(
        kind=DUE_KIND, subject=subject_of(card_id), ref=ref, status__in=(jobs.PENDING, jobs.RUNNING)
    ).exists()
    if waiting:
        return
    await Job.create(
        kind=DUE_KIND,
        subject=subject_of(card_id),
        ref=ref,
        payload={"project": project_id, "card": card_id, "due": ref},
        status=jobs.PENDING,
        max_attempts=3,
        run_at=max(due_at, sql.now()),
    )


async def plan_project(project_id: uuid.UUID) -> None:
    """Plan every live card of the project whose due date is still to come."""
    cards = (
        await Card.filter(project_id=project_id, archived=False, due_date__gt=sql.now())
        .order_by("due_date")
        .limit(PLAN_LIMIT)
        .values_list("id", "due_date")
    )
    for card_id, due_at in cards:
        await plan(str(project_id), str(card_id), due_at)
