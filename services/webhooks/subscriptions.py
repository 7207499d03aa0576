"""An account's webhooks: create (the secret is shown once), read, change, rotate the
secret, delete; their delivery log, and redelivery. Another account's webhook, or a
delivery of it, is not found."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.transactions import in_transaction

from models import Webhook, WebhookDelivery
from services import sealed
from services.actors import Actor
from services.auth import require_user
from services.errors import Conflict, NotFound, invalid_field
from services.timefmt import iso
from services.webhooks import fanout
from services.webhooks.catalog import EVENTS
from services.webhooks.fanout import queue
from services.webhooks.signing import new_secret
from services.webhooks.targets import check_url

MAX_PER_ACCOUNT = 20
_NOT_FOUND = "Webhook not found"


def webhook_public(hook: Webhook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "url": hook.url,
        "description": hook.description,
        "events": list(hook.events),
        "active": hook.active,
        "created_at": iso(hook.created_at),
        "updated_at": iso(hook.updated_at),
    }


def delivery_public(row: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": row.id,
        "webhook_id": row.webhook_id,
        "event": row.event,
        "event_id": str(row.event_id),
        "status": row.status,
        "attempts": row.attempts,
        "response_status": row.response_status,
        "duration_ms": row.duration_ms,
        "response_excerpt": row.response_excerpt,
        "error": row.error,
        "tries": list(row.tries),
        "redelivery_of": row.redelivery_of,
        "payload": row.payload,
        "created_at": iso(row.created_at),
        "delivered_at": iso(row.delivered_at) if row.delivered_at else None,
    }


def _events(chosen: Sequence[str]) -> list[str]:
    unknown = sorted(set(chosen) - set(EVENTS))
    if unknown:
        raise invalid_field("events", f"unknown event {', '.join(unknown)}")
    if not chosen:
        raise invalid_field("events", "pick at least one event")
    if len(set(chosen)) != len(chosen):
        raise invalid_field("events", "names an event twice")
    return [e for e in EVENTS if e in chosen]


async def _own(actor: Actor, webhook_id: int) -> Webhook:
    user_id = require_user(actor)
    hook = await Webhook.filter(id=webhook_id, owner_id=user_id).first()
    if hook is None:
        raise NotFound(_NOT_FOUND)
    return hook


async def create_webhook(
    *, actor: Actor, url: str, events: Sequence[str], description: str = "", active: bool = True
) -> tuple[dict[str, Any], str]:
    """A new webhook and its signing secret, which is never shown again."""
    user_id = require_user(actor)
    chosen = _events(events)
    url = await check_url(url)
    if await Webhook.filter(owner_id=user_id).count() >= MAX_PER_ACCOUNT:
        raise Conflict(f"An account has at most {MAX_PER_ACCOUNT} webhooks")
    secret = new_secret()
    hook = await Webhook.create(
        owner_id=user_id,
        url=url,
        description=description,
        events=chosen,
        active=active,
        secret_sealed=sealed.seal({"secret": secret}),
    )
    fanout.forget()
    return webhook_public(hook), secret


async def list_webhooks(*, actor: Actor) -> list[dict[str, Any]]:
    user_id = require_user(actor)
    return [webhook_public(h) for h in await Webhook.filter(owner_id=user_id).order_by("id")]


async def get_webhook(*, actor: Actor, webhook_id: int) -> dict[str, Any]:
    return webhook_public(await _own(actor, webhook_id))


async def update_webhook(
    *, actor: Actor, webhook_id: int, changes: dict[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """Apply the fields present in `changes`; `rotate_secret` answers a new secret."""
    hook = await _own(actor, webhook_id)
    secret = None
    if changes.get("url") is not None:
        hook.url = await check_url(changes["url"])
    if changes.get("events") is not None:
        hook.events = _events(changes["events"])
    if changes.get("description") is not None:
        hook.description = changes["description"]
    if changes.get("active") is not None:
        hook.active = changes["active"]
    if changes.get("rotate_secret"):
        secret = new_secret()
        hook.secret_sealed = sealed.seal({"secret": secret})
    await hook.save()
    fanout.forget()
    return webhook_public(hook), secret


async def delete_webhook(*, actor: Actor, webhook_id: int) -> None:
    """The webhook and its log go; tries still queued find it gone and stop."""
    hook = await _own(actor, webhook_id)
    await hook.delete()
    fanout.forget()


async def list_deliveries(
    *, actor: Actor, webhook_id: int, limit: int = 50, before: int | None = None
) -> list[dict[str, Any]]:
    """The newest deliveries first; `before` pages back from a delivery id."""
    hook = await _own(actor, webhook_id)
    query = WebhookDelivery.filter(webhook_id=hook.id)
    if before is not None:
        query = query.filter(id__lt=before)
    return [delivery_public(d) for d in await query.order_by("-id").limit(limit)]


async def redeliver(*, actor: Actor, webhook_id: int, delivery_id: int) -> dict[str, Any]:
    """Send a logged event again, as a new delivery with the same event id and body."""
    hook = await _own(actor, webhook_id)
    original = await WebhookDelivery.filter(id=delivery_id, webhook_id=hook.id).first()
    if original is None:
        raise NotFound("Delivery not found")
    async with in_transaction():
        again = await queue(
            hook.id,
            original.event_id,
            original.event,
            original.payload,
            redelivery_of=original.id,
        )
    return delivery_public(again)
