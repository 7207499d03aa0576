"""Notifications from board activity: one row per interested user, sent live as well.

Card and member services call `activity(...)` inside their transaction; the rows are
committed with the change, and `deliver` hands them to the socket layer after commit.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

from models import Notification, ProjectMember
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


async def activity(
    *,
    type: str,
    actor: Actor,
    project_id: uuid.UUID,
    card_id: uuid.UUID | None = None,
    meta: dict[str, Any] | None = None,
    recipients: Iterable[uuid.UUID] | None = None,
) -> list[Notification]:
    """Record `type` for the project's members (or `recipients`), never for the actor."""
    if type not in ACTIVITY_TYPES:
        raise ValueError(f"unknown activity type {type}")
    if recipients is None:
        recipients = await ProjectMember.filter(project_id=project_id).values_list(
            "user_id", flat=True
        )  # type: ignore[assignment]
    created = [
        Notification(
            user_id=user_id,
            type=type,
            actor_id=actor.user_id,
            project_id=project_id,
            card_id=card_id,
            meta=meta or {},
        )
        for user_id in sorted({uuid.UUID(str(u)) for u in recipients or ()})
        if user_id != actor.user_id
    ]
    if created:
        await Notification.bulk_create(created)  # one statement, however many people
    return created


async def deliver(notifications: list[Notification]) -> None:
    """After commit: hand the new notifications to the after-commit bus, which pushes
    each to its user's open sockets."""
    await after_commit(
        [NotificationCreated(n.user_id, notification_public(n)) for n in notifications]
    )
