"""A user's own notifications: listing, counting and marking them read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from models import Notification
from services.actors import Actor
from services.auth import require_user
from services.boards.access import parse_id
from services.boards.notify import notification_public
from services.errors import NotFound

LIMIT_DEFAULT, LIMIT_MAX = 50, 100


def _owner(actor: Actor) -> Any:
    return require_user(actor)


async def list_notifications(
    *, actor: Actor, limit: int = LIMIT_DEFAULT, unread_only: bool = False
) -> list[dict[str, Any]]:
    """Newest first."""
    query = Notification.filter(user_id=_owner(actor))
    if unread_only:
        query = query.filter(read_at__isnull=True)
    rows = await query.order_by("-created_at", "-id").limit(max(1, min(limit, LIMIT_MAX)))
    return [notification_public(n) for n in rows]


async def unread_count(*, actor: Actor) -> int:
    return await Notification.filter(user_id=_owner(actor), read_at__isnull=True).count()


async def mark_read(*, actor: Actor, notification_id: Any) -> dict[str, Any]:
    """Mark one of your notifications read; someone else's is not found. Idempotent."""
    wanted = parse_id(notification_id, "Notification")
    row = await Notification.filter(id=wanted, user_id=_owner(actor)).first()
    if row is None:
        raise NotFound("Notification not found")
    if row.read_at is None:
        row.read_at = datetime.now(UTC)
        await row.save(update_fields=["read_at"])
    return notification_public(row)


async def mark_all_read(*, actor: Actor) -> int:
    """The number of notifications that were unread."""
    return await Notification.filter(user_id=_owner(actor), read_at__isnull=True).update(
        read_at=datetime.now(UTC)
    )
