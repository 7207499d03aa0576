"""Notifications from board activity: one row per interested user, sent live as well.

Card and member services call `activity(...)` inside their transaction; the rows are
committed with the change, and `deliver` hands them to the socket layer after commit.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from models import Notification, ProjectMember
from services.actors import Actor
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

# Called after commit with each new notification's user id and public form.
Deliver = Callable[[uuid.UUID, dict[str, Any]], Awaitable[None]]
on_notification: list[Deliver] = []


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
    created = []
    for user_id in {uuid.UUID(str(u)) for u in recipients or ()}:
        if user_id == actor.user_id:
            continue
        created.append(
            await Notification.create(
                user_id=user_id,
                type=type,
                actor_id=actor.user_id,
                project_id=project_id,
                card_id=card_id,
                meta=meta or {},
            )
        )
    return created


async def deliver(notifications: list[Notification]) -> None:
    """After commit: push each notification to its user's open sockets."""
    for n in notifications:
        for hook in list(on_notification):
            try:
                await hook(n.user_id, notification_public(n))
            except Exception:
                log.exception("notification delivery failed; the user still sees it on reload")
