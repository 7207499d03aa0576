"""REST for webhooks: an account's subscriptions, their delivery log and redelivery.
Another account's webhook is not found."""

from __future__ import annotations

from typing import Any

from server.api.poker_schemas import MessageResponse, path_id
from server.api.routing import Api, Call
from server.api.webhook_schemas import (
    DeliveryListResponse,
    DeliveryQuery,
    DeliveryResponse,
    WebhookCreate,
    WebhookListResponse,
    WebhookResponse,
    WebhookSecretResponse,
    WebhookUpdate,
)
from services.scopes import WEBHOOKS_READ, WEBHOOKS_WRITE
from services.webhooks import subscriptions
from services.webhooks.catalog import EVENTS

api = Api("webhooks")

WEBHOOK = "/webhooks/{webhook}"
DELIVERY = WEBHOOK + "/deliveries/{delivery}"


def _webhook_id(call: Call) -> int:
    return path_id(call.path["webhook"], "Webhook not found")


def _delivery_id(call: Call) -> int:
    return path_id(call.path["delivery"], "Delivery not found", largest=2**63 - 1)


@api.route(
    "GET",
    "/webhooks",
    summary="List your webhooks, and every event a webhook can pick",
    response=WebhookListResponse,
    scope=WEBHOOKS_READ,
)
async def list_webhooks(call: Call) -> Any:
    hooks = await subscriptions.list_webhooks(actor=call.user)
    return {"success": True, "webhooks": hooks, "events": list(EVENTS)}


@api.route(
    "POST",
    "/webhooks",
    summary="Register a webhook; its signing secret is in this answer only",
    body=WebhookCreate,
    response=WebhookSecretResponse,
    status=201,
    scope=WEBHOOKS_WRITE,
    errors=(409,),
)
async def create_webhook(call: Call) -> Any:
    body: WebhookCreate = call.body
    hook, secret = await subscriptions.create_webhook(actor=call.user, **body.model_dump())
    return {"success": True, "webhook": hook, "secret": secret}


@api.route(
    "GET",
    WEBHOOK,
    summary="Get one of your webhooks",
    response=WebhookResponse,
    scope=WEBHOOKS_READ,
    errors=(404,),
)
async def get_webhook(call: Call) -> Any:
    hook = await subscriptions.get_webhook(actor=call.user, webhook_id=_webhook_id(call))
    return {"success": True, "webhook": hook}


@api.route(
    "PATCH",
    WEBHOOK,
    summary="Change a webhook, or rotate its signing secret",
    body=WebhookUpdate,
    response=WebhookSecretResponse,
    scope=WEBHOOKS_WRITE,
    errors=(404,),
)
async def update_webhook(call: Call) -> Any:
    body: WebhookUpdate = call.body
    hook, secret = await subscriptions.update_webhook(
        actor=call.user, webhook_id=_webhook_id(call), changes=body.model_dump(exclude_unset=True)
    )
    return {"success": True, "webhook": hook, "secret": secret}


@api.route(
    "DELETE",
    WEBHOOK,
    summary="Delete a webhook and its delivery log",
    response=MessageResponse,
    scope=WEBHOOKS_WRITE,
    errors=(404,),
)
async def delete_webhook(call: Call) -> Any:
    await subscriptions.delete_webhook(actor=call.user, webhook_id=_webhook_id(call))
    return {"success": True, "message": "Webhook deleted"}


@api.route(
    "GET",
    WEBHOOK + "/deliveries",
    summary="A webhook's delivery log, newest first: each try's status, time and answer",
    query=DeliveryQuery,
    response=DeliveryListResponse,
    scope=WEBHOOKS_READ,
    errors=(404,),
)
async def list_deliveries(call: Call) -> Any:
    query: DeliveryQuery = call.query
    rows = await subscriptions.list_deliveries(
        actor=call.user, webhook_id=_webhook_id(call), limit=query.limit, before=query.before
    )
    return {"success": True, "deliveries": rows}


@api.route(
    "POST",
    DELIVERY + "/redeliver",
    summary="Send a logged event again, as a new delivery with the same event id",
    response=DeliveryResponse,
    status=202,
    scope=WEBHOOKS_WRITE,
    errors=(404,),
)
async def redeliver(call: Call) -> Any:
    again = await subscriptions.redeliver(
        actor=call.user, webhook_id=_webhook_id(call), delivery_id=_delivery_id(call)
    )
    return {"success": True, "delivery": again}
