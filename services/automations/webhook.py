"""A rule's webhook call: one signed JSON POST, as webhooks send them (the same address
guard, pinned address, headers and HMAC-SHA256 signature), under the rule's own secret."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import orjson

from services import sealed
from services.addresses import Refused
from services.webhooks import signing, targets
from services.webhooks.targets import check_url as check_url

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "Roundtable-Automations/1"
EVENT = "automation_fired"


class CallFailed(Exception):
    """The call did not get a 2xx answer; the message says what happened."""


def new_secret() -> tuple[str, str]:
    """A signing secret and its sealed form."""
    secret = signing.new_secret()
    return secret, sealed.seal({"secret": secret})


async def call(url: str, secret_sealed: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST `payload` to `url`; what the receiver answered, or CallFailed."""
    opened = sealed.unseal(secret_sealed)
    if opened is None:
        raise CallFailed("the rule's signing secret can no longer be read; rotate it")
    try:
        target = await targets.resolve(url)
    except Refused as exc:
        raise CallFailed(f"refused: the URL {exc}") from None
    body = orjson.dumps(payload)
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Host": target.host,
        signing.TIMESTAMP_HEADER: stamp,
        signing.SIGNATURE_HEADER: signing.signature(str(opened["secret"]), stamp, body),
        signing.EVENT_HEADER: EVENT,
        signing.DELIVERY_HEADER: str(payload.get("id") or uuid.uuid4()),
    }
    extensions = {"sni_hostname": target.server_name} if target.server_name else {}
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
            res = await client.post(
                target.url, content=body, headers=headers, extensions=extensions
            )
    except httpx.TimeoutException:
        raise CallFailed("timed out") from None
    except httpx.HTTPError as exc:
        raise CallFailed(f"could not connect: {type(exc).__name__}") from None
    took = round((time.perf_counter() - started) * 1000)
    if not 200 <= res.status_code < 300:
        raise CallFailed(f"the receiver answered {res.status_code}")
    return {"status": res.status_code, "durationMs": took}
