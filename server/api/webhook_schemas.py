"""Request and response schemas of webhooks, in the poker API's envelope and names."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StringConstraints

from server.api.poker_schemas import Envelope, unchanged
from server.api.schemas import Input, NoNul, Output
from services.webhooks.catalog import EVENTS
from services.webhooks.targets import URL_MAX

EventName = Literal[
    "session_created",
    "session_updated",
    "session_archived",
    "story_added",
    "story_updated",
    "story_revealed",
    "participant_joined",
    "round_restarted",
    "card_created",
    "card_moved",
    "card_updated",
    "card_deleted",
    "comment_added",
]
Url = Annotated[
    str,
    StringConstraints(min_length=8, max_length=URL_MAX, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$"),
    NoNul,
]
Description = Annotated[str, StringConstraints(max_length=200), NoNul]
Events = Annotated[
    list[EventName],
    Field(min_length=1, max_length=len(EVENTS), json_schema_extra={"uniqueItems": True}),
]
_URL = (
    "Where deliveries are POSTed: http or https; a host resolving to a loopback, private or"
    " link-local address is refused unless WEBHOOKS_ALLOW_PRIVATE is set"
)


class WebhookCreate(Input):
    """At most 20 webhooks per account."""

    url: Url = Field(description=_URL)
    events: Events = Field(description="The events to receive")
    description: Description = ""
    active: StrictBool = True


class WebhookUpdate(Input):
    """Only the fields sent change; `rotate_secret: true` answers a new secret."""

    url: Url = unchanged(_URL)
    events: Events | None = unchanged("Replaces the list")
    description: Description = unchanged()
    active: StrictBool = unchanged()
    rotate_secret: StrictBool = unchanged("A new signing secret, shown once; the old one stops")


class DeliveryQuery(Input):
    limit: int = Field(default=50, ge=1, le=100, description="How many, newest first")
    before: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="Only deliveries older than this id"
    )


# Responses


class WebhookPublic(Output):
    id: int
    url: str
    description: str
    events: list[EventName]
    active: bool
    created_at: datetime
    updated_at: datetime


class WebhookResponse(Envelope):
    webhook: WebhookPublic


class WebhookSecretResponse(WebhookResponse):
    secret: str | None = Field(
        description="The signing secret: only when the webhook is created or its secret rotated"
    )


class WebhookListResponse(Envelope):
    webhooks: list[WebhookPublic]
    events: list[EventName] = Field(description="Every event a webhook can pick")


class DeliveryTry(Output):
    attempt: int
    at: datetime
    status_code: int | None
    duration_ms: int | None
    error: str | None


class DeliveryPublic(Output):
    id: int
    webhook_id: int
    event: EventName
    event_id: str = Field(description="The same for every try and redelivery of the event")
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    response_status: int | None
    duration_ms: int | None
    response_excerpt: str | None
    error: str | None
    tries: list[DeliveryTry]
    redelivery_of: int | None
    payload: dict[str, Any] = Field(description="The JSON body sent")
    created_at: datetime
    delivered_at: datetime | None


class DeliveryListResponse(Envelope):
    deliveries: list[DeliveryPublic]


class DeliveryResponse(Envelope):
    delivery: DeliveryPublic
