"""Sending a delivery: one signed JSON POST per try, run by the job runner, each try's
outcome written to the delivery log. A refusal by the address guard, a webhook turned
off, or an owner who may no longer hear the event ends the delivery; any other failure
(a timeout, a network error, an answer other than 2xx) is tried again with backoff."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from models import Webhook, WebhookDelivery
from services import jobs, sealed
from services.addresses import Refused
from services.webhooks import access, signing, targets
from services.webhooks.fanout import JOB_KIND

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
EXCERPT_MAX = 1000
TRIES_KEPT = 20
USER_AGENT = "Roundtable-Webhooks/1"

PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"


def body_of(payload: dict[str, Any]) -> bytes:
    return orjson.dumps(payload)


@jobs.handler(JOB_KIND)
async def deliver(job: jobs.Claimed) -> dict[str, Any] | None:
    row = await WebhookDelivery.filter(id=job.payload.get("delivery")).first()
    if row is None:
        return {"skipped": "the webhook was deleted"}
    hook = await Webhook.filter(id=row.webhook_id).first()
    if hook is None:
        return {"skipped": "the webhook was deleted"}
    last = job.attempts >= job.max_attempts
    if not hook.active:
        await _record(row, job.attempts, error="The webhook is turned off", final=True)
        raise jobs.JobFailed("The webhook is turned off")
    if not await access.may_receive(hook.owner_id, row.payload):
        message = "The webhook's owner may no longer see this event"
        await _record(row, job.attempts, error=message, final=True)
        raise jobs.JobFailed(message)
    opened = sealed.unseal(hook.secret_sealed)
    if opened is None:
        message = "The signing secret can no longer be read; rotate it"
        await _record(row, job.attempts, error=message, final=True)
        raise jobs.JobFailed(message)
    try:
        target = await targets.resolve(hook.url)
    except Refused as exc:
        message = f"Refused: the URL {exc}"
        await _record(row, job.attempts, error=message, final=True)
        raise jobs.JobFailed(message) from None
    body = body_of(row.payload)
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Host": target.host,
        signing.TIMESTAMP_HEADER: stamp,
        signing.SIGNATURE_HEADER: signing.signature(str(opened["secret"]), stamp, body),
        signing.EVENT_HEADER: row.event,
        signing.DELIVERY_HEADER: str(row.event_id),
    }
    extensions = {"sni_hostname": target.server_name} if target.server_name else {}
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
            res = await client.post(
                target.url, content=body, headers=headers, extensions=extensions
            )
    except httpx.TimeoutException:
        await _record(row, job.attempts, duration=_ms(started), error="Timed out", final=last)
        raise jobs.JobFailed("Timed out", retry=True) from None
    except httpx.HTTPError as exc:
        message = f"Could not connect: {type(exc).__name__}"
        await _record(row, job.attempts, duration=_ms(started), error=message, final=last)
        raise jobs.JobFailed(message, retry=True) from None
    ok = 200 <= res.status_code < 300
    await _record(
        row,
        job.attempts,
        status=res.status_code,
        duration=_ms(started),
        excerpt=res.text[:EXCERPT_MAX],
        error=None if ok else f"Answered {res.status_code}",
        final=last or ok,
        succeeded=ok,
    )
    if not ok:
        raise jobs.JobFailed(f"The receiver answered {res.status_code}", retry=True)
    return {"status": res.status_code}


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


async def _record(
    row: WebhookDelivery,
    attempt: int,
    *,
    status: int | None = None,
    duration: int | None = None,
    excerpt: str | None = None,
    error: str | None = None,
    final: bool,
    succeeded: bool = False,
) -> None:
    now = datetime.now(UTC)
    row.attempts = attempt
    row.response_status = status
    row.duration_ms = duration
    row.response_excerpt = excerpt
    row.error = error
    row.status = SUCCEEDED if succeeded else (FAILED if final else PENDING)
    if succeeded:
        row.delivered_at = now
    one = {
        "attempt": attempt,
        "at": now.isoformat().replace("+00:00", "Z"),
        "status_code": status,
        "duration_ms": duration,
        "error": error,
    }
    row.tries = [*row.tries, one][-TRIES_KEPT:]
    await row.save()
