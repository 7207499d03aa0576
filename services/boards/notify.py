"""Notifications from board activity: one row per interested user, sent live as well.

Card and member services call `activity(...)` inside their transaction; the rows are
committed with the change, and `deliver` hands them to the socket layer after commit.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from models import Notification
from services import sql
from services.actors import Actor
from services.events import NotificationCreated, after_commit
from services.timefmt import iso

log = logging.getLogger("roundtable.notify")

ACTIVITY_TYPES = (
    "card_created",
    "card_updated",
    "card_moved",
    "card_archived",
    "card_deleted",
    "card_assigned",
    "comment_added",
    "member_added",
    "member_removed",
    "document_review_requested",
    "document_reviewed",
)


def notification_public(n: Notification) -> dict[str, Any]:
    return {
        "id": str(n.id),
        "userId": str(n.user_id),
        "readAt": iso(n.read_at),
        "activity": {
            "type": n.type,
            "actorId": str(n.actor_id) if n.actor_id else None,
            "projectId": str(n.project_id) if n.project_id else None,
            "cardId": str(n.card_id) if n.card_id else None,
            "meta": n.meta,
            "createdAt": iso(n.created_at),
        },
    }


# Rows per INSERT: well under SQLite's limit on parameters in one statement.
_BATCH = 500
_INSERT = (
    "INSERT INTO notifications (id, user_id, type, actor_id, project_id, card_id, meta, "
    "read_at, created_at) VALUES "
)


def activity_steps(
    *,
    type: str,
    actor: Actor,
    project_id: uuid.UUID | None,
    card_id: uuid.UUID | None = None,
    meta: dict[str, Any] | None = None,
    recipients: Iterable[uuid.UUID] | None = None,
) -> sql.Steps[list[Notification]]:
    """Record `type` for the project's members (or `recipients`), never for the actor:
    one statement, however many people."""
    created = yield from _made(type, actor, project_id, card_id, meta, recipients)
    for values, args in _batches(created, "(?, ?, ?, ?, ?, ?, ?, NULL, ?)"):
        yield sql.stmt(_INSERT + values, *args)
    return created


def _batches(created: list[Notification], row: str) -> Iterator[tuple[str, list[Any]]]:
    """The rows in batches of `_BATCH`: each batch's VALUES list and its parameters."""
    for start in range(0, len(created), _BATCH):
        batch = created[start : start + _BATCH]
        yield ", ".join([row] * len(batch)), [v for n in batch for v in _row(n)]


# A row of `_INSERT` with its types named, for a VALUES list outside an INSERT's own.
_TYPED = (
    "(?::uuid, ?::uuid, ?::text, ?::uuid, ?::uuid, ?::uuid, ?::jsonb, NULL::timestamptz,"
    " ?::timestamptz)"
)


def activity_riders(
    *,
    type: str,
    actor: Actor,
    project_id: uuid.UUID | None,
    card_id: uuid.UUID | None = None,
    meta: dict[str, Any] | None = None,
) -> sql.Steps[tuple[list[Notification], list[sql.Stmt]]]:
    """PostgreSQL: `activity_steps`'s rows, as inserts that ride along with the change
    that causes them in one statement (`events.UnitOfWork.append_if_unchanged`), made
    only if it is. The recipients are read first."""
    created = yield from _made(type, actor, project_id, card_id, meta, None)
    riders = [
        sql.stmt(
            f"{_INSERT.removesuffix('VALUES ')}SELECT v.* FROM (VALUES {values}) AS v"
            " WHERE EXISTS (SELECT 1 FROM written)",
            *args,
        )
        for values, args in _batches(created, _TYPED)
    ]
    return created, riders


def _made(
    type: str,
    actor: Actor,
    project_id: uuid.UUID | None,
    card_id: uuid.UUID | None,
    meta: dict[str, Any] | None,
    recipients: Iterable[uuid.UUID] | None,
) -> sql.Steps[list[Notification]]:
    """The notifications of one activity, one per recipient but the actor."""
    if type not in ACTIVITY_TYPES:
        raise ValueError(f"unknown activity type {type}")
    if recipients is None:
        rows = yield sql.stmt(
            "SELECT user_id FROM project_members WHERE project_id = ?", str(project_id)
        )
        recipients = (r["user_id"] for r in rows)
    at = sql.now()
    meta = meta or {}
    # An automation rule acts with its owner's rights but is not its owner: the rule is
    # named as the actor, and its owner hears of its changes like everyone else.
    rule = actor.rule_id is not None
    if rule:
        meta = {**meta, "actor": actor.wire()}
    created = [
        Notification(
            id=uuid.uuid4(),
            user_id=user_id,
            type=type,
            actor_id=None if rule else actor.user_id,
            project_id=project_id,
            card_id=card_id,
            meta=meta,
            read_at=None,
            created_at=at,
        )
        for user_id in sorted({uuid.UUID(str(u)) for u in recipients})
        if rule or user_id != actor.user_id
    ]
    return created


def _row(n: Notification) -> tuple[Any, ...]:
    return (
        str(n.id),
        str(n.user_id),
        n.type,
        sql.param(n.actor_id),
        sql.param(n.project_id),
        sql.param(n.card_id),
        sql.json_param(n.meta),
        n.created_at,
    )


async def activity(
    *,
    type: str,
    actor: Actor,
    project_id: uuid.UUID | None,
    card_id: uuid.UUID | None = None,
    meta: dict[str, Any] | None = None,
    recipients: Iterable[uuid.UUID] | None = None,
) -> list[Notification]:
    """`activity_steps`, run on the current connection."""
    steps = activity_steps(
        type=type,
        actor=actor,
        project_id=project_id,
        card_id=card_id,
        meta=meta,
        recipients=recipients,
    )
    return await sql.drive(steps)


def created(notifications: list[Notification]) -> list[NotificationCreated]:
    """What the after-commit bus hears of new notifications: each in its public form."""
    return [NotificationCreated(n.user_id, notification_public(n)) for n in notifications]


async def deliver(notifications: list[Notification]) -> None:
    """After commit: hand the new notifications to the after-commit bus, which pushes
    each to its user's open sockets."""
    await after_commit(created(notifications))
