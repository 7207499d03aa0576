"""Notification rules: each user sees and marks only their own."""

from __future__ import annotations

import pytest

from models import Notification
from services.boards import notifications
from services.errors import NotFound
from tests.factories import create_user, user_actor


async def test_own_notifications_only(db: str) -> None:
    me, other = await create_user(), await create_user()
    mine = await Notification.create(user_id=me.id, type="card_created")
    theirs = await Notification.create(user_id=other.id, type="card_created")
    actor = user_actor(me)
    assert [n["id"] for n in await notifications.list_notifications(actor=actor)] == [str(mine.id)]
    with pytest.raises(NotFound):
        await notifications.mark_read(actor=actor, notification_id=theirs.id)
    first = await notifications.mark_read(actor=actor, notification_id=mine.id)
    again = await notifications.mark_read(actor=actor, notification_id=mine.id)
    assert first["readAt"] == again["readAt"] is not None
    assert await notifications.unread_count(actor=actor) == 0
    assert await notifications.mark_all_read(actor=user_actor(other)) == 1
