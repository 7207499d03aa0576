"""REST for the caller's notifications (seed 001). PATs need notifications:read."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from server.api.routing import Api, Call
from server.api.schemas import CamelInput, CamelOutput, Output
from services.boards import notifications
from services.scopes import NOTIFICATIONS_READ

api = Api("notifications")


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class NotificationQuery(CamelInput):
    limit: int = Field(
        default=notifications.LIMIT_DEFAULT, ge=1, le=notifications.LIMIT_MAX, description="1-100"
    )
    unread_only: Annotated[Literal["true", "1", "false", "0", ""], BeforeValidator(_lower)] = Field(
        default="", description='"true" or "1" lists unread ones only'
    )


class Activity(CamelOutput):
    type: str
    actor_id: uuid.UUID | None
    project_id: uuid.UUID | None
    card_id: uuid.UUID | None
    meta: dict[str, Any]
    created_at: datetime


class NotificationPublic(CamelOutput):
    id: uuid.UUID
    user_id: uuid.UUID
    read_at: datetime | None
    activity: Activity


class UnreadCount(Output):
    count: int


class AllRead(Output):
    ok: bool
    updated: int


@api.route(
    "GET",
    "/notifications",
    summary="Your notifications, newest first",
    query=NotificationQuery,
    response=list[NotificationPublic],
    scope=NOTIFICATIONS_READ,
)
async def list_notifications(call: Call) -> Any:
    query: NotificationQuery = call.query
    return await notifications.list_notifications(
        actor=call.user, limit=query.limit, unread_only=query.unread_only in ("true", "1")
    )


@api.route(
    "GET",
    "/notifications/count",
    summary="How many of your notifications are unread",
    response=UnreadCount,
    scope=NOTIFICATIONS_READ,
)
async def unread_count(call: Call) -> Any:
    return {"count": await notifications.unread_count(actor=call.user)}


@api.route(
    "PATCH",
    "/notifications/read-all",
    summary="Mark all your notifications read",
    response=AllRead,
    scope=NOTIFICATIONS_READ,
)
async def mark_all_read(call: Call) -> Any:
    return {"ok": True, "updated": await notifications.mark_all_read(actor=call.user)}


@api.route(
    "PATCH",
    "/notifications/{notification_id}/read",
    summary="Mark one of your notifications read",
    response=NotificationPublic,
    scope=NOTIFICATIONS_READ,
    errors=(404,),
)
async def mark_read(call: Call) -> Any:
    return await notifications.mark_read(
        actor=call.user, notification_id=call.path["notification_id"]
    )
